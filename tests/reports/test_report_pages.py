"""The report pages: downloads and statistics, scoped through casework.access for every role."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from .helpers import row_with, sheet_rows

AS_OF = "2019-07-31"


def download(client, user, campaign, **params):
    client.force_login(user)
    query = {"campaign": campaign.pk, "as_of": AS_OF, "format": "xlsx"} | params
    return client.get(reverse("reports:render"), query)


def test_a_district_officer_downloads_the_district_table_as_excel_and_pdf(client, world, campaign, scenario):
    response = download(client, world.officer_a, campaign, form="district", unit=world.district_a.pk)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert row_with(sheet_rows(response.content), "局前街小学")[5:7] == [4, 1]
    pdf = download(client, world.officer_a, campaign, form="district", unit=world.district_a.pk, format="pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf["X-Report-Fingerprint"] == response["X-Report-Fingerprint"]


def test_the_index_lists_only_the_units_in_the_users_scope(client, world, campaign):
    client.force_login(world.officer_a)
    page = client.get(reverse("reports:index"), {"campaign": campaign.pk}).content.decode()
    assert "天宁区" in page and "局前街小学" in page and "第二十四中学" in page
    assert "钟楼区" not in page and "西横街小学" not in page and "常州市</td>" not in page
    client.force_login(world.city_admin)
    page = client.get(reverse("reports:index")).content.decode()
    assert "钟楼区" in page and "市汇总表" in page and "公安机关" in page


@pytest.mark.parametrize(
    "user, form, unit",
    [
        ("officer_a", "district", "district_b"),  # a foreign district
        ("staff_a1", "school", "school_a2"),  # a foreign school
        ("staff_a1", "district", "district_a"),  # a school sees no district table
        ("officer_a", "city", "city"),  # a district officer has no city roll-up
        ("police_a1", "school", "school_a2"),  # a school of another station
    ],
)
def test_a_report_outside_the_users_scope_is_not_found(client, world, campaign, user, form, unit):
    response = download(client, world.users[user], campaign, form=form, unit=world.units[unit].pk)
    assert response.status_code == 404


def test_education_side_users_cannot_download_the_police_copy(client, world, campaign, scenario):
    for user in (world.staff_a1, world.officer_a, world.supervisor_a):
        response = download(client, user, campaign, form="school", unit=world.school_a1.pk, side="police")
        assert response.status_code == 403
    education = download(client, world.staff_a1, campaign, form="school", unit=world.school_a1.pk)
    assert row_with(sheet_rows(education.content), "排查出的总隐患数")[1:6:2] == [4, 1, 3]


def test_the_police_station_downloads_its_schools_copy_with_the_sensitive_hazard(client, world, campaign, scenario):
    police = download(client, world.police_a1, campaign, form="school", unit=world.school_a1.pk, side="police")
    assert row_with(sheet_rows(police.content), "排查出的总隐患数")[1:6:2] == [5, 2, 3]
    education = download(client, world.police_a1, campaign, form="school", unit=world.school_a1.pk)
    assert row_with(sheet_rows(education.content), "排查出的总隐患数")[1:6:2] == [4, 1, 3]


def test_the_party_committee_draws_up_no_reports(client, world, campaign):
    client.force_login(world.party_a)
    assert client.get(reverse("reports:index")).status_code == 403
    assert download(client, world.party_a, campaign, form="district", unit=world.district_a.pk).status_code == 403


def test_the_auditor_can_read_the_city_roll_up_on_both_sides(client, world, campaign, scenario):
    edu = download(client, world.auditor, campaign, form="city", unit=world.city.pk)
    police = download(client, world.auditor, campaign, form="city", unit=world.city.pk, side="police")
    assert row_with(sheet_rows(edu.content), "合计")[2:4] == [9, 3]
    assert row_with(sheet_rows(police.content), "合计")[2:4] == [10, 4]


def test_a_malformed_cut_off_gets_a_chinese_message_not_a_crash(client, world, campaign):
    response = download(
        client, world.officer_a, campaign, form="district", unit=world.district_a.pk, as_of="31.07.2019"
    )
    assert response.status_code == 400 and "时间格式无效" in response.content.decode()
    assert (
        download(client, world.officer_a, campaign, form="district", unit=world.district_a.pk, format="doc").status_code
        == 404
    )


def test_the_statistics_page_links_each_figure_to_the_ledger(client, world, campaign, scenario):
    client.force_login(world.officer_a)
    response = client.get(reverse("reports:statistics"), {"campaign": campaign.pk, "as_of": AS_OF})
    assert response.status_code == 200
    tables = response.context["tables"]
    # 天宁区, education side: #1 #2 #4 #7 #9 #10 #11 → 7 total; verified #1 #11; 待验收 #2; overdue #4 #9.
    (tianning,) = tables["by_district"]
    assert (
        tianning.label,
        tianning.total.value,
        tianning.rectified.value,
        tianning.pending.value,
        tianning.unrectified.value,
        tianning.overdue.value,
        tianning.rate,
    ) == ("天宁区", 7, 2, 1, 5, 2, "28.6%")
    query = parse_qs(urlparse(tianning.rectified.url).query)
    assert urlparse(tianning.rectified.url).path == reverse("casework:ledger")
    assert query == {
        "district": [str(world.district_a.pk)],
        "state": ["verified"],
        "reported_from": ["2019-05-01"],
        "reported_to": ["2019-07-31"],
    }
    assert parse_qs(urlparse(tianning.overdue.url).query)["overdue"] == ["1"]
    severities = {row.label: row.total.value for row in tables["by_severity"]}
    assert severities == {"一般": 6, "重大": 1}
    categories = {row.label: row.total.value for row in tables["by_category"]}
    assert categories == {"消防": 5, "治安防控": 1, "周边治安": 1}
    states = {row["label"]: row["count"].value for row in tables["by_state"]}
    assert states == {"已上报": 1, "整改中": 2, "待验收": 1, "已验收销号": 2, "已提请党委政府协调": 1, "已作废": 1}
    assert tianning.rectified.url in response.content.decode().replace("&amp;", "&")


def test_the_ledger_behind_a_figure_lists_those_hazards(client, world, campaign, scenario):
    client.force_login(world.officer_a)
    tables = client.get(reverse("reports:statistics"), {"campaign": campaign.pk, "as_of": AS_OF}).context["tables"]
    (tianning,) = tables["by_district"]
    ledger = client.get(tianning.total.url)
    listed = {h.pk for h in ledger.context["page"]}
    # The period's hazards of 天宁区 the officer sees: #1-#4, #7, #9-#11 (today's rows, #3 invalid included).
    h = scenario.hazards
    assert listed == {h[1], h[2], h[3], h[4], h[7], h[9], h[10], h[11]}


def test_the_police_statistics_count_the_sensitive_hazard_and_the_education_ones_do_not(
    client, world, campaign, scenario
):
    client.force_login(world.city_admin)
    edu = client.get(reverse("reports:statistics"), {"campaign": campaign.pk, "as_of": AS_OF}).context["tables"]
    police = client.get(
        reverse("reports:statistics"), {"campaign": campaign.pk, "as_of": AS_OF, "side": "police"}
    ).context["tables"]
    assert edu["total_rows"][0].total.value == 9 and police["total_rows"][0].total.value == 10
    client.force_login(world.supervisor_a)
    assert client.get(reverse("reports:statistics"), {"campaign": campaign.pk, "side": "police"}).status_code == 403
