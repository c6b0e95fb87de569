"""Campaigns, inspections and school returns × every role × an own, a foreign and a sensitive object
(for inspections: an unannounced visit not yet recorded; for returns: one with sensitive notes):
the expected status, nothing changed by a refusal, and a refused body that tells nothing."""

import pytest

from casework.models import Campaign, Inspection, InspectionResult, SchoolReturn
from tests.api.builders import ROLES, plan_inspection, school_return
from tests.api.conftest import client_for
from tests.factories import FULL_POLICE_PART, FULL_SCHOOL_PART, checklist_item, make_campaign

INSPECTORS = "督学 王老师"  # what plan_inspection writes into every inspection
SECRET_NOTE = "某涉校人员近期情绪异常（涉密）"

# Inspections: own (announced, school A1), foreign (school B1), hidden (an unannounced visit planned by the city).
INSPECTION_VISIBLE = {
    "staff_a1": {"own"},
    "police_a1": {"own"},
    "officer_a": {"own"},
    "supervisor_a": {"own"},
    "party_a": set(),
    "city_admin": {"own", "foreign", "hidden"},
    "auditor": {"own", "foreign", "hidden"},
}
# Who may record the results, by inspection.
RECORDERS = {"own": {"officer_a", "supervisor_a", "city_admin"}, "foreign": {"city_admin"}, "hidden": {"city_admin"}}
# Who may plan one at that school in that way.
PLANNERS = {
    "own": {"officer_a", "supervisor_a", "city_admin"},
    "foreign": {"city_admin"},
    "hidden": {"supervisor_a", "city_admin"},
}
INSPECTION_KINDS = {
    "own": ("school_a1", "supervision_inspection"),
    "foreign": ("school_b1", "supervision_inspection"),
    "hidden": ("school_a1", "unannounced_visit"),
}


def make_inspection(world, campaign, kind):
    school, how = INSPECTION_KINDS[kind]
    actor = world.supervisor_city if kind == "hidden" else None
    return plan_inspection(world, campaign, school=school, kind=how, actor=actor)


def inspection_state(inspection):
    row = Inspection.objects.filter(pk=inspection.pk).values().get()
    return row, inspection.history.count(), InspectionResult.objects.filter(inspection=inspection).count()


def results():
    return [{"item": checklist_item("门前是否设置硬质防冲撞设施").pk, "outcome": "pass"}]


def assert_error_shape_without(response, *secrets):
    body = response.content.decode()
    for secret in secrets:
        assert secret not in body
    assert set(response.json()) == {"code", "message", "fields"}


def test_campaigns_are_read_by_every_role_of_the_city_and_cannot_be_written(world):
    campaign = make_campaign(world)
    count = Campaign.objects.count()
    for role in ROLES:
        client = client_for(world.users[role])
        listed = client.get("/api/campaigns/")
        assert listed.status_code == 200
        assert [row["id"] for row in listed.json()["results"]] == [campaign.pk], role
        assert client.get(f"/api/campaigns/{campaign.pk}/").json()["name"] == campaign.name
        assert client.post("/api/campaigns/", {"name": "x"}, format="json").status_code == 405
    assert Campaign.objects.count() == count


def test_each_inspection_is_seen_exactly_by_those_who_may_see_it(world):
    campaign = make_campaign(world)
    inspections = {kind: make_inspection(world, campaign, kind) for kind in INSPECTION_KINDS}
    mismatches = []
    for role in ROLES:
        client = client_for(world.users[role])
        listed = {row["id"] for row in client.get("/api/inspections/").json()["results"]}
        if listed != {inspections[k].pk for k in INSPECTION_VISIBLE[role]}:
            mismatches.append((role, "list", listed))
        for kind, inspection in inspections.items():
            response = client.get(f"/api/inspections/{inspection.pk}/")
            want = 200 if kind in INSPECTION_VISIBLE[role] else 404
            if response.status_code != want:
                mismatches.append((role, kind, response.status_code, want))
            elif want == 404:
                assert_error_shape_without(response, INSPECTORS, "unannounced")
    assert mismatches == []


def test_recording_an_inspection_answers_every_role_on_own_foreign_and_hidden_inspections(world):
    campaign = make_campaign(world)
    mismatches = []
    for role in ROLES:
        for kind in INSPECTION_KINDS:
            inspection = make_inspection(world, campaign, kind)
            before = inspection_state(inspection)
            response = client_for(world.users[role]).post(
                f"/api/inspections/{inspection.pk}/record/",
                {"results": results(), "summary": "检查完毕"},
                format="json",
            )
            want = 404 if kind not in INSPECTION_VISIBLE[role] else 200 if role in RECORDERS[kind] else 403
            if response.status_code != want:
                mismatches.append((role, kind, response.status_code, want, response.content.decode()[:200]))
                continue
            if want == 200:
                assert Inspection.objects.get(pk=inspection.pk).status == "recorded"
                continue
            assert inspection_state(inspection) == before, (role, kind)
            assert_error_shape_without(response, INSPECTORS)
            assert response.json()["code"] == ("not_found" if want == 404 else "forbidden_role")
    assert mismatches == []


def test_planning_an_inspection_answers_every_role_for_each_school_and_kind(world):
    campaign = make_campaign(world)
    mismatches = []
    for role in ROLES:
        for kind, (school, how) in INSPECTION_KINDS.items():
            count = Inspection.objects.count()
            body = {
                "campaign": campaign.pk,
                "school": world.units[school].pk,
                "kind": how,
                "inspectors": INSPECTORS,
                "inspected_on": "2026-01-05",
                "key_places": ["gate"],
            }
            response = client_for(world.users[role]).post("/api/inspections/", body, format="json")
            want = 201 if role in PLANNERS[kind] else 403
            if response.status_code != want:
                mismatches.append((role, kind, response.status_code, want, response.content.decode()[:200]))
            elif want == 403:
                assert Inspection.objects.count() == count
                assert response.json()["code"] in {"forbidden_role", "out_of_scope"}
                assert set(response.json()) == {"code", "message", "fields"}
            else:
                assert Inspection.objects.get(pk=response.json()["id"]).created_by == world.users[role]
    assert mismatches == []


# Returns: own (school A1), foreign (school B1), sensitive (school A1, with sensitive notes).
RETURN_VISIBLE = {
    "staff_a1": {"own", "sensitive"},
    "police_a1": {"own", "sensitive"},
    "officer_a": {"own", "sensitive"},
    "supervisor_a": {"own", "sensitive"},
    "party_a": set(),
    "city_admin": {"own", "foreign", "sensitive"},
    "auditor": {"own", "foreign", "sensitive"},
}
SEES_SENSITIVE_NOTES = {"police_a1", "city_admin", "auditor"}


def make_returns(world, *, submitted: bool):
    """Three campaigns (one return per school per campaign): own and sensitive at A1, foreign at B1."""
    made = {}
    for kind, school in (("own", "school_a1"), ("foreign", "school_b1"), ("sensitive", "school_a1")):
        campaign = make_campaign(world, name=f"专项整治-{kind}")
        made[kind] = school_return(
            world,
            campaign,
            school=school,
            submitted=submitted,
            sensitive_notes=SECRET_NOTE if kind == "sensitive" else "",
        )
    return made


def return_state(obj):
    return SchoolReturn.objects.filter(pk=obj.pk).values().get(), obj.history.count()


def test_each_return_is_seen_exactly_by_those_who_may_see_it_and_sensitive_notes_only_by_the_police_side(world):
    returns = make_returns(world, submitted=True)
    mismatches = []
    for role in ROLES:
        client = client_for(world.users[role])
        listed = {row["id"] for row in client.get("/api/school-returns/").json()["results"]}
        if listed != {returns[k].pk for k in RETURN_VISIBLE[role]}:
            mismatches.append((role, "list", listed))
        for kind, obj in returns.items():
            response = client.get(f"/api/school-returns/{obj.pk}/")
            want = 200 if kind in RETURN_VISIBLE[role] else 404
            if response.status_code != want:
                mismatches.append((role, kind, response.status_code, want))
                continue
            shows_note = SECRET_NOTE in response.content.decode()
            if shows_note != (want == 200 and kind == "sensitive" and role in SEES_SENSITIVE_NOTES):
                mismatches.append((role, kind, "sensitive notes shown" if shows_note else "notes missing"))
        page = client.get("/api/school-returns/").content.decode()
        if (SECRET_NOTE in page) != (role in SEES_SENSITIVE_NOTES):
            mismatches.append((role, "list", "sensitive notes"))
    assert mismatches == []


RETURN_ACTIONS = {
    # action → (the return's state before, body, who may: own / foreign / sensitive)
    "submit": (False, lambda: dict(FULL_SCHOOL_PART), {"own": "staff_a1", "foreign": None, "sensitive": "staff_a1"}),
    "confirm": (True, lambda: dict(FULL_POLICE_PART), {"own": "police_a1", "foreign": None, "sensitive": "police_a1"}),
}


@pytest.mark.parametrize("action", list(RETURN_ACTIONS))
def test_each_return_action_answers_every_role_on_own_foreign_and_sensitive_returns(world, action):
    submitted, body, allowed = RETURN_ACTIONS[action]
    mismatches = []
    for role in ROLES:
        returns = make_returns(world, submitted=submitted)
        for kind, obj in returns.items():
            before = return_state(obj)
            response = client_for(world.users[role]).post(
                f"/api/school-returns/{obj.pk}/{action}/", body(), format="json"
            )
            want = 404 if kind not in RETURN_VISIBLE[role] else 200 if allowed[kind] == role else 403
            if response.status_code != want:
                mismatches.append((role, kind, response.status_code, want, response.content.decode()[:200]))
                continue
            if want == 200:
                assert response.json()["status"] == ("submitted" if action == "submit" else "confirmed")
                continue
            assert return_state(obj) == before, (role, kind)
            assert_error_shape_without(response, SECRET_NOTE, FULL_SCHOOL_PART["work_report"])
            assert response.json()["code"] in ({"not_found"} if want == 404 else {"forbidden_role", "out_of_scope"})
    assert mismatches == []
