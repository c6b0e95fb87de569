"""Campaigns, inspections and school returns through the API: an unannounced visit stays unknown to the
school until recorded, a conducted inspection turns each failed item into one hazard, and a return goes
from the school to its own police station."""

from django.utils import timezone

from casework.models import Hazard, Inspection, SchoolReturn
from tests.api.builders import plan_inspection, school_return
from tests.api.conftest import client_for
from tests.factories import FULL_POLICE_PART, FULL_SCHOOL_PART, checklist_item, make_campaign


def item(text):
    return checklist_item(text).pk


def test_an_unannounced_visit_appears_to_the_school_only_once_recorded(world):
    campaign = make_campaign(world)
    visit = plan_inspection(world, campaign, kind="unannounced_visit", actor=world.supervisor_city)
    school = client_for(world.staff_a1)
    assert school.get(f"/api/inspections/{visit.pk}/").status_code == 404
    assert visit.pk not in {r["id"] for r in school.get("/api/inspections/").json()["results"]}
    assert school.get("/api/inspections/", {"kind": "unannounced_visit"}).json()["results"] == []

    recorded = client_for(world.supervisor_city).post(
        f"/api/inspections/{visit.pk}/record/",
        {"results": [{"item": item("门前是否设置硬质防冲撞设施"), "outcome": "fail", "note": "无防冲撞设施"}]},
        format="json",
    )
    assert recorded.status_code == 200, recorded.content
    assert recorded.json()["status"] == "recorded"

    detail = school.get(f"/api/inspections/{visit.pk}/")
    assert detail.status_code == 200
    assert detail.json()["results"][0]["note"] == "无防冲撞设施"
    hazard = Hazard.objects.get(pk=detail.json()["results"][0]["hazard"])
    assert (hazard.school_id, hazard.state) == (world.school_a1.pk, "reported")


def test_a_self_inspection_with_results_is_conducted_in_one_request_and_each_failure_is_one_hazard(world):
    campaign = make_campaign(world)
    count = Hazard.objects.count()
    body = {
        "campaign": campaign.pk,
        "school": world.school_a1.pk,
        "kind": "self_inspection",
        "inspectors": "安全员",
        "inspected_on": timezone.localdate().isoformat(),
        "key_places": ["gate"],
        "summary": "自查",
        "results": [
            {"item": item("门前是否设置硬质防冲撞设施"), "outcome": "fail", "note": "缺少防冲撞设施"},
            {"item": item("疏散通道是否畅通"), "outcome": "pass"},
        ],
    }
    response = client_for(world.staff_a1).post("/api/inspections/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "recorded"
    assert Hazard.objects.count() == count + 1
    assert len(response.json()["results"]) == 2


def test_a_failed_item_without_a_note_is_refused_and_records_nothing(world):
    campaign = make_campaign(world)
    inspection = plan_inspection(world, campaign)
    count = Hazard.objects.count()
    response = client_for(world.supervisor_a).post(
        f"/api/inspections/{inspection.pk}/record/",
        {"results": [{"item": item("门前是否设置硬质防冲撞设施"), "outcome": "fail"}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_value"
    assert response.json()["fields"]
    assert Inspection.objects.get(pk=inspection.pk).status == "planned"
    assert Hazard.objects.count() == count


def test_recording_twice_is_a_conflict(world):
    campaign = make_campaign(world)
    inspection = plan_inspection(world, campaign)
    body = {"results": [{"item": item("门前是否设置硬质防冲撞设施"), "outcome": "pass"}]}
    client = client_for(world.supervisor_a)
    assert client.post(f"/api/inspections/{inspection.pk}/record/", body, format="json").status_code == 200
    again = client.post(f"/api/inspections/{inspection.pk}/record/", body, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "wrong_state"


def test_the_school_submits_and_its_own_station_confirms_its_return(world):
    campaign = make_campaign(world)
    obj = school_return(world, campaign)
    submitted = client_for(world.staff_a1).post(
        f"/api/school-returns/{obj.pk}/submit/", FULL_SCHOOL_PART, format="json"
    )
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["principal_name"] == "张校长"
    police = client_for(world.police_a1)
    assert police.get(f"/api/school-returns/{obj.pk}/").json()["available_actions"] == ["confirm"]
    confirmed = police.post(
        f"/api/school-returns/{obj.pk}/confirm/", FULL_POLICE_PART | {"sensitive_notes": "涉密"}, format="json"
    )
    assert confirmed.status_code == 200, confirmed.content
    stored = SchoolReturn.objects.get(pk=obj.pk)
    assert (stored.status, stored.confirmed_by, stored.sensitive_notes) == ("confirmed", world.police_a1, "涉密")
    assert client_for(world.staff_a1).get(f"/api/school-returns/{obj.pk}/").json()["sensitive_notes"] is None


def test_a_return_missing_required_answers_is_refused_with_each_field_named(world):
    campaign = make_campaign(world)
    obj = school_return(world, campaign)
    response = client_for(world.staff_a1).post(
        f"/api/school-returns/{obj.pk}/submit/", {"task_force_established": "yes"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "missing_field"
    assert "principal_name" in response.json()["fields"]
    assert SchoolReturn.objects.get(pk=obj.pk).status == "draft"


def test_the_school_cannot_send_the_police_part(world):
    campaign = make_campaign(world)
    obj = school_return(world, campaign)
    response = client_for(world.staff_a1).post(
        f"/api/school-returns/{obj.pk}/submit/", FULL_SCHOOL_PART | {"police_chief_name": "冒名"}, format="json"
    )
    assert response.status_code == 400
    assert "police_chief_name" in response.json()["fields"]
    assert SchoolReturn.objects.get(pk=obj.pk).police_chief_name == ""


def test_an_invalid_choice_in_a_return_is_refused_in_the_error_shape(world):
    campaign = make_campaign(world)
    obj = school_return(world, campaign)
    response = client_for(world.staff_a1).post(
        f"/api/school-returns/{obj.pk}/submit/", FULL_SCHOOL_PART | {"leader_on_duty": "maybe"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"code", "message", "fields"}
    assert "leader_on_duty" in response.json()["fields"]
    assert SchoolReturn.objects.get(pk=obj.pk).status == "draft"
