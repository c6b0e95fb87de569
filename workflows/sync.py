"""Keep the flow's open tasks matching the hazard's state, whichever path moved the state.

Registered in ``WorkflowsConfig.ready`` as casework's after-transition hook; it runs inside the
transition's transaction (the hazard row is already locked), so a failure here rolls the
transition back and the two never disagree.
"""
from django.utils import timezone
from viewflow.workflow.status import STATUS

from casework.models import Hazard, HazardTransition

from .flows import HazardFlow
from .models import HazardProcess
from .nodes import HUMAN_NODES, NODE_FOR_STATE

OPEN = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


def open_tasks(process: HazardProcess):
    return HazardFlow.task_class.objects.filter(process=process, status__in=OPEN).order_by("pk")


def _complete(task, *, record: HazardTransition | None) -> None:
    """Finish a human task whose step the hazard has left; the actor of the transition finished it."""
    activation = task.flow_task.activation_class(task)
    actor = record.actor if record is not None else task.owner
    if task.status == STATUS.NEW:
        activation.assign(actor)
        task.assigned = timezone.now()
    elif actor is not None and task.owner_id != actor.pk:
        activation.reassign(actor)
    if task.status == STATUS.ASSIGNED:
        activation.start(None)
    if record is not None:
        task.data = {**(task.data or {}), "transition": record.name, "transition_id": record.pk}
    activation.execute()


def sync_hazard_process(hazard: Hazard, record: HazardTransition | None = None) -> HazardProcess:
    """Start the hazard's process if it has none; complete stale tasks so ``route`` opens the right one."""
    process = HazardProcess.objects.filter(hazard_id=hazard.pk).first()
    if process is None:
        return HazardFlow.start.run(hazard=hazard)
    expected = NODE_FOR_STATE[hazard.state]
    with HazardFlow.lock(process.pk):
        for task in open_tasks(process):
            if task.flow_task.name in HUMAN_NODES and task.flow_task.name != expected:
                _complete(task, record=record)
    return process


def after_transition(hazard: Hazard, record: HazardTransition) -> None:
    sync_hazard_process(hazard, record)
