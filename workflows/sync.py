"""Keep the flow's open tasks matching the hazard's state, whichever path moved the state.

Registered in ``WorkflowsConfig.ready`` as casework's after-transition hook; it runs inside the
transition's transaction (the hazard row is already locked), so a failure here rolls the
transition back and the two never disagree.

The common step — finish the one human task the hazard has left, pass the ``route`` switch, open
the next human task or end the process — is written here directly (``_advance``): the same rows,
statuses, times, links and signals viewflow's activations produce, in three statements instead of
viewflow's dozen (two saves per status move, a savepoint per gateway, the process re-read per
task). Anything else (a task taken and started, a node with owner rules or boundary events, a flow
whose shape changed) goes through viewflow's own activations (``_complete``).
"""

from django.db import connection
from django.utils import timezone
from viewflow.workflow.nodes import End, Switch, View
from viewflow.workflow.signals import flow_finished, task_finished, task_started
from viewflow.workflow.status import PROCESS, STATUS

from casework.locks import lock_object
from casework.models import Hazard, HazardTransition

from .flows import HazardFlow, remember_hazard
from .models import HazardProcess
from .nodes import HUMAN_NODES, NODE_FOR_STATE

OPEN = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)
Task = HazardFlow.task_class


def open_tasks(process: HazardProcess):
    return HazardFlow.task_class.objects.filter(process=process, status__in=OPEN).order_by("pk")


def _actor_of(task, record: HazardTransition | None):
    return record.actor if record is not None else task.owner


def _with_transition(task, record: HazardTransition | None) -> None:
    if record is not None:
        task.data = {**(task.data or {}), "transition": record.name, "transition_id": record.pk}


def _complete(task, *, record: HazardTransition | None) -> None:
    """Finish a human task whose step the hazard has left, through viewflow's activations."""
    activation = task.flow_task.activation_class(task)
    actor = _actor_of(task, record)
    if task.status == STATUS.NEW:
        activation.assign(actor)
        task.assigned = timezone.now()
    elif actor is not None and task.owner_id != actor.pk:
        activation.reassign(actor)
    if task.status == STATUS.ASSIGNED:
        activation.start(None)
    _with_transition(task, record)
    activation.execute()


# ---- the direct step -----------------------------------------------------------------------------
def _plain_node(node) -> bool:
    """A node whose activation does nothing but what ``_advance`` writes (no owner rule, hook, boundary)."""
    if getattr(node, "_boundary_events", None):
        return False
    if isinstance(node, View):
        return (
            node._owner is None
            and node._owner_permission is None
            and node._on_create is None
            and node._task_data is None
            and node._task_seed is None
            and isinstance(node._next, Switch)
        )
    return isinstance(node, (Switch, End))


def _direct_step_applies(task, actor) -> bool:
    if not connection.features.can_return_rows_from_bulk_insert:
        return False  # _advance links the new tasks by the ids their INSERT returns
    node = task.flow_task
    if task.status not in (STATUS.NEW, STATUS.ASSIGNED) or not _plain_node(node):
        return False
    if task.status == STATUS.ASSIGNED and actor is None and task.owner_id is None:
        return False  # viewflow would refuse to start a task nobody holds; let it say so
    return all(_plain_node(n) for n, _cond in node._next._branches)


class _RouteActivation:
    """What the route's conditions read: the process (carrying the hazard) and the task."""

    def __init__(self, process, task):
        self.process, self.task = process, task


def _advance(process: HazardProcess, task, *, record: HazardTransition | None) -> None:
    """Finish ``task`` (assign → start → done, as the transition's actor), pass ``route`` and open what it picks.

    Rows written: the task (one UPDATE), the route task and the next task (one INSERT), their two
    ``previous`` links (one INSERT); when the route ends the case, the end task goes in finished and the
    process is closed (one UPDATE) unless another of its tasks is still unfinished.
    """
    flow = HazardFlow
    actor = _actor_of(task, record)
    now = timezone.now()
    # The human task: viewflow's assign (NEW → ASSIGNED), reassign, start (→ STARTED), complete (→ DONE).
    if task.status == STATUS.NEW:
        task.assigned = now
    if task.status == STATUS.NEW or actor is not None:
        task.owner = actor
    task.status = STATUS.STARTED
    task_started.send(sender=flow, process=process, task=task)
    task.started = now
    _with_transition(task, record)
    task.status, task.finished = STATUS.DONE, timezone.now()
    task.save(update_fields=["status", "owner", "assigned", "started", "finished", "data"])
    task_finished.send(sender=flow, process=process, task=task)

    # The switch: its first true condition (or its default) decides, as SwitchActivation.activate does.
    switch = task.flow_task._next
    route = Task(process=process, flow_task=switch, flow_task_type=switch.task_type, token=task.token, data={})
    chosen = next(
        (node for node, cond in switch._branches if cond is None or cond(_RouteActivation(process, route))), None
    )
    if chosen is None:
        # What viewflow does: the route's error is the transition's error (the service rolls back).
        from viewflow.workflow.exceptions import FlowRuntimeError

        raise FlowRuntimeError(f"No next task available for {switch.name}")
    route.status, route.finished = STATUS.DONE, timezone.now()
    following = Task(process=process, flow_task=chosen, flow_task_type=chosen.task_type, token=route.token, data={})
    ends = isinstance(chosen, End)
    if ends:
        # EndActivation: started, then the process is finished if no other task of it is unfinished, then done.
        following.started = timezone.now()
        finishes_case = not Task.objects.filter(process=process, finished__isnull=True).exists()
        following.status, following.finished = STATUS.DONE, timezone.now()
    Task.objects.bulk_create([route, following])  # ids returned (checked in _direct_step_applies)
    # ``task.previous.add(prev)`` writes (from_task = task, to_task = prev).
    Task.previous.through.objects.bulk_create(
        [
            Task.previous.through(from_task_id=route.pk, to_task_id=task.pk),
            Task.previous.through(from_task_id=following.pk, to_task_id=route.pk),
        ]
    )
    task_finished.send(sender=flow, process=process, task=route)
    if ends:
        task_started.send(sender=flow, process=process, task=following)
        if finishes_case:
            process.status, process.finished = PROCESS.DONE, timezone.now()
            process.save(update_fields=["status", "finished"])
        task_finished.send(sender=flow, process=process, task=following)
        if finishes_case:
            flow_finished.send(sender=flow, process=process, task=following)


def _locked_process(hazard: Hazard) -> HazardProcess | None:
    """The hazard's process, its row locked as ``HazardFlow.lock`` locks it (this transaction holds the hazard)."""
    return lock_object(HazardProcess.objects.filter(hazard_id=hazard.pk))  # one process per hazard


def sync_hazard_process(hazard: Hazard, record: HazardTransition | None = None) -> HazardProcess:
    """Start the hazard's process if it has none; complete stale tasks so ``route`` opens the right one.

    ``hazard`` is the row as this transaction locked and saved it: ``route`` reads its state from it.
    """
    process = _locked_process(hazard)
    if process is None:
        return HazardFlow.start.run(hazard=hazard)
    remember_hazard(process, hazard)
    expected = NODE_FOR_STATE[hazard.state]
    for task in open_tasks(process):
        if task.flow_task.name in HUMAN_NODES and task.flow_task.name != expected:
            task.process = process
            if _direct_step_applies(task, _actor_of(task, record)):
                _advance(process, task, record=record)
            else:
                with HazardFlow.lock(process.pk):
                    _complete(task, record=record)
    return process


def after_transition(hazard: Hazard, record: HazardTransition) -> None:
    sync_hazard_process(hazard, record)
