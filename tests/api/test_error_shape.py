"""One error shape everywhere; a refused transition keeps the service's code and Chinese reason."""

from datetime import timedelta

from django.utils import timezone

from casework.errors import TransitionRefused
from casework.services import transitions as svc
from tests.api.conftest import client_for
from tests.factories import make_hazard


def service_refusal(call) -> TransitionRefused:
    try:
        call()
    except TransitionRefused as refusal:
        return refusal
    raise AssertionError("the service did not refuse")


def test_a_wrong_state_is_409_with_the_services_own_message(world):
    hazard = make_hazard(world, state="verified")
    expected = service_refusal(
        lambda: svc.hazard_reject(
            hazard_id=hazard.pk, actor=world.supervisor_city, reason="x", occurred_at=timezone.now()
        )
    )
    response = client_for(world.supervisor_city).post(
        f"/api/hazards/{hazard.pk}/reject/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 409
    assert response.json() == {"code": "wrong_state", "message": expected.message, "fields": {}}
    assert "已验收销号" in response.json()["message"]


def test_missing_plan_points_of_a_major_hazard_are_400_with_field_errors(world):
    hazard = make_hazard(world, state="reported", major=True)
    body = {
        "responsible_person": "王主任",
        "measures": "加固",
        "deadline": (timezone.localdate() + timedelta(days=9)).isoformat(),
    }
    response = client_for(world.officer_a).post(f"/api/hazards/{hazard.pk}/assign/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "missing_field"
    assert set(response.json()["fields"]) == {"funding", "contingency_plan"}
    assert response.json()["message"] == "缺少必填内容：整改资金、应急预案。"


def test_escalating_without_temporary_measures_is_409(world):
    hazard = make_hazard(world, state="assigned")
    response = client_for(world.officer_a).post(f"/api/hazards/{hazard.pk}/escalate/", {"reason": "难"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "missing_temporary_measures"
    assert "temporary_measures" in response.json()["fields"]


def test_a_future_occurrence_time_is_400_invalid_time(world):
    hazard = make_hazard(world, state="reported")
    future = (timezone.now() + timedelta(days=2)).isoformat()
    response = client_for(world.officer_a).post(
        f"/api/hazards/{hazard.pk}/close-invalid/", {"reason": "重复", "occurred_at": future}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_time",
        "message": "发生时间不能晚于当前时间。",
        "fields": {"occurred_at": "不能是将来的时间"},
    }


def test_a_malformed_value_is_400_invalid_with_the_field_named(world):
    hazard = make_hazard(world, state="reported")
    response = client_for(world.officer_a).post(
        f"/api/hazards/{hazard.pk}/assign/", {"deadline": "明天"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["fields"]) == ["deadline"]


def test_an_evidence_file_that_is_not_an_image_is_400_and_stores_nothing(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    hazard = make_hazard(world, state="assigned")
    fake = SimpleUploadedFile("fix.png", b"MZ not an image", content_type="image/png")
    response = client_for(world.staff_a1).post(
        f"/api/hazards/{hazard.pk}/report-rectified/", {"description": "好了", "evidence": [fake]}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_value"
    assert hazard.evidence.count() == 0


def test_unknown_api_paths_and_methods_answer_in_the_error_shape(world):
    client = client_for(world.officer_a)
    missing = client.get("/api/no-such-thing/")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    hazard = make_hazard(world)
    not_allowed = client.delete(f"/api/hazards/{hazard.pk}/")
    assert not_allowed.status_code == 405
    assert not_allowed.json() == {"code": "method_not_allowed", "message": "不支持该请求方法。", "fields": {}}
    read_only = client.post(f"/api/hazards/{hazard.pk}/transitions/")
    assert read_only.status_code == 405


def test_the_schema_and_the_docs_are_served(world, client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/hazards/{id}/record-temporary-measures/" in paths
    assert "409" in paths["/api/hazards/{id}/verify/"]["post"]["responses"]
    assert client.get("/api/docs/").status_code == 200
