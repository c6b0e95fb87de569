"""Task lists, every one scoped through casework.access (viewflow's own lists are not)."""

from django.db.models import Q, QuerySet
from viewflow.workflow.status import STATUS

from casework.access import hazards_actionable_by, hazards_visible_to

from .flows import HazardFlow
from .nodes import HUMAN_NODES, primary_action
from .tasks import TAKEN, hazard_of, task_get_for_user_or_404
from .tasks import processes_of as _processes_of

__all__ = [
    "hazard_of",
    "open_tasks_visible_to",
    "task_archive",
    "task_get_for_user_or_404",
    "task_inbox",
    "task_queue",
    "tasks_eligible_for",
]
Task = HazardFlow.task_class


def _tasks() -> QuerySet:
    return Task.objects.filter(flow_task__in=[getattr(HazardFlow, n) for n in HUMAN_NODES]).select_related(
        "owner", "process__hazardprocess__hazard__school", "process__hazardprocess__hazard__district"
    )


def tasks_eligible_for(user) -> Q:
    """Tasks whose action ``user`` may perform: role for the node's action, in scope."""
    query = Q(pk__in=[])
    for node in HUMAN_NODES:
        hazards = hazards_actionable_by(user, primary_action(node))
        query |= Q(flow_task=getattr(HazardFlow, node), process_id__in=_processes_of(hazards))
    return query


def task_queue(user) -> QuerySet:
    """Open tasks nobody has taken that the user may take."""
    return _tasks().filter(tasks_eligible_for(user), status=STATUS.NEW).order_by("created", "pk")


def task_inbox(user) -> QuerySet:
    """Tasks the user has taken and not finished."""
    return (
        _tasks()
        .filter(owner=user, status__in=TAKEN, process_id__in=_processes_of(hazards_visible_to(user)))
        .order_by("created", "pk")
    )


def task_archive(user) -> QuerySet:
    """Tasks the user finished."""
    return (
        _tasks()
        .filter(owner=user, status=STATUS.DONE, process_id__in=_processes_of(hazards_visible_to(user)))
        .order_by("-finished", "-pk")
    )


def open_tasks_visible_to(user) -> QuerySet:
    """Open tasks of the hazards the user may see (the hazard page shows who holds what)."""
    return _tasks().filter(status__in=(STATUS.NEW, *TAKEN), process_id__in=_processes_of(hazards_visible_to(user)))
