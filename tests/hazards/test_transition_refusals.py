"""Every transition is refused for the wrong role, the foreign unit, the wrong state and each missing
field, and after every refusal the hazard, its history, its transition records, the outbox and the flow are
unchanged; from each state DESIGN.md allows, the rightful actor performs it and every trace follows.

The expected table is DESIGN.md's ("The hazard lifecycle"), written out here: it is never read from the
implementation, so a wrong table in ``casework.rules.lifecycle`` fails this module."""

from datetime import timedelta

import pytest
from django.utils import timezone

from casework import errors
from casework.errors import TransitionRefused
from casework.models import HazardTransition
from casework.services import transitions as svc
from notifications.models import Notification
from tests.factories import PATHS, make_hazard, photo, plan, snapshot
from workflows.models import HazardProcess
from workflows.sync import open_tasks

TODAY = timezone.localdate

# DESIGN.md's states and its transition table: action → (the states it starts from, the state it leads to;
# None: the state stays). change_deadline is not in DESIGN's table: it edits the deadline of an open case.
# transfer, send_back, record_feedback and reclassify are in DESIGN's table but not built yet: left out.
STATES = ("reported", "assigned", "temporary_measures", "rectified", "verified", "escalated", "closed_invalid")
TRANSITIONS = {
    "assign": ({"reported"}, "assigned"),
    "record_temporary_measures": ({"assigned"}, "temporary_measures"),
    "report_rectified": ({"assigned", "temporary_measures"}, "rectified"),
    "verify": ({"rectified"}, "verified"),
    "reject": ({"rectified"}, "assigned"),
    "escalate": ({"assigned", "temporary_measures"}, "escalated"),
    "record_coordination": ({"escalated"}, ("assigned", "temporary_measures")),  # the decision's back_to chooses
    "close_invalid": ({"reported"}, "closed_invalid"),
    "change_deadline": ({"assigned", "temporary_measures", "escalated", "rectified"}, None),
}
# The flow's human task that waits in each state (none once the case is finished).
OPEN_TASK = {
    "reported": "assign",
    "assigned": "rectify",
    "temporary_measures": "rectify",
    "rectified": "verify",
    "escalated": "coordinate",
    "verified": None,
    "closed_invalid": None,
}
# One person each transition must tell (DESIGN.md, Notifications; close_invalid tells the reporter).
TOLD = {
    "assign": "staff_a1",
    "record_temporary_measures": "officer_a",
    "report_rectified": "supervisor_a",
    "verify": "staff_a1",
    "reject": "staff_a1",
    "escalate": "party_a",
    "record_coordination": "staff_a1",
    "close_invalid": "staff_a1",
    "change_deadline": "staff_a1",
}
# The other district's people are never told of a case of district A.
ELSEWHERE = {"staff_b1", "police_b1", "officer_b", "supervisor_b", "party_b"}


def _kwargs(action):
    return {
        "assign": lambda: plan(major=True),
        "record_temporary_measures": lambda: {"measures": "设置围挡"},
        "report_rectified": lambda: {"description": "已清理", "evidence": [photo()]},
        "verify": lambda: {"result": "整改到位"},
        "reject": lambda: {"reason": "整改不彻底"},
        "escalate": lambda: {"reason": "需多部门协调"},
        "record_coordination": lambda: {
            "decision": "由城管牵头取缔",
            "units_charged": "城管局、市场监管局",
            "deadline": TODAY() + timedelta(days=20),
            "back_to": "assigned",
        },
        "close_invalid": lambda: {"reason": "重复上报"},
        "change_deadline": lambda: {"deadline": TODAY() + timedelta(days=3), "reason": "提前完成"},
    }[action]()


# action → (service, a state it may start from, the rightful actor, the same role elsewhere, required fields)
ACTIONS = {
    "assign": (
        svc.hazard_assign,
        "reported",
        "officer_a",
        ["officer_b"],
        ["responsible_person", "measures", "deadline", "funding", "contingency_plan"],
    ),
    "record_temporary_measures": (
        svc.hazard_record_temporary_measures,
        "assigned",
        "staff_a1",
        ["staff_a2", "staff_b1"],
        ["measures"],
    ),
    "report_rectified": (
        svc.hazard_report_rectified,
        "assigned",
        "staff_a1",
        ["staff_a2", "staff_b1"],
        ["description", "evidence"],
    ),
    "verify": (svc.hazard_verify, "rectified", "supervisor_a", ["supervisor_b"], ["result"]),
    "reject": (svc.hazard_reject, "rectified", "supervisor_a", ["supervisor_b"], ["reason"]),
    "escalate": (svc.hazard_escalate, "temporary_measures", "officer_a", ["officer_b"], ["reason"]),
    "record_coordination": (
        svc.hazard_record_coordination,
        "escalated",
        "party_a",
        ["party_b"],
        ["decision", "units_charged", "deadline", "back_to"],
    ),
    "close_invalid": (svc.hazard_close_invalid, "reported", "officer_a", ["officer_b"], ["reason"]),
    "change_deadline": (svc.hazard_change_deadline, "assigned", "officer_a", ["officer_b"], ["deadline", "reason"]),
}
# Others who hold the right role for the action but in this hazard's scope too.
ALSO_ALLOWED = {"verify": {"supervisor_city"}, "reject": {"supervisor_city"}}
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


def attempt(world, action, hazard, actor, **overrides):
    service = ACTIONS[action][0]
    kwargs = _kwargs(action) | overrides
    return service(hazard_id=hazard.pk, actor=world.users[actor], occurred_at=timezone.now(), **kwargs)


def _hazard_for(world, action, state=None):
    return make_hazard(world, state=state or ACTIONS[action][1], major=True)


@pytest.mark.parametrize("action", ACTIONS)
def test_the_rightful_actor_in_scope_performs_the_action(world, action):
    hazard = _hazard_for(world, action)
    before = hazard.transitions.count()
    attempt(world, action, hazard, ACTIONS[action][2])
    assert hazard.transitions.count() == before + 1


WRONG_ACTORS = [
    (action, user)
    for action, (_, _, rightful, foreign, _) in ACTIONS.items()
    for user in USERS
    if user != rightful and user not in ALSO_ALLOWED.get(action, set())
]


@pytest.mark.parametrize(("action", "user"), WRONG_ACTORS)
def test_every_other_role_and_the_same_role_elsewhere_are_refused_and_nothing_changes(world, action, user):
    hazard = _hazard_for(world, action)
    before = snapshot(hazard)
    with pytest.raises(TransitionRefused) as refused:
        attempt(world, action, hazard, user)
    expected = {errors.OUT_OF_SCOPE} if user in ACTIONS[action][3] else {errors.FORBIDDEN_ROLE, errors.OUT_OF_SCOPE}
    assert refused.value.code in expected
    assert snapshot(hazard) == before


def test_the_written_out_table_names_every_state_the_factories_reach_and_every_action_here():
    assert set(STATES) == set(PATHS) == set(OPEN_TASK)
    assert set(TRANSITIONS) == set(ACTIONS) == set(TOLD)
    for action, (sources, _) in TRANSITIONS.items():
        assert ACTIONS[action][1] in sources, action


def flow_tasks(hazard) -> list:
    return list(HazardProcess.objects.get(hazard_id=hazard.pk).task_set.order_by("pk").values_list("pk", "status"))


WRONG_STATES = [
    (action, state) for action, (sources, _) in TRANSITIONS.items() for state in STATES if state not in sources
]


@pytest.mark.parametrize(("action", "state"), WRONG_STATES)
def test_each_wrong_state_is_refused_and_nothing_changes(world, action, state):
    hazard = _hazard_for(world, action, state)
    before = snapshot(hazard)
    transitions, outbox, tasks = hazard.transitions.count(), Notification.objects.count(), flow_tasks(hazard)
    with pytest.raises(TransitionRefused) as refused:
        attempt(world, action, hazard, ACTIONS[action][2])
    if action == "record_coordination":
        # A case never escalated is outside the party committee's view: it learns nothing of its state.
        assert refused.value.code == errors.OUT_OF_SCOPE
    else:
        assert refused.value.code == errors.WRONG_STATE
        assert "不能" in refused.value.message
    assert snapshot(hazard) == before
    hazard.refresh_from_db()
    assert hazard.state == state
    assert hazard.transitions.count() == transitions
    assert Notification.objects.count() == outbox
    assert flow_tasks(hazard) == tasks


# From each source DESIGN.md allows, to each target (record_coordination: both of its decisions).
ALLOWED = [
    (action, source, target)
    for action, (sources, targets) in TRANSITIONS.items()
    for source in sorted(sources)
    for target in (targets if isinstance(targets, tuple) else (targets or source,))
]


def _inputs_for(action, source, target) -> dict:
    if action == "escalate" and source == "assigned":
        return {"temporary_measures": "专人值守"}  # DESIGN: temporary measures must be in place
    if action == "record_coordination":
        return {"back_to": target}
    return {}


@pytest.mark.parametrize(("action", "source", "target"), ALLOWED)
def test_from_each_allowed_state_the_rightful_actor_moves_the_hazard_and_the_record_outbox_and_flow_follow(
    world, action, source, target
):
    hazard = _hazard_for(world, action, source)
    actor = world.users[ACTIONS[action][2]]
    last_record = hazard.transitions.order_by("-seq").values_list("pk", flat=True).first()
    last_note = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    attempt(world, action, hazard, ACTIONS[action][2], **_inputs_for(action, source, target))

    hazard.refresh_from_db()
    assert hazard.state == target
    new_records = list(HazardTransition.objects.filter(hazard=hazard, pk__gt=last_record))
    assert [(r.name, r.from_state, r.to_state, r.actor_id) for r in new_records] == [(action, source, target, actor.pk)]
    told = Notification.objects.filter(pk__gt=last_note, event=f"hazard.{action}").select_related("recipient")
    recipients = {n.recipient.username for n in told}
    assert TOLD[action] in recipients
    assert not recipients & ELSEWHERE
    assert actor.username not in recipients
    process = HazardProcess.objects.get(hazard_id=hazard.pk)
    assert [t.flow_task.name for t in open_tasks(process)] == ([OPEN_TASK[target]] if OPEN_TASK[target] else [])


MISSING = [(action, name) for action, spec in ACTIONS.items() for name in spec[4]]


@pytest.mark.parametrize(("action", "field"), MISSING)
def test_each_missing_required_field_is_refused_and_nothing_changes(world, action, field):
    hazard = _hazard_for(world, action)
    before = snapshot(hazard)
    empty = [] if field == "evidence" else (None if field == "deadline" else "  ")
    with pytest.raises(TransitionRefused) as refused:
        attempt(world, action, hazard, ACTIONS[action][2], **{field: empty})
    assert refused.value.code == errors.MISSING_FIELD
    assert field in refused.value.fields
    assert snapshot(hazard) == before


def test_a_general_hazard_is_assigned_without_funding_or_contingency_plan(world):
    hazard = make_hazard(world, major=False)
    svc.hazard_assign(hazard_id=hazard.pk, actor=world.officer_a, occurred_at=timezone.now(), **plan(major=False))
    hazard.refresh_from_db()
    assert hazard.state == "assigned"


def test_a_major_hazard_without_the_five_point_plan_names_every_missing_point(world):
    hazard = make_hazard(world, major=True)
    with pytest.raises(TransitionRefused, match="整改资金、应急预案") as refused:
        svc.hazard_assign(hazard_id=hazard.pk, actor=world.officer_a, occurred_at=timezone.now(), **plan(major=False))
    assert set(refused.value.fields) == {"funding", "contingency_plan"}


def test_the_auditor_is_refused_every_write_including_reporting(world):
    with pytest.raises(TransitionRefused, match="只读"):
        svc.hazard_report(
            actor=world.auditor,
            school_id=world.school_a1.pk,
            title="t",
            description="d",
            category="fire",
            key_place="library",
            occurred_at=timezone.now(),
        )
