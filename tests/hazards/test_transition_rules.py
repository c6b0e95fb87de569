"""The rules inside the transitions: separation of duty, times, rework, escalation, extensions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from casework import errors
from casework.errors import TransitionRefused
from casework.models import Membership, Role
from casework.services import transitions as svc
from tests.factories import Clock, hazard_states, make_hazard, photo, plan, snapshot


def test_a_supervisor_cannot_verify_a_hazard_they_reported(world):
    hazard = make_hazard(world, state="rectified", reporter=world.supervisor_a)
    before = snapshot(hazard)
    with pytest.raises(TransitionRefused, match="报告人或整改人不得验收") as refused:
        svc.hazard_verify(hazard_id=hazard.pk, actor=world.supervisor_a, result="ok", occurred_at=timezone.now())
    assert refused.value.code == errors.SEPARATION_OF_DUTY
    assert snapshot(hazard) == before
    assert hazard_states(hazard) == ["reported", "assigned", "rectified"]


def test_a_supervisor_who_rectified_the_hazard_may_neither_verify_nor_reject_it(world):
    Membership.objects.create(user=world.supervisor_a, org_unit=world.school_a1, role=Role.SCHOOL_STAFF)
    hazard = make_hazard(world, state="assigned")
    svc.hazard_report_rectified(
        hazard_id=hazard.pk,
        actor=world.supervisor_a,
        description="done",
        evidence=[photo()],
        occurred_at=timezone.now(),
    )
    for service, field in ((svc.hazard_verify, "result"), (svc.hazard_reject, "reason")):
        with pytest.raises(TransitionRefused) as refused:
            service(hazard_id=hazard.pk, actor=world.supervisor_a, occurred_at=timezone.now(), **{field: "x"})
        assert refused.value.code == errors.SEPARATION_OF_DUTY


def test_the_city_supervisor_verifies_a_district_hazard(world):
    hazard = make_hazard(world, state="rectified")
    svc.hazard_verify(hazard_id=hazard.pk, actor=world.supervisor_city, result="整改到位", occurred_at=timezone.now())
    hazard.refresh_from_db()
    assert hazard.state == "verified"
    assert hazard.verification_result == "整改到位"


def test_a_reject_counts_as_rework_and_leaves_the_deadline(world):
    hazard = make_hazard(world, state="rectified")
    deadline = hazard.deadline
    svc.hazard_reject(hazard_id=hazard.pk, actor=world.supervisor_a, reason="未彻底清理", occurred_at=timezone.now())
    hazard.refresh_from_db()
    assert hazard.state == "assigned"
    assert hazard.deadline == deadline
    assert hazard.transitions.filter(name="reject", payload__rework=True).count() == 1


def test_a_moment_in_the_future_is_refused(world):
    hazard = make_hazard(world)
    with pytest.raises(TransitionRefused, match="不能晚于当前时间"):
        svc.hazard_close_invalid(
            hazard_id=hazard.pk, actor=world.officer_a, reason="重复", occurred_at=timezone.now() + timedelta(hours=1)
        )


def test_a_moment_before_the_previous_transition_is_refused(world):
    clock = Clock()
    hazard = make_hazard(world, clock=clock)
    with pytest.raises(TransitionRefused, match="不能早于上一次流转") as refused:
        svc.hazard_close_invalid(
            hazard_id=hazard.pk, actor=world.officer_a, reason="重复", occurred_at=clock.now - timedelta(days=1)
        )
    assert refused.value.code == errors.INVALID_TIME


def test_occurred_and_recorded_moments_are_both_kept(world):
    clock = Clock()
    hazard = make_hazard(world, clock=clock)
    record = hazard.transitions.get()
    assert record.occurred_at == clock.now
    assert record.recorded_at > record.occurred_at


def test_escalation_without_temporary_measures_is_refused(world):
    hazard = make_hazard(world, state="assigned")
    before = snapshot(hazard)
    with pytest.raises(TransitionRefused, match="临时") as refused:
        svc.hazard_escalate(hazard_id=hazard.pk, actor=world.officer_a, reason="难", occurred_at=timezone.now())
    assert refused.value.code == errors.MISSING_TEMPORARY_MEASURES
    assert snapshot(hazard) == before


def test_escalation_from_assigned_carries_the_temporary_measures_in_place(world):
    hazard = make_hazard(world, state="assigned")
    svc.hazard_escalate(
        hazard_id=hazard.pk,
        actor=world.officer_a,
        reason="需城管执法",
        temporary_measures="设置围挡",
        occurred_at=timezone.now(),
    )
    hazard.refresh_from_db()
    assert (hazard.state, hazard.temporary_measures) == ("escalated", "设置围挡")


def test_the_coordination_decision_returns_the_case_with_a_new_deadline(world):
    hazard = make_hazard(world, state="escalated")
    new_deadline = timezone.localdate() + timedelta(days=45)
    svc.hazard_record_coordination(
        hazard_id=hazard.pk,
        actor=world.party_a,
        decision="由城管牵头",
        units_charged="城管局",
        deadline=new_deadline,
        back_to="temporary_measures",
        occurred_at=timezone.now(),
    )
    hazard.refresh_from_db()
    assert (hazard.state, hazard.deadline) == ("temporary_measures", new_deadline)


def test_extending_a_major_hazard_without_temporary_measures_is_refused(world):
    hazard = make_hazard(world, state="assigned", major=True)
    with pytest.raises(TransitionRefused) as refused:
        svc.hazard_change_deadline(
            hazard_id=hazard.pk,
            actor=world.officer_a,
            reason="资金未到位",
            deadline=hazard.deadline + timedelta(days=30),
            occurred_at=timezone.now(),
        )
    assert refused.value.code == errors.MISSING_TEMPORARY_MEASURES


def test_extending_a_major_hazard_with_temporary_measures_records_old_and_new_deadline(world):
    hazard = make_hazard(world, state="temporary_measures", major=True)
    old = hazard.deadline
    svc.hazard_change_deadline(
        hazard_id=hazard.pk,
        actor=world.officer_a,
        reason="资金未到位",
        deadline=old + timedelta(days=30),
        occurred_at=timezone.now(),
    )
    record = hazard.transitions.get(name="change_deadline")
    assert record.payload["previous_deadline"] == old.isoformat()
    assert record.from_state == record.to_state == "temporary_measures"
    hazard.refresh_from_db()
    assert hazard.deadline == old + timedelta(days=30)


def test_a_deadline_before_the_assignment_is_refused(world):
    hazard = make_hazard(world)
    with pytest.raises(TransitionRefused, match="整改时限不能早于交办日期"):
        svc.hazard_assign(
            hazard_id=hazard.pk,
            actor=world.officer_a,
            occurred_at=timezone.now(),
            **plan(deadline=timezone.localdate() - timedelta(days=1)),
        )


def test_overdue_is_derived_from_the_deadline_and_the_state(world):
    hazard = make_hazard(world, state="assigned")
    later = hazard.deadline + timedelta(days=1)
    assert not hazard.is_overdue(today=hazard.deadline)
    assert hazard.is_overdue(today=later)
    rectified = make_hazard(world, state="rectified")
    assert not rectified.is_overdue(today=rectified.deadline + timedelta(days=1))


def test_every_transition_writes_one_history_row_with_its_actor_and_reason(world):
    hazard = make_hazard(world, state="verified")
    rows = list(
        hazard.history.order_by("history_date").values_list("state", "history_change_reason", "history_user_id")
    )
    assert [r[:2] for r in rows] == [
        ("reported", "report"),
        ("assigned", "assign"),
        ("rectified", "report_rectified"),
        ("verified", "verify"),
    ]
    assert rows[-1][2] == world.supervisor_a.pk


def test_a_sensitive_hazard_is_handled_by_the_police_station_and_verified_by_the_city(world):
    hazard = make_hazard(world, state="verified", sensitive=True)
    actors = list(hazard.transitions.order_by("seq").values_list("actor__username", flat=True))
    assert actors == ["police_a1", "police_a1", "police_a1", "city_admin"]


def test_only_police_or_the_city_may_report_a_sensitive_hazard(world):
    with pytest.raises(TransitionRefused, match="涉密"):
        svc.hazard_report(
            actor=world.staff_a1,
            school_id=world.school_a1.pk,
            title="t",
            description="d",
            category="stability",
            key_place="surroundings",
            sensitive=True,
            occurred_at=timezone.now(),
        )


def test_reporting_at_a_foreign_school_is_refused(world):
    with pytest.raises(TransitionRefused) as refused:
        svc.hazard_report(
            actor=world.staff_a1,
            school_id=world.school_a2.pk,
            title="t",
            description="d",
            category="fire",
            key_place="library",
            occurred_at=timezone.now(),
        )
    assert refused.value.code == errors.OUT_OF_SCOPE


def test_an_unknown_category_is_refused_with_the_field_named(world):
    with pytest.raises(TransitionRefused) as refused:
        svc.hazard_report(
            actor=world.staff_a1,
            school_id=world.school_a1.pk,
            title="t",
            description="d",
            category="nonsense",
            key_place="library",
            occurred_at=timezone.now(),
        )
    assert refused.value.fields == {"category": "无效的类别"}
