"""Idempotency-Key on the listing, inspection and return creates and actions: a retry performs once and
answers the same; the same key with another body is a 422 and changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from casework.models import Hazard, Inspection, Listing, ListingProgressReport, ListingReminder, SchoolReturn
from tests.api.builders import listed, school_return
from tests.api.conftest import client_for
from tests.factories import FULL_POLICE_PART, FULL_SCHOOL_PART, checklist_item, make_campaign, make_hazard, photo


def send_twice(client, url, body, *, fmt="json", key="retry-1"):
    first = client.post(url, body(), format=fmt, HTTP_IDEMPOTENCY_KEY=key)
    second = client.post(url, body(), format=fmt, HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == second.status_code
    assert first.status_code in (200, 201), first.content
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    return first


def test_a_retried_listing_creates_one_listing(world):
    hazard = make_hazard(world, state="assigned", major=True)
    today = timezone.localdate()
    body = lambda: {
        "hazard": hazard.pk,
        "level": "district",
        "decision_number": "常教督〔2026〕1号",
        "listed_on": today.isoformat(),
        "required_by": (today + timedelta(days=30)).isoformat(),
        "measures": "拆除",
        "responsible_person": "李校长",
        "funding": "专项",
        "contingency_plan": "封闭",
        "supervising_officer": world.officer_a.pk,
    }
    send_twice(client_for(world.officer_a), "/api/listings/", body)
    assert Listing.objects.filter(hazard=hazard).count() == 1


def test_a_retried_progress_report_with_evidence_is_stored_once(world):
    listing = listed(world, "own")
    send_twice(
        client_for(world.staff_a1),
        f"/api/listings/{listing.pk}/progress/",
        lambda: {"work_done": "已拆除", "percent_complete": 40, "evidence": [photo()]},
        fmt="multipart",
    )
    assert ListingProgressReport.objects.filter(listing=listing).count() == 1
    assert listing.hazard.evidence.filter(transition__name="listing_progress").count() == 1


def test_a_retried_reminder_is_sent_once(world):
    listing = listed(world, "own")
    send_twice(client_for(world.officer_a), f"/api/listings/{listing.pk}/remind/", lambda: {"message": "请加快"})
    assert ListingReminder.objects.filter(listing=listing).count() == 1


def test_a_retried_delisting_answers_the_first_success_not_a_conflict(world):
    listing = listed(world, "own", state="verified")
    body = lambda: {
        "decision_number": "摘牌1号",
        "delisted_on": timezone.localdate().isoformat(),
        "reason": "验收合格",
    }
    first = send_twice(client_for(world.officer_a), f"/api/listings/{listing.pk}/delist/", body)
    assert first.json()["state"] == "delisted"
    assert listing.hazard.transitions.filter(name="delist").count() == 1


def test_a_retried_inspection_plan_and_record_happen_once(world):
    campaign = make_campaign(world)
    client = client_for(world.supervisor_a)
    body = lambda: {
        "campaign": campaign.pk,
        "school": world.school_a1.pk,
        "kind": "supervision_inspection",
        "inspectors": "督学",
        "inspected_on": timezone.localdate().isoformat(),
    }
    count = Inspection.objects.count()
    planned = send_twice(client, "/api/inspections/", body, key="plan-1")
    assert Inspection.objects.count() == count + 1
    hazards = Hazard.objects.count()
    record = lambda: {
        "results": [
            {
                "item": checklist_item("门前是否设置硬质防冲撞设施").pk,
                "outcome": "fail",
                "note": "无防冲撞设施",
            }
        ]
    }
    send_twice(client, f"/api/inspections/{planned.json()['id']}/record/", record, key="record-1")
    assert Hazard.objects.count() == hazards + 1


def test_a_retried_return_submission_and_confirmation_happen_once(world):
    campaign = make_campaign(world)
    obj = school_return(world, campaign)
    send_twice(client_for(world.staff_a1), f"/api/school-returns/{obj.pk}/submit/", lambda: dict(FULL_SCHOOL_PART))
    send_twice(client_for(world.police_a1), f"/api/school-returns/{obj.pk}/confirm/", lambda: dict(FULL_POLICE_PART))
    stored = SchoolReturn.objects.get(pk=obj.pk)
    assert stored.status == "confirmed"
    assert stored.history.filter(history_change_reason="return_submit").count() == 1
    assert stored.history.filter(history_change_reason="return_confirm").count() == 1


@pytest.mark.parametrize("other", ["remind", "delist"])
def test_the_same_key_on_another_listing_action_is_a_422_and_changes_nothing(world, other):
    listing = listed(world, "own")
    client = client_for(world.officer_a)
    client.post(f"/api/listings/{listing.pk}/remind/", {"message": "请加快"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    body = (
        {"message": "再次催办"}
        if other == "remind"
        else {"decision_number": "x", "reason": "y", "delisted_on": timezone.localdate().isoformat()}
    )
    response = client.post(f"/api/listings/{listing.pk}/{other}/", body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert ListingReminder.objects.filter(listing=listing).count() == 1
    assert Listing.objects.get(pk=listing.pk).state == "active"


def test_a_refused_listing_action_is_not_stored_so_a_corrected_retry_with_the_key_runs(world):
    listing = listed(world, "own")
    client = client_for(world.staff_a1)
    url = f"/api/listings/{listing.pk}/progress/"
    refused = client.post(url, {"work_done": "", "percent_complete": 10}, format="json", HTTP_IDEMPOTENCY_KEY="p")
    assert refused.status_code == 400
    accepted = client.post(
        url, {"work_done": "已拆除", "percent_complete": 10}, format="json", HTTP_IDEMPOTENCY_KEY="p"
    )
    assert accepted.status_code == 201
    assert ListingProgressReport.objects.filter(listing=listing).count() == 1
