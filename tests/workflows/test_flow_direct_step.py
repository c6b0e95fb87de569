"""The sync's direct step writes what viewflow's own activations write: same tasks, statuses, owners, links."""

import pytest
from viewflow.workflow.status import STATUS

from casework.models import Hazard, HazardTransition
from casework.services import transitions as svc
from tests.factories import Clock
from tests.workflows.test_flow_follows_state import WALKS, assert_flow_matches, by_service, people, report
from workflows import sync
from workflows.models import HazardProcess
from workflows.nodes import NODE_FOR_STATE
from workflows.services import task_take
from workflows.sync import open_tasks


def task_graph(hazard) -> dict:
    """The process and its tasks, with what differs between two equal runs (ids, times) taken out."""
    process = HazardProcess.objects.get(hazard_id=hazard.pk)
    tasks = list(process.task_set.order_by("pk"))
    order = {t.pk: i for i, t in enumerate(tasks)}
    rows = []
    for t in tasks:
        data = dict(t.data or {})
        if "transition_id" in data:
            record = HazardTransition.objects.get(pk=data.pop("transition_id"))
            assert record.hazard_id == hazard.pk and record.name == data["transition"]
        rows.append(
            {
                "node": t.flow_task.name,
                "type": t.flow_task_type,
                "status": t.status,
                "owner": t.owner_id,
                "token": str(t.token),
                "data": data,
                "assigned": t.assigned is not None,
                "started": t.started is not None,
                "finished": t.finished is not None,
                "previous": sorted(order[p.pk] for p in t.previous.all()),
                "owner_permission": t.owner_permission,
                "seed": t.seed_object_id,
            }
        )
    return {"status": process.status, "finished": process.finished is not None, "tasks": rows}


def walk(world, walk_, sensitive):
    """Take the walk; return the hazard and the nodes it left on the way (the tasks the sync finished)."""
    clock, who = Clock(), people(world, sensitive)
    hazard = report(world, who, clock, sensitive)
    left = []
    for action in walk_:
        before = NODE_FOR_STATE[Hazard.objects.get(pk=hazard.pk).state]
        by_service(world, who, hazard, action, clock)
        assert_flow_matches(hazard)
        if NODE_FOR_STATE[Hazard.objects.get(pk=hazard.pk).state] != before:
            left.append(before)
    return hazard, left


@pytest.mark.parametrize("sensitive", [False, True], ids=["ordinary", "sensitive"])
@pytest.mark.parametrize("walk_", WALKS, ids=["rework", "escalations", "deadlines", "invalid"])
def test_every_walk_leaves_the_same_tasks_as_viewflows_own_activations(world, walk_, sensitive, monkeypatch):
    steps = []
    real_advance = sync._advance
    monkeypatch.setattr(sync, "_advance", lambda *a, **k: (steps.append(a[1].flow_task.name), real_advance(*a, **k)))
    hazard, left = walk(world, walk_, sensitive)
    direct = task_graph(hazard)
    assert steps == left  # every task the walk finished went through the direct step

    monkeypatch.setattr(sync, "_direct_step_applies", lambda task, actor: False)
    hazard, left = walk(world, walk_, sensitive)
    generic = task_graph(hazard)
    assert direct == generic


def test_a_task_taken_by_someone_else_is_finished_by_the_actor_as_viewflow_reassigns_it(world, monkeypatch):
    graphs = []
    for direct in (True, False):
        if not direct:
            monkeypatch.setattr(sync, "_direct_step_applies", lambda task, actor: False)
        who, clock = people(world, False), Clock()
        hazard = report(world, who, clock)
        task = open_tasks(HazardProcess.objects.get(hazard_id=hazard.pk)).get()
        task_take(task_id=task.pk, actor=world.officer_a)
        svc.hazard_close_invalid(hazard_id=hazard.pk, actor=world.officer_a, reason="重复上报", occurred_at=clock())
        assert_flow_matches(hazard)
        graphs.append(task_graph(hazard))
    assert graphs[0] == graphs[1]
    assert graphs[0]["status"] == STATUS.DONE and graphs[0]["tasks"][-1]["node"] == "end"


def test_a_started_task_goes_through_viewflows_activations(world):
    who, clock = people(world, False), Clock()
    hazard = report(world, who, clock)
    task = open_tasks(HazardProcess.objects.get(hazard_id=hazard.pk)).get()
    task.owner, task.status = world.officer_a, STATUS.STARTED  # as a task view leaves it once opened
    task.save()
    assert not sync._direct_step_applies(task, world.officer_a)
    by_service(world, who, hazard, "assign", clock)
    assert_flow_matches(hazard)
