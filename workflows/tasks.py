"""One task looked up for a user: scoped through casework.access, below the flow (the flow's views use it)."""

from django.db.models import Q, QuerySet
from django.http import Http404
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from casework.access import hazards_visible_to

from .models import HazardProcess
from .nodes import HUMAN_NODES

TAKEN = (STATUS.ASSIGNED, STATUS.STARTED)
OPEN = (STATUS.NEW, *TAKEN)


def processes_of(hazards: QuerySet) -> QuerySet:
    return HazardProcess.objects.filter(hazard__in=hazards.values("pk")).values("pk")


def task_get_for_user_or_404(user, pk: int) -> Task:
    """An open task of a hazard the user may see, or one the user finished; 404 otherwise."""
    task = (
        Task.objects.filter(pk=pk, process_id__in=processes_of(hazards_visible_to(user)))
        .filter(Q(status__in=OPEN) | Q(owner=user, status=STATUS.DONE))
        .select_related("owner", "process__hazardprocess__hazard__school", "process__hazardprocess__hazard__district")
        .first()
    )
    if task is None or task.flow_task is None or task.flow_task.name not in HUMAN_NODES:
        raise Http404
    return task


def hazard_of(task):
    return task.process.hazardprocess.hazard
