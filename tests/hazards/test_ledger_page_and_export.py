"""The ledger: scoped, filtered, searched, sorted, paginated, and exported to Excel with its filters."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import make_hazard


def sheet_rows(response):
    data = b"".join(response.streaming_content)
    ws = load_workbook(io.BytesIO(data), read_only=True).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_the_export_holds_the_filtered_ledger_and_names_the_filters_in_its_header(client, world):
    make_hazard(world, state="assigned", title="围墙裂缝")
    make_hazard(world, state="reported", title="消防通道堵塞")
    make_hazard(world, state="assigned", school="school_b1", title="钟楼区围墙")
    client.force_login(world.officer_a)
    response = client.get(reverse("casework:ledger_export"), {"state": "assigned", "q": "围墙"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.streaming
    rows = sheet_rows(response)
    assert rows[0][0] == "学校及周边安全隐患台账"
    assert "状态：整改中" in rows[2][1] and "关键词：围墙" in rows[2][1]
    header = rows.index([c for c in rows if c and c[0] == "编号"][0])
    titles = [r[3] for r in rows[header + 1 :]]
    assert titles == ["围墙裂缝"]


def test_sensitive_hazards_never_reach_an_education_side_export(client, world):
    make_hazard(world, state="assigned", sensitive=True, title="涉校矛盾线索")
    make_hazard(world, state="assigned", title="普通隐患")
    client.force_login(world.officer_a)
    titles = [r[3] for r in sheet_rows(client.get(reverse("casework:ledger_export"))) if r and len(r) > 3]
    assert "普通隐患" in titles and "涉校矛盾线索" not in titles
    client.force_login(world.police_a1)
    titles = [r[3] for r in sheet_rows(client.get(reverse("casework:ledger_export"))) if r and len(r) > 3]
    assert "涉校矛盾线索" in titles


def test_the_ledger_searches_title_and_description_and_filters_by_reporter(client, world):
    make_hazard(world, title="灭火器过期")
    make_hazard(world, title="围墙", reporter=world.officer_a)
    client.force_login(world.officer_a)
    page = client.get(reverse("casework:ledger"), {"q": "消防通道"}).content.decode()  # in every description
    assert "灭火器过期" in page and "围墙" in page
    page = client.get(reverse("casework:ledger"), {"reporter": "officer_a"}).content.decode()
    assert "围墙" in page and "灭火器过期" not in page


def test_the_ledger_paginates_and_keeps_the_filters_in_the_page_links(client, world):
    for i in range(51):
        make_hazard(world, title=f"隐患{i:02d}")
    client.force_login(world.officer_a)
    page = client.get(reverse("casework:ledger"), {"severity": "general"}).content.decode()
    assert "第 1 / 2 页" in page and "?severity=general&page=2" in page
    page = client.get(
        reverse("casework:ledger"), {"severity": "general", "sort": "reported_asc", "page": 2}
    ).content.decode()
    assert "隐患50" in page and "隐患00" not in page


def test_a_school_ledger_shows_only_its_own_school(client, world):
    make_hazard(world, title="本校隐患")
    make_hazard(world, school="school_a2", title="他校隐患")
    client.force_login(world.staff_a1)
    page = client.get(reverse("casework:ledger")).content.decode()
    assert "本校隐患" in page and "他校隐患" not in page


def _overdue(world, *, state: str, title: str):
    """A hazard of school A1 assigned with a deadline five days past, then walked to ``state``."""
    from datetime import timedelta

    from django.utils import timezone

    from casework.services import transitions as svc
    from tests.factories import Clock, plan

    clock = Clock(timezone.now() - timedelta(days=40))
    hazard = make_hazard(world, clock=clock, title=title)
    svc.hazard_assign(
        hazard_id=hazard.pk,
        actor=world.officer_a,
        occurred_at=clock(),
        **plan(deadline=timezone.localdate() - timedelta(days=5)),
    )
    if state == "temporary_measures":
        svc.hazard_record_temporary_measures(
            hazard_id=hazard.pk, actor=world.staff_a1, occurred_at=clock(), measures="设置围挡"
        )
    return hazard


def test_overdue_with_a_state_chosen_lists_the_overdue_hazards_of_that_state_only(client, world):
    _overdue(world, state="assigned", title="整改中已逾期")
    _overdue(world, state="temporary_measures", title="临时措施已逾期")
    make_hazard(world, state="assigned", title="整改中未逾期")
    client.force_login(world.officer_a)
    page = client.get(reverse("casework:ledger"), {"state": "assigned", "overdue": "1"}).content.decode()
    assert "整改中已逾期" in page and "临时措施已逾期" not in page and "整改中未逾期" not in page
    assert 'class="overdue"' in page
    page = client.get(reverse("casework:ledger"), {"overdue": "1"}).content.decode()
    assert "整改中已逾期" in page and "临时措施已逾期" in page and "整改中未逾期" not in page
    # A state that is never overdue (reported) with "overdue" lists nothing, and counts nothing.
    response = client.get(reverse("casework:ledger"), {"state": "reported", "overdue": "1"})
    assert response.context["page"].count == 0 and "没有符合条件的隐患" in response.content.decode()


def test_the_ledger_page_reads_its_rows_names_and_capped_count_in_one_query(world, django_assert_num_queries):
    from casework.access import memberships_of
    from casework.selectors.ledger import LedgerFilters, ledger_for, ledger_page

    overdue = _overdue(world, state="assigned", title="逾期隐患")
    for i in range(4):
        make_hazard(world, school="school_a2", title=f"隐患{i}")
    memberships_of(world.officer_a)  # the scope's lookup, once per request, is not the page's data
    with django_assert_num_queries(1):
        page = ledger_page(ledger_for(world.officer_a, LedgerFilters()), 1, per_page=2, cap=3)
    assert len(page) == 2 and page.has_next and page.capped and page.count_display == "3+"
    with django_assert_num_queries(1):
        page = ledger_page(ledger_for(world.officer_a, LedgerFilters(overdue=True)), 1)
    (row,) = page
    assert (row.pk, row.title, row.school_name, row.district_name) == (overdue.pk, "逾期隐患", "局前街小学", "天宁区")
    assert row.is_overdue and row.state_label == "整改中" and row.url == overdue.get_absolute_url()
    assert page.count == 1 and not page.capped and not page.has_next


def test_the_party_committee_ledger_lists_and_counts_only_escalated_hazards(client, world):
    make_hazard(world, state="escalated", title="需协调的隐患")
    make_hazard(world, state="assigned", title="区内整改中")
    client.force_login(world.party_a)
    response = client.get(reverse("casework:ledger"))
    body = response.content.decode()
    assert "需协调的隐患" in body and "区内整改中" not in body
    assert response.context["page"].count == 1


def test_a_user_without_a_membership_sees_an_empty_ledger(client, world):
    from tests.factories import UserFactory

    make_hazard(world, title="本校隐患")
    client.force_login(UserFactory(username="nobody"))
    response = client.get(reverse("casework:ledger"), {"page": "4"})
    assert response.status_code == 200
    assert response.context["page"].count == 0 and "本校隐患" not in response.content.decode()


def test_the_school_filter_lists_the_chosen_districts_schools_and_keeps_the_choice(client, world):
    make_hazard(world, title="本校隐患")
    client.force_login(world.city_admin)
    page = client.get(
        reverse("casework:ledger"), {"district": world.district_a.pk, "school": world.school_a1.pk}
    ).content.decode()
    assert f'<option value="{world.district_a.pk}" selected>天宁区</option>' in page
    assert f'<option value="{world.school_a1.pk}" selected>局前街小学</option>' in page
    assert f'<option value="{world.school_a2.pk}">第二十四中学</option>' in page and "西横街小学" not in page
