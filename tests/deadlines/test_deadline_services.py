"""Assigning, coordinating and changing a deadline given as a date or as N working days."""

from datetime import date

import pytest

from casework import errors
from casework.errors import TransitionRefused
from casework.models import HolidayOverride
from casework.services import transitions as svc
from tests.factories import report_at, shanghai, snapshot

PLAN = {"responsible_person": "王主任", "measures": "清理通道"}


@pytest.fixture
def reported(world):
    return report_at(world, shanghai(2019, 9, 24))


def test_assigning_fifteen_working_days_stores_the_date_the_basis_and_the_count(world, reported):
    hazard = svc.hazard_assign(
        hazard_id=reported.pk,
        actor=world.officer_a,
        occurred_at=shanghai(2019, 9, 25),
        deadline_working_days=15,
        **PLAN,
    )
    hazard.refresh_from_db()
    assert (hazard.deadline, hazard.deadline_basis, hazard.deadline_working_days) == (
        date(2019, 10, 21),
        "working_days",
        15,
    )
    record = hazard.transitions.get(name="assign")
    assert record.payload["deadline"] == "2019-10-21"
    assert record.payload["deadline_basis"] == "working_days"
    assert record.payload["deadline_working_days"] == 15
    assert "deadline_warning" not in record.payload
    assert hazard.history.first().deadline_basis == "working_days"


def test_assigning_a_date_still_works_and_is_stored_as_a_date(world, reported):
    svc.hazard_assign(
        hazard_id=reported.pk,
        actor=world.officer_a,
        occurred_at=shanghai(2019, 9, 25),
        deadline=date(2019, 10, 31),
        **PLAN,
    )
    reported.refresh_from_db()
    assert (reported.deadline, reported.deadline_basis, reported.deadline_working_days) == (
        date(2019, 10, 31),
        "date",
        None,
    )
    assert reported.transitions.get(name="assign").payload["deadline_basis"] == "date"


def test_the_count_starts_from_the_local_date_of_the_assignment_not_the_utc_date(world, reported):
    # 00:30 on 26 September in Shanghai is still 25 September in UTC.
    svc.hazard_assign(
        hazard_id=reported.pk,
        actor=world.officer_a,
        occurred_at=shanghai(2019, 9, 26, 0, 30),
        deadline_working_days=15,
        **PLAN,
    )
    reported.refresh_from_db()
    # Day 0 is Thu 09-26: 1 Fri 09-27, 2 Sun 09-29, 3 Mon 09-30, 4–8 10-08…10-12 (Sat make-up),
    # 9–13 10-14…10-18, 14 Mon 10-21, 15 Tue 10-22.
    assert reported.deadline == date(2019, 10, 22)


@pytest.mark.parametrize(
    "kwargs, code",
    [
        ({"deadline": date(2019, 10, 31), "deadline_working_days": 15}, errors.INVALID_VALUE),
        ({"deadline_working_days": 0}, errors.INVALID_VALUE),
        ({"deadline_working_days": 366}, errors.INVALID_VALUE),
        ({"deadline_working_days": "15"}, errors.INVALID_VALUE),
        ({"deadline_working_days": True}, errors.INVALID_VALUE),
        ({}, errors.MISSING_FIELD),
    ],
)
def test_a_malformed_deadline_is_refused_and_nothing_changes(world, reported, kwargs, code):
    before = snapshot(reported)
    with pytest.raises(TransitionRefused) as refused:
        svc.hazard_assign(
            hazard_id=reported.pk, actor=world.officer_a, occurred_at=shanghai(2019, 9, 25), **PLAN, **kwargs
        )
    assert refused.value.code == code
    assert snapshot(reported) == before


@pytest.mark.parametrize(
    "who, code",
    [
        ("staff_a1", errors.FORBIDDEN_ROLE),
        ("officer_b", errors.OUT_OF_SCOPE),
        ("auditor", errors.FORBIDDEN_ROLE),
        ("city_admin", errors.FORBIDDEN_ROLE),
    ],
)
def test_the_wrong_role_or_a_foreign_district_cannot_assign_in_working_days(world, reported, who, code):
    before = snapshot(reported)
    with pytest.raises(TransitionRefused) as refused:
        svc.hazard_assign(
            hazard_id=reported.pk,
            actor=world.users[who],
            occurred_at=shanghai(2019, 9, 25),
            deadline_working_days=15,
            **PLAN,
        )
    assert refused.value.code == code
    assert snapshot(reported) == before


def test_an_assignment_reaching_into_an_uncovered_year_warns_and_records_the_warning(world):
    # chinese_calendar starts in 2004; 2003 is a year it does not know.
    hazard = report_at(world, shanghai(2003, 12, 20))
    hazard = svc.hazard_assign(
        hazard_id=hazard.pk, actor=world.officer_a, occurred_at=shanghai(2003, 12, 22), deadline_working_days=10, **PLAN
    )
    # From Mon 2003-12-22: 1–4 Tue 12-23…Fri 12-26, 5–7 Mon 12-29…Wed 12-31 (2003: weekdays only, flagged),
    # (Thu 2004-01-01 New Year's Day), 8 Fri 01-02, 9 Mon 01-05, 10 Tue 01-06.
    assert hazard.deadline == date(2004, 1, 6)
    assert "2003年" in hazard.deadline_warning
    record = hazard.transitions.get(name="assign")
    assert record.payload["deadline_warning"] == hazard.deadline_warning
    assert "暂按周一至周五为工作日计算" in record.payload["deadline_warning"]


def test_with_overrides_for_the_year_the_assignment_does_not_warn(world):
    HolidayOverride.objects.create(
        date=date(2003, 12, 31),
        is_workday=False,
        name="示例放假",
        created_by=world.city_admin,
        updated_by=world.city_admin,
    )
    hazard = report_at(world, shanghai(2003, 12, 20))
    hazard = svc.hazard_assign(
        hazard_id=hazard.pk, actor=world.officer_a, occurred_at=shanghai(2003, 12, 22), deadline_working_days=10, **PLAN
    )
    # 31 December is now a rest day: 1–6 as before up to Tue 12-30, 7 Fri 01-02, 8 Mon 01-05, 9 Tue, 10 Wed 01-07.
    assert hazard.deadline == date(2004, 1, 7)
    assert hazard.deadline_warning == ""
    assert "deadline_warning" not in hazard.transitions.get(name="assign").payload


def test_a_date_deadline_in_an_uncovered_year_needs_no_calendar_and_gives_no_warning(world):
    hazard = report_at(world, shanghai(2003, 12, 20))
    hazard = svc.hazard_assign(
        hazard_id=hazard.pk,
        actor=world.officer_a,
        occurred_at=shanghai(2003, 12, 22),
        deadline=date(2004, 1, 31),
        **PLAN,
    )
    assert hazard.deadline_warning == ""


def _escalated(world):
    hazard = report_at(world, shanghai(2019, 9, 20))
    svc.hazard_assign(
        hazard_id=hazard.pk,
        actor=world.officer_a,
        occurred_at=shanghai(2019, 9, 23),
        deadline=date(2019, 9, 30),
        **PLAN,
    )
    svc.hazard_escalate(
        hazard_id=hazard.pk,
        actor=world.officer_a,
        occurred_at=shanghai(2019, 9, 24),
        reason="需多部门协调",
        temporary_measures="设置围挡",
    )
    return hazard


def test_the_coordination_decision_may_set_the_new_deadline_in_working_days(world):
    hazard = _escalated(world)
    svc.hazard_record_coordination(
        hazard_id=hazard.pk,
        actor=world.party_a,
        decision="由街道牵头",
        units_charged="街道",
        back_to="assigned",
        occurred_at=shanghai(2019, 9, 25),
        deadline_working_days=15,
    )
    hazard.refresh_from_db()
    assert (hazard.state, hazard.deadline, hazard.deadline_basis, hazard.deadline_working_days) == (
        "assigned",
        date(2019, 10, 21),
        "working_days",
        15,
    )
    payload = hazard.transitions.get(name="record_coordination").payload
    assert (payload["deadline"], payload["deadline_basis"], payload["deadline_working_days"]) == (
        "2019-10-21",
        "working_days",
        15,
    )


@pytest.mark.parametrize("who, code", [("officer_a", errors.FORBIDDEN_ROLE), ("party_b", errors.OUT_OF_SCOPE)])
def test_the_wrong_role_or_a_foreign_committee_cannot_record_coordination_in_working_days(world, who, code):
    hazard = _escalated(world)
    before = snapshot(hazard)
    with pytest.raises(TransitionRefused) as refused:
        svc.hazard_record_coordination(
            hazard_id=hazard.pk,
            actor=world.users[who],
            decision="x",
            units_charged="y",
            back_to="assigned",
            occurred_at=shanghai(2019, 9, 25),
            deadline_working_days=15,
        )
    assert refused.value.code == code
    assert snapshot(hazard) == before


def test_changing_the_deadline_to_working_days_and_back_to_a_date_keeps_basis_and_count_right(world):
    hazard = report_at(world, shanghai(2019, 9, 20))
    svc.hazard_assign(
        hazard_id=hazard.pk,
        actor=world.officer_a,
        occurred_at=shanghai(2019, 9, 23),
        deadline=date(2019, 9, 30),
        **PLAN,
    )
    svc.hazard_change_deadline(
        hazard_id=hazard.pk,
        actor=world.officer_a,
        reason="节后施工",
        occurred_at=shanghai(2019, 9, 25),
        deadline_working_days=15,
    )
    hazard.refresh_from_db()
    assert (hazard.deadline, hazard.deadline_basis, hazard.deadline_working_days) == (
        date(2019, 10, 21),
        "working_days",
        15,
    )
    payload = hazard.transitions.get(name="change_deadline").payload
    assert payload["previous_deadline"] == "2019-09-30"
    assert payload["deadline_working_days"] == 15

    svc.hazard_change_deadline(
        hazard_id=hazard.pk,
        actor=world.officer_a,
        reason="改为指定日期",
        occurred_at=shanghai(2019, 9, 26),
        deadline=date(2019, 10, 25),
    )
    hazard.refresh_from_db()
    assert (hazard.deadline, hazard.deadline_basis, hazard.deadline_working_days) == (date(2019, 10, 25), "date", None)


@pytest.mark.parametrize(
    "who, code",
    [("staff_a1", errors.FORBIDDEN_ROLE), ("officer_b", errors.OUT_OF_SCOPE), ("auditor", errors.FORBIDDEN_ROLE)],
)
def test_the_wrong_role_or_a_foreign_district_cannot_change_the_deadline_in_working_days(world, who, code):
    hazard = report_at(world, shanghai(2019, 9, 20))
    svc.hazard_assign(
        hazard_id=hazard.pk,
        actor=world.officer_a,
        occurred_at=shanghai(2019, 9, 23),
        deadline=date(2019, 9, 30),
        **PLAN,
    )
    before = snapshot(hazard)
    with pytest.raises(TransitionRefused) as refused:
        svc.hazard_change_deadline(
            hazard_id=hazard.pk,
            actor=world.users[who],
            reason="x",
            occurred_at=shanghai(2019, 9, 25),
            deadline_working_days=15,
        )
    assert refused.value.code == code
    assert snapshot(hazard) == before


def test_extending_a_major_hazard_in_working_days_still_needs_temporary_measures(world):
    hazard = report_at(world, shanghai(2019, 9, 20), severity="major")
    svc.hazard_assign(
        hazard_id=hazard.pk,
        actor=world.officer_a,
        occurred_at=shanghai(2019, 9, 23),
        deadline=date(2019, 9, 30),
        funding="1万元",
        contingency_plan="专人值守",
        **PLAN,
    )
    before = snapshot(hazard)
    with pytest.raises(TransitionRefused) as refused:
        svc.hazard_change_deadline(
            hazard_id=hazard.pk,
            actor=world.officer_a,
            reason="延期",
            occurred_at=shanghai(2019, 9, 25),
            deadline_working_days=15,
        )
    assert refused.value.code == errors.MISSING_TEMPORARY_MEASURES
    assert snapshot(hazard) == before
