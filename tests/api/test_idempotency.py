"""Idempotency-Key: a retried request performs the action once and returns the same response."""

from datetime import timedelta

from django.utils import timezone

from casework.api import idempotency
from casework.api.models import IdempotencyRecord
from casework.models import Hazard, HazardTransition
from tests.api.conftest import client_for
from tests.factories import make_hazard, photo


def plan():
    return {
        "responsible_person": "王主任",
        "measures": "清理通道",
        "deadline": (timezone.localdate() + timedelta(days=20)).isoformat(),
    }


def test_a_retried_transition_is_performed_once_and_answers_the_same(world):
    hazard = make_hazard(world, state="reported")
    client = client_for(world.officer_a)
    first = client.post(f"/api/hazards/{hazard.pk}/assign/", plan(), format="json", HTTP_IDEMPOTENCY_KEY="k-assign-1")
    second = client.post(f"/api/hazards/{hazard.pk}/assign/", plan(), format="json", HTTP_IDEMPOTENCY_KEY="k-assign-1")
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert HazardTransition.objects.filter(hazard=hazard, name="assign").count() == 1


def test_without_the_key_a_repeated_transition_is_refused_as_wrong_state(world):
    hazard = make_hazard(world, state="reported")
    client = client_for(world.officer_a)
    assert client.post(f"/api/hazards/{hazard.pk}/assign/", plan(), format="json").status_code == 200
    again = client.post(f"/api/hazards/{hazard.pk}/assign/", plan(), format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "wrong_state"


def test_a_retried_report_with_evidence_creates_one_hazard(world):
    client = client_for(world.staff_a1)
    body = lambda: {
        "school": world.school_a1.pk,
        "title": "楼梯扶手松动",
        "description": "三楼扶手松动",
        "category": "building",
        "key_place": "teaching_building",
        "evidence": [photo()],
    }
    count = Hazard.objects.count()
    first = client.post("/api/hazards/", body(), format="multipart", HTTP_IDEMPOTENCY_KEY="report-1")
    second = client.post("/api/hazards/", body(), format="multipart", HTTP_IDEMPOTENCY_KEY="report-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert Hazard.objects.count() == count + 1
    assert Hazard.objects.get(pk=first.json()["id"]).evidence.count() == 1


def test_the_same_key_with_another_body_is_a_422_conflict_and_changes_nothing(world):
    hazard = make_hazard(world, state="reported")
    client = client_for(world.officer_a)
    client.post(f"/api/hazards/{hazard.pk}/assign/", plan(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    other = client.post(
        f"/api/hazards/{hazard.pk}/close-invalid/", {"reason": "重复"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert Hazard.objects.get(pk=hazard.pk).state == "assigned"


def test_a_refused_request_is_not_stored_so_a_corrected_retry_with_the_key_runs(world):
    hazard = make_hazard(world, state="reported")
    client = client_for(world.officer_a)
    refused = client.post(
        f"/api/hazards/{hazard.pk}/assign/", {"measures": "清理"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2"
    )
    assert refused.status_code == 400
    assert not IdempotencyRecord.objects.filter(key="k-2").exists()
    accepted = client.post(f"/api/hazards/{hazard.pk}/assign/", plan(), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert accepted.status_code == 200


def test_keys_belong_to_one_user(world):
    hazard = make_hazard(world, state="rectified")
    client_for(world.officer_a).post(
        f"/api/hazards/{hazard.pk}/change-deadline/",
        {"deadline": plan()["deadline"], "reason": "重排"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="shared",
    )
    verified = client_for(world.supervisor_a).post(
        f"/api/hazards/{hazard.pk}/verify/", {"result": "好"}, format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    assert verified.status_code == 200
    assert verified.json()["state"] == "verified"


def test_a_concurrent_duplicate_that_loses_the_insert_replays_the_winner(world, monkeypatch):
    # The loser looked before the winner committed: it saw no record, then its insert hit the
    # unique constraint. Simulate exactly that order: a stored record, and a first look that misses it.
    hazard = make_hazard(world, state="reported")
    client = client_for(world.officer_a)
    first = client.post(f"/api/hazards/{hazard.pk}/assign/", plan(), format="json", HTTP_IDEMPOTENCY_KEY="race")
    real_filter = IdempotencyRecord.objects.filter

    class Missing:
        def first(self):
            return None

    calls = []

    def filter_missing_once(*args, **kwargs):
        calls.append(kwargs)
        return Missing() if len(calls) == 1 else real_filter(*args, **kwargs)

    monkeypatch.setattr(idempotency.IdempotencyRecord.objects, "filter", filter_missing_once)
    second = client.post(f"/api/hazards/{hazard.pk}/assign/", plan(), format="json", HTTP_IDEMPOTENCY_KEY="race")
    assert second.status_code == 200
    assert second.json() == first.json()
    assert HazardTransition.objects.filter(hazard=hazard, name="assign").count() == 1


def test_an_overlong_key_is_refused_in_the_error_shape(world):
    hazard = make_hazard(world, state="reported")
    response = client_for(world.officer_a).post(
        f"/api/hazards/{hazard.pk}/assign/", plan(), format="json", HTTP_IDEMPOTENCY_KEY="x" * 300
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["fields"]
    assert Hazard.objects.get(pk=hazard.pk).state == "reported"
