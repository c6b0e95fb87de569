"""What a person reads never shows a raw key, an internal id or a code: timelines, history, the chains page."""

import re

from django.urls import reverse

from casework.presenters import change_reason_label, payload_lines
from tests.factories import make_hazard, make_listing

RAW_KEYS = (
    "deadline_basis",
    "working_days",
    "supervising_officer",
    "listing：",
    "responsible_person",
    "progress_interval_days",
    "assign",
    "report_rectified",
    "hazard-transitions:",
    "audit-events:",
)


def visible_text(html: str) -> str:
    """The page's text as read: tags, attributes and scripts removed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_a_listed_hazards_timeline_names_the_officer_and_the_level_not_ids_or_keys(client, world):
    hazard = make_hazard(world, state="assigned", major=True)
    make_listing(world, hazard)
    client.force_login(world.officer_a)
    text = visible_text(client.get(hazard.get_absolute_url()).content.decode())
    assert "督办责任人" in text and world.officer_a.username in text and "区级" in text
    assert "挂牌督办" in text and "交办整改" in text
    for key in RAW_KEYS:
        assert key not in text, key


def test_the_history_column_reads_each_reason_as_its_label():
    assert change_reason_label("assign") == "交办整改"
    assert change_reason_label("return_start") == "开始填报报表"
    assert change_reason_label("return_send_back: 缺少照片") == "派出所退回报表：缺少照片"
    assert change_reason_label("listing_raised") == "逾期上提督办"
    assert change_reason_label("admin_edit") == "后台修改"
    assert change_reason_label(None) == ""


def test_a_payload_reads_its_choices_units_and_dates_in_chinese(world):
    lines = dict(
        payload_lines(
            {
                "deadline": "2026-08-07",
                "deadline_basis": "working_days",
                "deadline_working_days": 10,
                "school": world.school_a1.pk,
                "severity": "major",
                "evidence": ["ab" * 32],
            }
        )
    )
    assert lines == {
        "整改时限": "2026-08-07",
        "时限给定方式": "工作日",
        "工作日数": "10",
        "学校": "局前街小学",
        "等级": "重大",
    }


def test_the_chains_page_names_each_chain_by_its_district_or_city(client, world):
    make_hazard(world, state="assigned")
    client.force_login(world.auditor)
    text = visible_text(client.get(reverse("audit:chains")).content.decode())
    assert "天宁区 · 隐患流转记录" in text
    assert "hazard-transitions:" not in text and "记录 id=" not in text
