"""python manage.py render_report: any form, unit by id or name, any cut-off, PDF or Excel."""

import pytest
from django.core.management import CommandError, call_command

from casework.access import ReportSide, hazards_for_side
from casework.models import OrgKind, OrgUnit
from casework.reports.layouts import build_report

from .helpers import pdf_text, row_with, sheet_rows, squeeze


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("render_report", *args, stdout=out)
    return out.getvalue()


def test_the_command_renders_the_district_table_by_name_as_of_the_cut_off(world, campaign, scenario, tmp_path):
    target = tmp_path / "tianning.pdf"
    known_at = scenario.before_late_entry.isoformat()
    printed = run(
        "--form",
        "district",
        "--unit",
        "天宁区",
        "--campaign",
        str(campaign.pk),
        "--as-of",
        "2019-07-31T23:59:59+08:00",
        "--known-at",
        known_at,
        "--format",
        "pdf",
        "--out",
        str(target),
    )
    expected = build_report(
        form="district",
        unit=world.district_a,
        campaign=campaign,
        moment=scenario.moment(known_at=scenario.before_late_entry),
        side=ReportSide.EDUCATION,
        hazards=hazards_for_side(ReportSide.EDUCATION),
        units=OrgUnit.objects.all(),
    )
    data = target.read_bytes()
    assert data.startswith(b"%PDF")
    assert expected.fingerprint in printed and expected.fingerprint in pdf_text(data)
    # Before the late entry of #11's verification: 局前街小学 4/1, 第二十四中学 3/0, totals 7/1.
    assert expected.figures["totals"] == [7, 1]
    assert "局前街小学" in squeeze(pdf_text(data))


def test_the_command_defaults_the_cut_off_to_the_campaigns_statistics_day(world, campaign, scenario, tmp_path):
    target = tmp_path / "a1.xlsx"
    printed = run(
        "--form",
        "school",
        "--unit",
        str(world.school_a1.pk),
        "--campaign",
        str(campaign.pk),
        "--side",
        "police",
        "--format",
        "xlsx",
        "--out",
        str(target),
    )
    assert "截至 2019-07-31T23:59:59+08:00" in printed
    assert row_with(sheet_rows(target.read_bytes()), "排查出的总隐患数")[1:6:2] == [5, 2, 3]


def test_the_command_rolls_the_city_up(world, campaign, scenario, tmp_path):
    target = tmp_path / "city.xlsx"
    run(
        "--form",
        "city",
        "--unit",
        "常州市",
        "--campaign",
        str(campaign.pk),
        "--as-of",
        "2019-07-31T23:59:59+08:00",
        "--format",
        "xlsx",
        "--out",
        str(target),
    )
    assert row_with(sheet_rows(target.read_bytes()), "合计")[:5] == ["合计", 3, 9, 3, 6]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--form", "school", "--unit", "天宁区"], "找不到学校"),
        (["--form", "district", "--unit", "不存在区"], "找不到"),
        (["--form", "district", "--unit", "天宁区", "--as-of", "31/07/2019"], "时间格式无效"),
        (["--form", "district", "--unit", "天宁区", "--known-at", "2999-01-01T00:00:00+08:00"], "不能晚于现在"),
    ],
)
def test_the_command_refuses_bad_input_in_chinese(world, campaign, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args, "--campaign", str(campaign.pk), "--format", "pdf", "--out", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()


def test_the_command_refuses_an_unknown_campaign_and_an_ambiguous_name(world, campaign, tmp_path):
    with pytest.raises(CommandError, match="找不到专项整治"):
        run(
            "--form",
            "city",
            "--unit",
            "常州市",
            "--campaign",
            "999",
            "--format",
            "pdf",
            "--out",
            str(tmp_path / "x.pdf"),
        )
    OrgUnit.objects.create(name="局前街小学", kind=OrgKind.SCHOOL, parent=world.district_b)
    with pytest.raises(CommandError, match="不唯一"):
        run(
            "--form",
            "school",
            "--unit",
            "局前街小学",
            "--campaign",
            str(campaign.pk),
            "--format",
            "pdf",
            "--out",
            str(tmp_path / "x.pdf"),
        )
