"""The hazard-specific due checks: deadline approaching (N days before) and overdue.

Registered with the generic runner in ``notifications.due`` (``manage.py run_due_checks``, the
``--loop`` worker, Celery beat). Each reminder is queued once per (hazard, deadline, threshold):
the deadline is part of the dedupe key, so a changed deadline re-arms the reminders, and the unique
(recipient, dedupe_key) constraint makes a second run, or a run on another worker at the same
moment, queue nothing.

Other checks register in their own modules, all imported by ``casework/due_checks.py`` (which the runner
discovers): listed supervision's progress reports and raising (``listing_checks``), campaign phase and
report-due reminders (``campaign_checks``).
"""

from datetime import date

from django.conf import settings
from django.db import transaction

from casework.locks import lock_object
from casework.models import Hazard
from casework.rules.lifecycle import OVERDUE_STATES
from notifications.due import due_check
from notifications.models import Notification

from .notify import notify_hazard_due
from .reminders import reminder_due

__all__ = ["hazard_deadline_reminders", "reminder_due", "reminder_thresholds"]

BATCH = 500


def reminder_thresholds() -> list[int]:
    """Days before the deadline at which to remind, largest first (REMINDER_DAYS_BEFORE, default 3,1)."""
    return sorted({int(d) for d in settings.REMINDER_DAYS_BEFORE if int(d) >= 0}, reverse=True)


def approaching_key(hazard_id: int, deadline: date, threshold: int) -> str:
    return f"hazard:{hazard_id}:deadline:{deadline.isoformat()}:due-in:{threshold}"


def overdue_key(hazard_id: int, deadline: date) -> str:
    return f"hazard:{hazard_id}:deadline:{deadline.isoformat()}:overdue"


def _key(hazard: Hazard, kind: str, threshold: int) -> str:
    if kind == "overdue":
        return overdue_key(hazard.pk, hazard.deadline)
    return approaching_key(hazard.pk, hazard.deadline, threshold)


def _already_queued(keys: list[str]) -> set[str]:
    return set(Notification.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True).distinct())


@due_check("hazard_deadlines")
def hazard_deadline_reminders(today: date) -> int:
    """Remind the school (and, when overdue, the district) of hazard deadlines; return how many queued."""
    thresholds = reminder_thresholds()
    horizon = today.toordinal() + (thresholds[0] if thresholds else -1)
    hazards = (
        Hazard.objects.filter(
            state__in=OVERDUE_STATES, deadline__isnull=False, deadline__lte=date.fromordinal(max(horizon, 1))
        )
        .select_related("school")
        .order_by("pk")
    )
    queued = 0
    last_pk = 0
    while True:
        batch = list(hazards.filter(pk__gt=last_pk)[:BATCH])
        if not batch:
            break
        last_pk = batch[-1].pk
        due = []
        for hazard in batch:
            reminder = reminder_due(hazard.deadline, today, thresholds)
            if reminder:
                due.append((hazard, *reminder, _key(hazard, *reminder)))
        # Skip what an earlier run queued already; the unique constraint covers the race with a parallel run.
        done = _already_queued([key for *_, key in due])
        for hazard, kind, threshold, key in due:
            if key in done:
                continue
            queued += _remind(hazard.pk, kind, threshold, today)
    return queued


@transaction.atomic
def _remind(hazard_id: int, kind: str, threshold: int, today: date) -> int:
    # Re-read under a lock: the hazard may have moved (fixed, deadline changed) since the batch was read.
    hazard = lock_object(Hazard.objects.filter(pk=hazard_id), related=("school",))
    if hazard is None or hazard.state not in OVERDUE_STATES or hazard.deadline is None:
        return 0
    if reminder_due(hazard.deadline, today, reminder_thresholds()) != (kind, threshold):
        return 0
    deadline = hazard.deadline.strftime("%Y-%m-%d")
    if kind == "overdue":
        body = f"{hazard.school.name} · 整改时限 {deadline} 已过，请尽快整改并报告。"
        event = "overdue"
    else:
        days = (hazard.deadline - today).days
        when = "今天" if days == 0 else f"{days} 天后"
        body = f"{hazard.school.name} · 整改时限 {deadline}（{when}到期）。"
        event = "deadline_approaching"
    return len(notify_hazard_due(hazard, event=event, body=body, dedupe_key=_key(hazard, kind, threshold)))
