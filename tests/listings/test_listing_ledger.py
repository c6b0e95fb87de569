"""The listed-cases ledger, its dashboard, its export and its pages show each role only what its unit
may see: the school its own, a foreign district nothing, education roles never a sensitive case."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from casework.access import listings_visible_to
from casework.models import Listing
from notifications.models import Notification
from tests.factories import Clock, make_hazard, make_listing


@pytest.fixture
def listings(world):
    """A district listing at A1, A2 and B1; a city listing of a sensitive hazard at A1."""
    made = {}
    for key, school in (("a1", "school_a1"), ("a2", "school_a2"), ("b1", "school_b1")):
        clock = Clock()
        hazard = make_hazard(world, state="assigned", major=True, school=school, clock=clock, title=f"重大隐患{key}")
        actor = world.officer_b if school == "school_b1" else world.officer_a
        officer = {"supervising_officer_id": actor.pk}
        made[key] = make_listing(world, hazard, clock=clock, actor=actor, **officer)
    clock = Clock()
    secret = make_hazard(world, state="assigned", major=True, sensitive=True, clock=clock, title="涉密重大隐患")
    made["secret"] = make_listing(world, secret, level="city", clock=clock)
    return made


EXPECTED = {
    "staff_a1": {"a1"},
    "staff_a2": {"a2"},
    "staff_b1": {"b1"},
    "police_a1": {"a1", "secret"},
    "police_a2": {"a2"},
    "police_b1": {"b1"},
    "officer_a": {"a1", "a2"},
    "officer_b": {"b1"},
    "supervisor_a": {"a1", "a2"},
    "supervisor_b": {"b1"},
    "supervisor_city": {"a1", "a2", "b1"},
    "party_a": set(),
    "party_b": set(),
    "city_admin": {"a1", "a2", "b1", "secret"},
    "auditor": {"a1", "a2", "b1", "secret"},
}


def keys_of(listings, pks):
    return {key for key, listing in listings.items() if listing.pk in pks}


@pytest.mark.parametrize(("user", "expected"), EXPECTED.items())
def test_the_listed_ledger_shows_each_role_the_cases_of_its_unit(world, listings, client, user, expected):
    client.force_login(world.users[user])
    response = client.get("/listings/")
    assert response.status_code == 200
    shown = {row.listing.pk for row in response.context["page"]}
    assert keys_of(listings, shown) == expected
    assert keys_of(listings, set(listings_visible_to(world.users[user]).values_list("pk", flat=True))) == expected
    page = response.content.decode()
    for key, listing in listings.items():
        assert (f'data-listing="{listing.pk}"' in page) == (key in expected)


@pytest.mark.parametrize(("user", "expected"), EXPECTED.items())
def test_the_excel_export_holds_exactly_what_the_ledger_shows(world, listings, client, user, expected):
    client.force_login(world.users[user])
    response = client.get("/listings/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    header, *rows = list(sheet.values)
    assert header[0] == "编号" and header[2] == "隐患名称"
    assert keys_of(listings, {row[0] for row in rows}) == expected
    if user not in ("police_a1", "city_admin", "auditor"):
        assert all("涉密" not in (row[2] or "") for row in rows)


@pytest.mark.parametrize("user", ["staff_a2", "staff_b1", "officer_b", "supervisor_b", "party_a", "police_b1"])
def test_a_listing_outside_the_users_unit_is_not_found(world, listings, client, user):
    client.force_login(world.users[user])
    assert client.get(listings["a1"].get_absolute_url()).status_code == 404


@pytest.mark.parametrize("user", ["staff_a1", "officer_a", "supervisor_a", "supervisor_city", "police_b1"])
def test_a_sensitive_listing_is_not_found_by_education_roles(world, listings, client, user):
    client.force_login(world.users[user])
    assert client.get(listings["secret"].get_absolute_url()).status_code == 404


def test_the_dashboard_counts_active_listings_by_district_and_level(world, listings, client):
    client.force_login(world.city_admin)
    summary = client.get("/listings/").context["summary"]
    lines = {(line.district, line.level): line.active for line in summary.lines}
    assert lines == {("天宁区", "区级"): 2, ("天宁区", "市级"): 1, ("钟楼区", "区级"): 1}
    assert summary.total.active == 4


def test_the_school_reports_progress_through_its_page_and_a_foreign_school_cannot(world, listings, client):
    listing = listings["a1"]
    client.force_login(world.staff_b1)
    response = client.post(f"/listings/{listing.pk}/progress/", {"work_done": "外校", "percent_complete": "10"})
    assert response.status_code == 404
    client.force_login(world.staff_a1)
    response = client.post(f"/listings/{listing.pk}/progress/", {"work_done": "已拆除", "percent_complete": "40"})
    assert response.status_code == 302
    assert listing.progress_reports.get().percent_complete == 40


def test_a_refused_progress_report_keeps_what_was_typed_and_says_why_in_chinese(world, listings, client):
    listing = listings["a1"]
    client.force_login(world.staff_a1)
    response = client.post(f"/listings/{listing.pk}/progress/", {"work_done": "已拆除一半", "percent_complete": "150"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "完成比例应为 0 至 100 的整数" in page and "已拆除一半" in page
    assert not listing.progress_reports.exists()


def test_the_district_officer_lists_a_hazard_through_the_form(world, client):
    clock = Clock()
    hazard = make_hazard(world, state="assigned", major=True, clock=clock)
    client.force_login(world.officer_a)
    form = client.get(f"/listings/new/?hazard={hazard.pk}")
    assert form.status_code == 200 and "挂牌督办重大隐患" in form.content.decode()
    data = {
        "hazard": hazard.pk,
        "level": "district",
        "decision_number": "天教督〔2026〕1号",
        "listed_on": clock.now.date().isoformat(),
        "required_by": "2099-12-31",
        "measures": "拆除",
        "responsible_person": "王主任",
        "funding": "20 万元",
        "contingency_plan": "封闭",
        "supervising_officer": world.officer_a.pk,
        "progress_interval_days": "7",
    }
    response = client.post("/listings/new/", data)
    listing = Listing.objects.get(hazard=hazard)
    assert response.status_code == 302 and response["Location"] == listing.get_absolute_url()
    assert Notification.objects.filter(event="listing.listed", recipient=world.staff_a1).exists()


@pytest.mark.parametrize("user", ["staff_a1", "supervisor_a", "auditor", "police_a1", "party_a"])
def test_roles_without_listing_authority_cannot_open_the_listing_form(world, client, user):
    client.force_login(world.users[user])
    assert client.get("/listings/new/").status_code == 403


def test_a_foreign_hazard_cannot_be_listed_through_the_form(world, client):
    clock = Clock()
    hazard = make_hazard(world, state="assigned", major=True, school="school_b1", clock=clock)
    client.force_login(world.officer_a)
    response = client.post("/listings/new/", {"hazard": hazard.pk, "level": "district"})
    assert response.status_code == 400
    assert not Listing.objects.exists()


def test_delisting_through_the_page_is_offered_only_after_verification_and_refused_before(world, listings, client):
    listing = listings["a1"]
    client.force_login(world.officer_a)
    page = client.get(listing.get_absolute_url())
    assert page.context["can_remind"] and not page.context["can_delist"]
    response = client.post(
        f"/listings/{listing.pk}/delist/",
        {"decision_number": "天教摘〔2026〕1号", "delisted_on": "2026-01-01", "reason": "已整改"},
    )
    assert response.status_code == 400
    assert "须经验收销号后才能摘牌" in response.content.decode()
    listing.refresh_from_db()
    assert listing.state == "active"


def test_the_authority_sends_a_reminder_through_the_page_and_the_school_cannot(world, listings, client):
    listing = listings["a1"]
    client.force_login(world.staff_a1)
    assert not client.get(listing.get_absolute_url()).context["can_remind"]
    with_refusal = client.post(f"/listings/{listing.pk}/remind/", {"message": "学校自己催办"})
    assert with_refusal.status_code == 400 and not listing.reminders.exists()
    client.force_login(world.officer_a)
    assert client.post(f"/listings/{listing.pk}/remind/", {"message": "请加快进度"}).status_code == 302
    assert listing.reminders.count() == 1
