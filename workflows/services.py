"""Task writes: take, release, hand over. Atomic, the task row locked, checked through the flow node.

These move only viewflow's task (who holds it), never the hazard: the hazard moves through
casework's transition services alone.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from viewflow.workflow.status import STATUS

from casework import errors
from casework.access import ensure_writer
from casework.errors import TransitionRefused
from casework.locks import lock_object
from casework.models import Membership
from casework.rules.roles import Role
from casework.rules.scope import Place, memberships_covering_q

from .flows import HazardFlow

Task = HazardFlow.task_class


def _lock(task_id: int):
    task = lock_object(Task.objects.filter(pk=task_id))
    if task is None:
        raise TransitionRefused("任务不存在或不在您的管辖范围内。", code=errors.OUT_OF_SCOPE)
    return task


def _check_not_auditor(actor) -> None:
    ensure_writer(actor)


@transaction.atomic
def task_take(*, task_id: int, actor):
    """An eligible user takes an open task from the queue into their inbox."""
    _check_not_auditor(actor)
    task = _lock(task_id)
    node = task.flow_task
    if task.status != STATUS.NEW:
        holder = task.owner.get_full_name() or task.owner.username if task.owner else "他人"
        raise TransitionRefused(f"该任务已由{holder}领取或已办结。", code=errors.WRONG_STATE)
    if not node.can_assign(actor, task):
        raise TransitionRefused("您不能领取此任务（角色或管辖范围不符）。", code=errors.FORBIDDEN_ROLE)
    activation = node.activation_class(task)
    with HazardFlow.lock(task.process_id):
        activation.assign(actor)
        task.assigned = timezone.now()
        task.save()
    return task


@transaction.atomic
def task_release(*, task_id: int, actor):
    """The holder (or a district officer in scope) puts a taken task back into the queue."""
    _check_not_auditor(actor)
    task = _lock(task_id)
    node = task.flow_task
    if task.status != STATUS.ASSIGNED:
        raise TransitionRefused("该任务未被领取或已办结，不能退回。", code=errors.WRONG_STATE)
    if not node.can_unassign(actor, task):
        raise TransitionRefused("只有任务领取人或区教育局安全干部可以退回任务。", code=errors.FORBIDDEN_ROLE)
    activation = node.activation_class(task)
    with HazardFlow.lock(task.process_id):
        activation.unassign()
        task.assigned = None
        task.save()
    return task


@transaction.atomic
def task_reassign(*, task_id: int, actor, to_user_id: int):
    """The holder (or a district officer in scope) hands a taken task to another eligible user."""
    _check_not_auditor(actor)
    task = _lock(task_id)
    node = task.flow_task
    if task.status != STATUS.ASSIGNED:
        raise TransitionRefused("该任务未被领取或已办结，不能转办。", code=errors.WRONG_STATE)
    if not node.can_unassign(actor, task):
        raise TransitionRefused("只有任务领取人或区教育局安全干部可以转办任务。", code=errors.FORBIDDEN_ROLE)
    to_user = get_user_model().objects.filter(pk=to_user_id, is_active=True).first()
    if to_user is None or not node.user_may_act(to_user, task):
        raise TransitionRefused(
            "接收人不能办理此任务（角色或管辖范围不符）。",
            code=errors.OUT_OF_SCOPE,
            fields={"to_user": "请选择有权办理的人员"},
        )
    activation = node.activation_class(task)
    with HazardFlow.lock(task.process_id):
        activation.reassign(to_user)
        task.assigned = timezone.now()
        task.save()
    return task


def eligible_users(task):
    """The users who may hold this task (for the hand-over form)."""
    node = task.flow_task
    hazard = task.process.coerced.hazard
    units = memberships_covering_q(Place.of_row(hazard), Role)
    users = {m.user for m in Membership.objects.filter(units, active=True).select_related("user") if m.user.is_active}
    return sorted((u for u in users if node.user_may_act(u, task)), key=lambda u: u.username)
