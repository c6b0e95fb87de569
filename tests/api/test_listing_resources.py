"""The listings resource: the ledger with its filters, one listing, listing a hazard, a progress report with
evidence, a reminder, delisting, and the read-only progress reports and reminders."""

from datetime import timedelta

from django.utils import timezone

from casework.models import Evidence, Listing, ListingProgressReport, ListingReminder
from tests.api.builders import listed
from tests.api.conftest import client_for
from tests.factories import Clock, make_hazard, photo


def listing_body(world, hazard, **overrides):
    today = timezone.localdate()
    return {
        "hazard": hazard.pk,
        "level": "district",
        "decision_number": "常教督〔2026〕7号",
        "listed_on": today.isoformat(),
        "required_by": (today + timedelta(days=30)).isoformat(),
        "measures": "拆除重建",
        "responsible_person": "李校长",
        "funding": "区财政 20 万元",
        "contingency_plan": "封闭区域",
        "supervising_officer": world.officer_a.pk,
        "progress_interval_days": 7,
    } | overrides


def test_the_district_officer_lists_a_major_hazard_through_the_api(world):
    hazard = make_hazard(world, state="assigned", major=True)
    response = client_for(world.officer_a).post("/api/listings/", listing_body(world, hazard), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    listing = Listing.objects.get(pk=body["id"])
    assert (listing.hazard_id, listing.level, listing.state) == (hazard.pk, "district", "active")
    assert body["decision_number"] == "常教督〔2026〕7号"
    assert body["available_actions"] == ["remind"]
    assert hazard.transitions.filter(name="list").exists()


def test_a_general_hazard_cannot_be_listed_and_the_refusal_says_so(world):
    hazard = make_hazard(world, state="assigned")
    response = client_for(world.officer_a).post("/api/listings/", listing_body(world, hazard), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "not_major"
    assert not Listing.objects.filter(hazard=hazard).exists()


def test_listing_the_same_hazard_twice_at_one_level_is_a_conflict(world):
    listing = listed(world, "own")
    response = client_for(world.officer_a).post("/api/listings/", listing_body(world, listing.hazard), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_listing"
    assert Listing.objects.filter(hazard=listing.hazard).count() == 1


def test_the_school_reports_progress_with_evidence_and_reads_it_back(world):
    listing = listed(world, "own")
    client = client_for(world.staff_a1)
    response = client.post(
        f"/api/listings/{listing.pk}/progress/",
        {"work_done": "已完成拆除", "percent_complete": 60, "evidence": [photo()]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    report = ListingProgressReport.objects.get(pk=response.json()["id"])
    assert (report.percent_complete, report.reported_by) == (60, world.staff_a1)
    evidence = Evidence.objects.get(transition=report.transition)
    assert response.json()["evidence"][0]["id"] == evidence.pk
    listed_reports = client.get(f"/api/listings/{listing.pk}/progress-reports/")
    assert listed_reports.status_code == 200
    assert [r["id"] for r in listed_reports.json()] == [report.pk]
    assert client.get(f"/api/evidence/{evidence.pk}/file/").status_code == 200


def test_a_percentage_over_100_is_refused_in_the_error_shape(world):
    listing = listed(world, "own")
    response = client_for(world.staff_a1).post(
        f"/api/listings/{listing.pk}/progress/", {"work_done": "x", "percent_complete": 101}, format="json"
    )
    assert response.status_code == 400
    assert "percent_complete" in response.json()["fields"]
    assert not listing.progress_reports.exists()


def test_the_authority_reminds_and_the_reminder_is_listed(world):
    listing = listed(world, "own")
    response = client_for(world.officer_a).post(
        f"/api/listings/{listing.pk}/remind/", {"message": "请加快进度"}, format="json"
    )
    assert response.status_code == 201
    reminder = ListingReminder.objects.get(pk=response.json()["id"])
    assert reminder.message == "请加快进度"
    rows = client_for(world.staff_a1).get(f"/api/listings/{listing.pk}/reminders/").json()
    assert [r["id"] for r in rows] == [reminder.pk]


def test_delisting_waits_for_verification_then_succeeds(world):
    listing = listed(world, "own", state="rectified")
    body = {
        "decision_number": "常教督〔2026〕9号",
        "delisted_on": timezone.localdate().isoformat(),
        "reason": "验收合格",
    }
    client = client_for(world.officer_a)
    early = client.post(f"/api/listings/{listing.pk}/delist/", body, format="json")
    assert early.status_code == 409
    assert early.json()["code"] == "not_verified"
    verified = listed(world, "own", state="verified", title="已验收重大隐患")
    response = client.post(f"/api/listings/{verified.pk}/delist/", body, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == "delisted"
    assert Listing.objects.get(pk=verified.pk).delisting_decision_number == "常教督〔2026〕9号"


def test_the_ledger_filters_by_level_state_and_district(world):
    own = listed(world, "own")
    foreign = listed(world, "foreign")
    secret = listed(world, "sensitive")
    done = listed(world, "own", state="verified")
    client_for(world.officer_a).post(
        f"/api/listings/{done.pk}/delist/",
        {"decision_number": "文号", "delisted_on": timezone.localdate().isoformat(), "reason": "验收合格"},
        format="json",
    )
    client = client_for(world.city_admin)

    def ids(query):
        response = client.get("/api/listings/", query)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids({}) == {own.pk, foreign.pk, secret.pk, done.pk}
    assert ids({"level": "city"}) == {secret.pk}
    assert ids({"state": "delisted"}) == {done.pk}
    assert ids({"state": "active", "district": world.district_a.pk}) == {own.pk, secret.pk}
    assert ids({"district": world.district_b.pk}) == {foreign.pk}
    bad = client.get("/api/listings/", {"level": "province"})
    assert bad.status_code == 400
    assert "level" in bad.json()["fields"]


def test_the_ledger_pages_with_a_cursor(world):
    made = {listed(world, "own", title=f"重大隐患{i}").pk for i in range(3)}
    client = client_for(world.officer_a)
    first = client.get("/api/listings/", {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    second = client.get(first["next"]).json()
    assert {r["id"] for r in first["results"] + second["results"]} == made
    assert second["next"] is None


def test_the_detail_lists_the_actions_the_user_may_take_now(world):
    listing = listed(world, "own")
    detail = lambda user: client_for(user).get(f"/api/listings/{listing.pk}/").json()
    assert detail(world.staff_a1)["available_actions"] == ["progress"]
    assert detail(world.officer_a)["available_actions"] == ["remind"]
    assert detail(world.auditor)["available_actions"] == []


def test_a_listing_decision_in_the_future_is_refused(world):
    hazard = make_hazard(world, state="assigned", major=True, clock=Clock())
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client_for(world.officer_a).post(
        "/api/listings/", listing_body(world, hazard, listed_on=tomorrow), format="json"
    )
    assert response.status_code == 400
    assert "listed_on" in response.json()["fields"]
    assert not Listing.objects.filter(hazard=hazard).exists()
