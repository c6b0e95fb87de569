"""Each role's home page and the task lists (inbox, queue, archive), all scoped through casework.access."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from casework.access import hazards_visible_to, memberships_of
from casework.errors import TransitionRefused
from casework.models import HazardState, ListingState
from casework.rules.lifecycle import OVERDUE_STATES, overdue_q

from . import services
from .nodes import NODE_LABELS
from .selectors import hazard_of, task_archive, task_get_for_user_or_404, task_inbox, task_queue

DUE_SOON_DAYS = 7
HOME_LIST_LIMIT = 20


def home_sections(user, today=None) -> dict:
    """What a user's home page counts and lists: their tasks, and the deadlines in their scope."""
    today = today or timezone.localdate()
    visible = hazards_visible_to(user).select_related("school", "district")
    pending = visible.filter(state__in=OVERDUE_STATES)
    return {
        "inbox": task_inbox(user),
        "queue": task_queue(user),
        "overdue": visible.filter(overdue_q(today)).order_by("deadline", "pk"),
        "due_soon": pending.filter(deadline__gte=today, deadline__lte=today + timedelta(days=DUE_SOON_DAYS)).order_by(
            "deadline", "pk"
        ),
        "escalated": visible.filter(state=HazardState.ESCALATED).order_by("-reported_at", "pk"),
        # Under an active listed supervision (挂牌督办): the ledger's ``listed=1`` filter lists the same.
        "listed": visible.filter(listings__state=ListingState.ACTIVE).distinct().order_by("-reported_at", "pk"),
    }


@login_required
def home(request):
    sections = home_sections(request.user)
    counts = {name: qs.count() for name, qs in sections.items()}
    lists = {name: list(qs[:HOME_LIST_LIMIT]) for name, qs in sections.items()}
    return render(
        request,
        "workflows/home.html",
        {
            "counts": counts,
            "lists": lists,
            "memberships": memberships_of(request.user),
            "node_labels": NODE_LABELS,
            "due_soon_days": DUE_SOON_DAYS,
        },
    )


def _task_list(request, qs, *, title: str, kind: str):
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request, "workflows/task_list.html", {"page": page, "title": title, "kind": kind, "node_labels": NODE_LABELS}
    )


@login_required
def inbox(request):
    return _task_list(request, task_inbox(request.user), title="我的待办（已领取）", kind="inbox")


@login_required
def queue(request):
    return _task_list(request, task_queue(request.user), title="任务队列（可领取）", kind="queue")


@login_required
def archive(request):
    return _task_list(request, task_archive(request.user), title="已办任务", kind="archive")


@login_required
def task_detail(request, task_pk: int):
    task = task_get_for_user_or_404(request.user, task_pk)
    return render(
        request,
        "workflows/task_detail.html",
        {
            "task": task,
            "hazard": hazard_of(task),
            "node_labels": NODE_LABELS,
            "can_take": task.flow_task.can_assign(request.user, task),
            "can_release": task.status == "ASSIGNED" and task.flow_task.can_unassign(request.user, task),
            "candidates": services.eligible_users(task)
            if task.status == "ASSIGNED" and task.flow_task.can_unassign(request.user, task)
            else [],
        },
    )


def _task_write(request, task_pk: int, write, done: str, **kwargs):
    task = task_get_for_user_or_404(request.user, task_pk)
    try:
        write(task_id=task.pk, actor=request.user, **kwargs)
    except TransitionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("workflows:task", task_pk=task.pk)
    messages.success(request, done)
    return redirect(request.POST.get("next") or "workflows:home")


@login_required
@require_POST
def take(request, task_pk: int):
    return _task_write(request, task_pk, services.task_take, "已领取任务，见“我的待办”。")


@login_required
@require_POST
def release(request, task_pk: int):
    return _task_write(request, task_pk, services.task_release, "已退回任务队列。")


@login_required
@require_POST
def reassign(request, task_pk: int):
    try:
        to_user = int(request.POST.get("to_user", ""))
    except ValueError:
        messages.error(request, "请选择接收人。")
        return redirect("workflows:task", task_pk=task_pk)
    return _task_write(request, task_pk, services.task_reassign, "已转办。", to_user_id=to_user)
