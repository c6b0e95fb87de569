"""Deadlines in working days through the API: assign, record-coordination and change-deadline accept
``deadline_working_days``; the answer carries the resulting date, its basis and any uncovered-year warning."""

from datetime import date

import pytest

from casework.models import Hazard
from casework.services import transitions as svc
from tests.api.conftest import client_for
from tests.factories import make_hazard, report_at, shanghai, snapshot

PLAN = {"responsible_person": "王主任", "measures": "清理通道"}


def test_assigning_fifteen_working_days_answers_with_the_date_and_the_basis(world):
    hazard = report_at(world, shanghai(2019, 9, 24))
    response = client_for(world.officer_a).post(
        f"/api/hazards/{hazard.pk}/assign/",
        PLAN | {"deadline_working_days": 15, "occurred_at": "2019-09-25T10:00:00+08:00"},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    # The National Day week (10-01…10-07) is not counted; the make-up Saturday 10-12 is.
    assert (body["deadline"], body["deadline_basis"], body["deadline_working_days"]) == (
        "2019-10-21",
        "working_days",
        15,
    )
    assert body["deadline_warning"] == ""
    stored = Hazard.objects.get(pk=hazard.pk)
    assert (stored.deadline, stored.deadline_working_days) == (date(2019, 10, 21), 15)


def test_an_assignment_reaching_into_an_uncovered_year_answers_with_the_warning(world):
    hazard = report_at(world, shanghai(2003, 12, 20))
    response = client_for(world.officer_a).post(
        f"/api/hazards/{hazard.pk}/assign/",
        PLAN | {"deadline_working_days": 10, "occurred_at": "2003-12-22T10:00:00+08:00"},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["deadline"] == "2004-01-06"
    assert "2003年" in body["deadline_warning"]
    record = Hazard.objects.get(pk=hazard.pk).transitions.get(name="assign")
    assert record.payload["deadline_warning"] == body["deadline_warning"]


def test_changing_the_deadline_by_working_days_answers_with_the_new_date(world):
    hazard = report_at(world, shanghai(2019, 9, 20))
    svc.hazard_assign(
        hazard_id=hazard.pk,
        actor=world.officer_a,
        occurred_at=shanghai(2019, 9, 23),
        deadline=date(2019, 9, 30),
        **PLAN,
    )
    response = client_for(world.officer_a).post(
        f"/api/hazards/{hazard.pk}/change-deadline/",
        {"deadline_working_days": 15, "reason": "材料未到货", "occurred_at": "2019-09-25T10:00:00+08:00"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert (response.json()["deadline"], response.json()["deadline_basis"]) == ("2019-10-21", "working_days")


def test_coordination_sets_a_deadline_in_working_days(world):
    hazard = make_hazard(world, state="escalated")
    response = client_for(world.party_a).post(
        f"/api/hazards/{hazard.pk}/record-coordination/",
        {"decision": "住建牵头", "units_charged": "区住建局", "back_to": "assigned", "deadline_working_days": 20},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["deadline_basis"] == "working_days"
    assert body["deadline_working_days"] == 20
    assert Hazard.objects.get(pk=hazard.pk).deadline.isoformat() == body["deadline"]


def test_a_date_and_a_number_of_working_days_together_are_refused_and_change_nothing(world):
    hazard = make_hazard(world, state="reported")
    before = snapshot(hazard)
    response = client_for(world.officer_a).post(
        f"/api/hazards/{hazard.pk}/assign/",
        PLAN | {"deadline": "2099-01-01", "deadline_working_days": 5},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"code", "message", "fields"}
    assert "deadline" in response.json()["fields"]
    assert snapshot(hazard) == before


@pytest.mark.parametrize("days", [0, -3, 366, "十"])
def test_an_impossible_number_of_working_days_is_refused_in_the_error_shape(world, days):
    hazard = make_hazard(world, state="reported")
    before = snapshot(hazard)
    response = client_for(world.officer_a).post(
        f"/api/hazards/{hazard.pk}/assign/", PLAN | {"deadline_working_days": days}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "deadline_working_days" in response.json()["fields"]
    assert snapshot(hazard) == before


def test_the_wrong_role_giving_working_days_is_refused_before_any_date_is_worked_out(world):
    hazard = make_hazard(world, state="reported")
    before = snapshot(hazard)
    response = client_for(world.staff_a1).post(
        f"/api/hazards/{hazard.pk}/assign/", PLAN | {"deadline_working_days": 10}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden_role"
    assert snapshot(hazard) == before
