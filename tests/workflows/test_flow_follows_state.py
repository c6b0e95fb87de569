"""One truth: whichever path performs a transition, the flow's open tasks match the hazard's state."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.status import STATUS

from casework.models import Hazard
from casework.services import transitions as svc
from tests.factories import Clock, photo, plan
from workflows.models import HazardProcess
from workflows.nodes import NODE_FOR_STATE
from workflows.sync import open_tasks


def open_nodes(hazard) -> list[str]:
    return [t.flow_task.name for t in open_tasks(HazardProcess.objects.get(hazard_id=hazard.pk))]


def assert_flow_matches(hazard) -> None:
    hazard = Hazard.objects.get(pk=hazard.pk)
    process = HazardProcess.objects.get(hazard_id=hazard.pk)
    expected = NODE_FOR_STATE[hazard.state]
    assert open_nodes(hazard) == ([expected] if expected else []), hazard.state
    assert (process.status == STATUS.DONE) == (expected is None)


# Every transition, as (action, from state, who, service kwargs, web form data).
def deadline(days=30):
    return timezone.localdate() + timedelta(days=days)


STEPS = {
    "assign": ("officer", lambda: {**plan()}, lambda: {**plan(), "deadline": str(deadline())}),
    "record_temporary_measures": ("doer", lambda: {"measures": "设置围挡"}, lambda: {"measures": "设置围挡"}),
    "report_rectified": (
        "doer",
        lambda: {"description": "已清理", "evidence": [photo()]},
        lambda: {"description": "已清理", "evidence": [photo()]},
    ),
    "verify": ("verifier", lambda: {"result": "整改到位"}, lambda: {"result": "整改到位"}),
    "reject": ("verifier", lambda: {"reason": "未清理干净"}, lambda: {"reason": "未清理干净"}),
    "escalate": (
        "officer",
        lambda: {"reason": "需多部门", "temporary_measures": "专人值守"},
        lambda: {"reason": "需多部门", "temporary_measures": "专人值守"},
    ),
    "record_coordination": (
        "coordinator",
        lambda: {"decision": "街道牵头", "units_charged": "街道办", "deadline": deadline(60), "back_to": "assigned"},
        lambda: {
            "decision": "街道牵头",
            "units_charged": "街道办",
            "deadline": str(deadline(60)),
            "back_to": "assigned",
        },
    ),
    "close_invalid": ("officer", lambda: {"reason": "重复上报"}, lambda: {"reason": "重复上报"}),
    "change_deadline": (
        "officer",
        lambda: {"deadline": deadline(45), "reason": "延期"},
        lambda: {"deadline": str(deadline(45)), "reason": "延期"},
    ),
}
SERVICES = {
    "assign": svc.hazard_assign,
    "record_temporary_measures": svc.hazard_record_temporary_measures,
    "report_rectified": svc.hazard_report_rectified,
    "verify": svc.hazard_verify,
    "reject": svc.hazard_reject,
    "escalate": svc.hazard_escalate,
    "record_coordination": svc.hazard_record_coordination,
    "close_invalid": svc.hazard_close_invalid,
    "change_deadline": svc.hazard_change_deadline,
}
# Walks that between them take every transition, from every source state.
WALKS = [
    [
        "assign",
        "report_rectified",
        "reject",
        "change_deadline",
        "record_temporary_measures",
        "report_rectified",
        "verify",
    ],
    [
        "assign",
        "record_temporary_measures",
        "escalate",
        "record_coordination",
        "escalate",
        "record_coordination",
        "report_rectified",
        "verify",
    ],
    [
        "assign",
        "escalate",
        "change_deadline",
        "record_coordination",
        "record_temporary_measures",
        "change_deadline",
        "report_rectified",
        "change_deadline",
        "verify",
    ],
    ["close_invalid"],
]


def people(world, sensitive):
    if sensitive:
        return {
            "officer": world.police_a1,
            "doer": world.police_a1,
            "verifier": world.city_admin,
            "coordinator": world.city_admin,
            "reporter": world.police_a1,
        }
    return {
        "officer": world.officer_a,
        "doer": world.staff_a1,
        "verifier": world.supervisor_a,
        "coordinator": world.party_a,
        "reporter": world.staff_a1,
    }


def report(world, who, clock, sensitive=False):
    return svc.hazard_report(
        actor=who["reporter"],
        school_id=world.school_a1.pk,
        title="灭火器过期",
        description="三楼",
        category="fire",
        key_place="teaching_building",
        sensitive=sensitive,
        occurred_at=clock(),
    )


def by_service(world, who, hazard, action, clock):
    role, kwargs, _ = STEPS[action]
    SERVICES[action](hazard_id=hazard.pk, actor=who[role], occurred_at=clock(), **kwargs())


def by_web(client, world, who, hazard, action, clock):
    role, _, data = STEPS[action]
    client.force_login(who[role])
    response = client.post(
        reverse("casework:hazard_action", args=[hazard.pk, action]),
        {"form_token": f"token-{action}-{clock().timestamp()}", **data()},
    )
    assert response.status_code == 302, response.content.decode()[:2000]


@pytest.mark.parametrize("sensitive", [False, True], ids=["ordinary", "sensitive"])
@pytest.mark.parametrize("walk", WALKS, ids=["rework", "escalations", "deadlines", "invalid"])
def test_after_every_transition_by_a_direct_service_call_the_open_task_matches_the_state(world, walk, sensitive):
    clock, who = Clock(), people(world, sensitive)
    hazard = report(world, who, clock, sensitive)
    assert_flow_matches(hazard)
    for action in walk:
        by_service(world, who, hazard, action, clock)
        assert_flow_matches(hazard)


@pytest.mark.parametrize("walk", WALKS, ids=["rework", "escalations", "deadlines", "invalid"])
def test_after_every_transition_through_the_web_forms_the_open_task_matches_the_state(client, world, walk):
    who = people(world, False)
    hazard = report(world, who, Clock())
    for action in walk:
        by_web(client, world, who, hazard, action, lambda: timezone.now())
        assert_flow_matches(hazard)


def test_mixed_paths_web_service_and_a_taken_task_keep_one_truth(client, world):
    who, clock = people(world, False), Clock()
    hazard = report(world, who, clock)
    # The school's officer takes the task, but the work is done through another path.
    from workflows.services import task_take

    task = open_tasks(HazardProcess.objects.get(hazard_id=hazard.pk)).get()
    task_take(task_id=task.pk, actor=world.officer_a)
    by_service(world, who, hazard, "assign", clock)
    assert_flow_matches(hazard)
    task.refresh_from_db()
    assert task.status == STATUS.DONE and task.owner_id == world.officer_a.pk
    assert task.data["transition"] == "assign"


def test_the_demo_command_leaves_every_hazard_with_a_matching_flow(db):
    call_command("seed_demo")
    hazards = Hazard.objects.all()
    assert hazards.count() > 50
    assert {h.state for h in hazards} == set(NODE_FOR_STATE)
    for hazard in hazards:
        assert_flow_matches(hazard)


def test_sync_command_backfills_a_hazard_without_process_and_is_idempotent(world):
    who, clock = people(world, False), Clock()
    hazard = report(world, who, clock)
    by_service(world, who, hazard, "assign", clock)
    process = HazardProcess.objects.get(hazard_id=hazard.pk)
    process.task_set.all().delete()
    HazardProcess.objects.filter(pk=process.pk).delete()
    call_command("sync_workflows")
    call_command("sync_workflows")
    assert HazardProcess.objects.filter(hazard_id=hazard.pk).count() == 1
    assert_flow_matches(hazard)


def test_a_refused_transition_leaves_the_flow_untouched(world):
    who, clock = people(world, False), Clock()
    hazard = report(world, who, clock)
    before = list(HazardProcess.objects.get(hazard_id=hazard.pk).task_set.values_list("pk", "status"))
    with pytest.raises(Exception):
        svc.hazard_assign(hazard_id=hazard.pk, actor=world.staff_a1, occurred_at=clock(), **plan())
    assert list(HazardProcess.objects.get(hazard_id=hazard.pk).task_set.values_list("pk", "status")) == before
