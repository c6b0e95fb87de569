"""Random sequences of transition attempts by random actors keep the hazard, its log and its history
consistent, and never show a sensitive hazard to the education side."""

from datetime import timedelta

from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from casework.access import hazards_visible_to
from casework.errors import TransitionRefused
from casework.models import Hazard
from casework.rules.lifecycle import HAZARD_ACTIONS
from casework.services import transitions as svc
from tests.factories import Clock, photo, plan, snapshot

USERS = [
    "staff_a1",
    "staff_a2",
    "staff_b1",
    "police_a1",
    "police_a2",
    "police_b1",
    "officer_a",
    "officer_b",
    "supervisor_a",
    "supervisor_b",
    "supervisor_city",
    "party_a",
    "party_b",
    "city_admin",
    "auditor",
]
EDUCATION_SIDE = [
    "staff_a1",
    "staff_a2",
    "staff_b1",
    "officer_a",
    "officer_b",
    "supervisor_a",
    "supervisor_b",
    "supervisor_city",
    "party_a",
    "party_b",
]
SCHOOLS = ["school_a1", "school_a2", "school_b1"]


def _kwargs(action: str) -> dict:
    today = timezone.localdate()
    return {
        "assign": lambda: plan(major=True),
        "record_temporary_measures": lambda: {"measures": "设置围挡"},
        "report_rectified": lambda: {"description": "已整改", "evidence": [photo()]},
        "verify": lambda: {"result": "整改到位"},
        "reject": lambda: {"reason": "不彻底"},
        "escalate": lambda: {"reason": "需协调", "temporary_measures": "专人值守"},
        "record_coordination": lambda: {
            "decision": "牵头整治",
            "units_charged": "城管局",
            "deadline": today + timedelta(days=40),
            "back_to": "assigned",
        },
        "close_invalid": lambda: {"reason": "重复"},
        "change_deadline": lambda: {"deadline": today + timedelta(days=50), "reason": "调整"},
    }[action]()


SERVICES = {name: getattr(svc, f"hazard_{name}") for name in HAZARD_ACTIONS}


def test_random_transition_attempts_keep_state_log_and_history_consistent(world):
    class Lifecycle(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.clock = Clock(timezone.now() - timedelta(days=20))
            self.hazards: list[int] = []

        @rule(
            school=st.sampled_from(SCHOOLS),
            reporter=st.sampled_from(USERS),
            major=st.booleans(),
            sensitive=st.booleans(),
        )
        def report(self, school, reporter, major, sensitive):
            try:
                hazard = svc.hazard_report(
                    actor=world.users[reporter],
                    school_id=world.units[school].pk,
                    title="随机隐患",
                    description="d",
                    category="fire",
                    key_place="library",
                    severity="major" if major else "general",
                    sensitive=sensitive,
                    occurred_at=self.clock(),
                )
            except TransitionRefused:
                return
            self.hazards.append(hazard.pk)

        @precondition(lambda self: self.hazards)
        @rule(data=st.data(), action=st.sampled_from(sorted(SERVICES)), actor=st.sampled_from(USERS))
        def attempt(self, data, action, actor):
            hazard = Hazard.objects.get(pk=data.draw(st.sampled_from(self.hazards)))
            before = snapshot(hazard)
            try:
                SERVICES[action](
                    hazard_id=hazard.pk, actor=world.users[actor], occurred_at=self.clock(), **_kwargs(action)
                )
            except TransitionRefused:
                assert snapshot(hazard) == before

        @invariant()
        def state_log_and_history_agree(self):
            for pk in self.hazards:
                hazard = Hazard.objects.get(pk=pk)
                log = list(hazard.transitions.order_by("seq").values_list("from_state", "to_state"))
                assert log[-1][1] == hazard.state
                assert all(prev[1] == nxt[0] for prev, nxt in zip(log, log[1:], strict=False))
                history = list(hazard.history.order_by("history_date", "history_id").values_list("state", flat=True))
                assert history == [to for _, to in log]

        @invariant()
        def no_sensitive_hazard_reaches_the_education_side(self):
            for name in EDUCATION_SIDE:
                assert not hazards_visible_to(world.users[name]).filter(sensitive=True).exists()

    run_state_machine_as_test(
        Lifecycle,
        settings=settings(
            max_examples=25,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
