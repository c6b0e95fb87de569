"""Celery tasks (production). The same functions the management commands call."""

from celery import shared_task

from .delivery import deliver_pending
from .due import run_due_checks


@shared_task(name="notifications.deliver", ignore_result=True)
def deliver_notifications_task() -> dict:
    return deliver_pending().as_dict()


@shared_task(name="notifications.run_due_checks", ignore_result=True)
def run_due_checks_task() -> dict:
    return run_due_checks()
