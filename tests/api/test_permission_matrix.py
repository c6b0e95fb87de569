"""Every API endpoint × every role × an own, a foreign and a sensitive hazard: the expected status,
nothing changed by a refusal, and a refused body that tells nothing about the hazard."""

from datetime import timedelta

import pytest
from django.utils import timezone

from casework.models import Hazard
from tests.api.builders import DESCRIPTION, ROLES, VISIBLE
from tests.api.conftest import client_for
from tests.factories import make_hazard, photo, snapshot

KINDS = {
    "own": {"school": "school_a1"},
    "foreign": {"school": "school_b1"},
    "sensitive": {"school": "school_a1", "sensitive": True},
}
# The party committee sees only escalated hazards.
VISIBLE_ESCALATED = {**VISIBLE, "party_a": {"own"}}


def later(days):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


# action → (url part, the state it acts from, the body, who may do it on the own / the sensitive hazard)
ACTIONS = {
    "assign": (
        "assign",
        "reported",
        lambda: {"responsible_person": "王主任", "measures": "清理通道", "deadline": later(20)},
        "officer_a",
        "police_a1",
    ),
    "record_temporary_measures": (
        "record-temporary-measures",
        "assigned",
        lambda: {"measures": "设置围挡"},
        "staff_a1",
        "police_a1",
    ),
    "report_rectified": (
        "report-rectified",
        "assigned",
        lambda: {"description": "已清理", "evidence": [photo()]},
        "staff_a1",
        "police_a1",
    ),
    "verify": ("verify", "rectified", lambda: {"result": "整改到位"}, "supervisor_a", "city_admin"),
    "reject": ("reject", "rectified", lambda: {"reason": "仍有杂物"}, "supervisor_a", "city_admin"),
    "escalate": (
        "escalate",
        "assigned",
        lambda: {"reason": "需多部门协调", "temporary_measures": "专人值守"},
        "officer_a",
        "police_a1",
    ),
    "record_coordination": (
        "record-coordination",
        "escalated",
        lambda: {"decision": "住建牵头", "units_charged": "区住建局", "deadline": later(40), "back_to": "assigned"},
        "party_a",
        "city_admin",
    ),
    "close_invalid": ("close-invalid", "reported", lambda: {"reason": "重复上报"}, "officer_a", "police_a1"),
    "change_deadline": (
        "change-deadline",
        "assigned",
        lambda: {"deadline": later(45), "reason": "材料未到货"},
        "officer_a",
        "police_a1",
    ),
}


def expected_status(role, kind, *, allowed_own, allowed_sensitive, escalated=False):
    visible = (VISIBLE_ESCALATED if escalated else VISIBLE)[role]
    if kind not in visible:
        return 404
    allowed = {"own": allowed_own, "sensitive": allowed_sensitive, "foreign": None}[kind]
    return 200 if role == allowed else 403


def assert_tells_nothing(response, hazard):
    body = response.content.decode()
    assert hazard.title not in body
    assert DESCRIPTION not in body
    assert set(response.json()) == {"code", "message", "fields"}


@pytest.mark.parametrize("action", list(ACTIONS))
def test_each_transition_endpoint_answers_every_role_on_own_foreign_and_sensitive_hazards(world, action):
    part, state, body, allowed_own, allowed_sensitive = ACTIONS[action]
    mismatches = []
    for role in ROLES:
        for kind, where in KINDS.items():
            hazard = make_hazard(world, state=state, title=f"矩阵隐患-{action}-{role}-{kind}", **where)
            before = snapshot(hazard)
            fmt = "multipart" if action == "report_rectified" else "json"
            response = client_for(world.users[role]).post(f"/api/hazards/{hazard.pk}/{part}/", body(), format=fmt)
            want = expected_status(
                role, kind, allowed_own=allowed_own, allowed_sensitive=allowed_sensitive, escalated=state == "escalated"
            )
            if response.status_code != want:
                mismatches.append((role, kind, response.status_code, want, response.content.decode()[:200]))
                continue
            if want == 200:
                assert Hazard.objects.get(pk=hazard.pk).transitions.filter(name=action).exists()
            else:
                assert snapshot(hazard) == before, (role, kind)
                assert_tells_nothing(response, hazard)
                assert response.json()["code"] == ("not_found" if want == 404 else response.json()["code"])
                if want == 403:
                    assert response.json()["code"] in {"forbidden_role", "out_of_scope"}
    assert mismatches == []


READS = ["", "transitions/", "history/"]


@pytest.mark.parametrize("part", READS)
def test_each_read_endpoint_shows_a_hazard_exactly_to_those_who_may_see_it(world, part):
    hazards = {
        kind: make_hazard(world, state="rectified", title=f"只读隐患-{kind}", **where) for kind, where in KINDS.items()
    }
    escalated = make_hazard(world, state="escalated", title="只读隐患-已提请协调")
    mismatches = []
    for role in ROLES:
        client = client_for(world.users[role])
        cases = [(kind, hazard, VISIBLE) for kind, hazard in hazards.items()] + [("own", escalated, VISIBLE_ESCALATED)]
        for kind, hazard, table in cases:
            response = client.get(f"/api/hazards/{hazard.pk}/{part}")
            want = 200 if kind in table[role] else 404
            if response.status_code != want:
                mismatches.append((role, kind, hazard.title, response.status_code, want))
            elif want == 404:
                assert_tells_nothing(response, hazard)
            elif part == "":
                assert response.json()["title"] == hazard.title
    assert mismatches == []


def test_the_ledger_lists_only_the_hazards_each_role_may_see(world):
    hazards = {
        kind: make_hazard(world, state="assigned", title=f"台账隐患-{kind}", **where) for kind, where in KINDS.items()
    }
    for role in ROLES:
        response = client_for(world.users[role]).get("/api/hazards/")
        assert response.status_code == 200
        listed = {row["id"] for row in response.json()["results"]}
        assert listed == {hazards[kind].pk for kind in VISIBLE[role]}, role


def test_evidence_files_are_served_only_with_their_hazard(world):
    hazards = {kind: make_hazard(world, state="rectified", **where) for kind, where in KINDS.items()}
    for role in ROLES:
        client = client_for(world.users[role])
        for kind, hazard in hazards.items():
            evidence = hazard.evidence.get()
            response = client.get(f"/api/evidence/{evidence.pk}/file/")
            if kind in VISIBLE[role]:
                assert response.status_code == 200, (role, kind)
                assert response["Content-Type"] == "image/png"
            else:
                assert response.status_code == 404, (role, kind)


def test_a_supervisor_cannot_verify_through_the_api_a_hazard_they_reported(world):
    hazard = make_hazard(world, state="rectified", reporter=world.supervisor_a)
    response = client_for(world.supervisor_a).post(f"/api/hazards/{hazard.pk}/verify/", {"result": "好"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "separation_of_duty"


def test_reporting_at_a_foreign_school_is_refused_and_creates_nothing(world):
    count = Hazard.objects.count()
    body = {
        "school": world.school_b1.pk,
        "title": "越权上报",
        "description": "x",
        "category": "fire",
        "key_place": "gate",
    }
    response = client_for(world.staff_a1).post("/api/hazards/", body, format="json")
    assert response.status_code == 400
    assert "school" in response.json()["fields"]
    assert Hazard.objects.count() == count


def test_only_police_and_the_city_may_report_a_sensitive_hazard_through_the_api(world):
    body = {
        "school": world.school_a1.pk,
        "title": "涉密线索",
        "description": "x",
        "category": "stability",
        "key_place": "surroundings",
        "sensitive": True,
    }
    refused = client_for(world.officer_a).post("/api/hazards/", body, format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden_role"
    accepted = client_for(world.police_a1).post("/api/hazards/", body, format="json")
    assert accepted.status_code == 201
    assert accepted.json()["sensitive"] is True


@pytest.mark.parametrize("role", ["auditor", "party_a"])
def test_roles_that_report_nothing_are_refused_when_reporting(world, role):
    body = {
        "school": world.school_a1.pk,
        "title": "不能上报",
        "description": "x",
        "category": "fire",
        "key_place": "gate",
    }
    response = client_for(world.users[role]).post("/api/hazards/", body, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden_role"


def test_without_credentials_every_endpoint_answers_401_in_the_error_shape(world):
    hazard = make_hazard(world)
    from rest_framework.test import APIClient

    client = APIClient()
    for method, url in [
        ("get", "/api/hazards/"),
        ("get", f"/api/hazards/{hazard.pk}/"),
        ("post", f"/api/hazards/{hazard.pk}/assign/"),
        ("get", "/api/notifications/"),
        ("get", "/api/org-units/"),
        ("post", "/api/hazards/"),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 401, url
        assert response.json()["code"] == "not_authenticated"
        assert hazard.title not in response.content.decode()
