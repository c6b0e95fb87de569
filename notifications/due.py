"""Due checks: periodic functions that queue reminders (deadline approaching, overdue, report due, …).

The generic part lives here: a registry of check functions and the runner. Each domain module
registers its own checks with ``@due_check("name")``; the runner imports ``<app>.due_checks`` and
``<app>.services.due_checks`` of every installed app first, so a new module only needs to be
imported from one of those (see ``casework/services/due_checks.py``).

A check must be safe to run twice and on two workers at once: it queues with
``notifications.services.notify(..., dedupe_key=...)``, and the unique (recipient, dedupe_key)
constraint turns a repeat into nothing.
"""

import logging
from collections.abc import Callable
from datetime import date

from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

log = logging.getLogger(__name__)

DueCheck = Callable[[date], int]
_REGISTRY: dict[str, DueCheck] = {}


def due_check(name: str) -> Callable[[DueCheck], DueCheck]:
    """Register ``func(today) -> number of notifications queued`` under ``name``."""

    def register(func: DueCheck) -> DueCheck:
        _REGISTRY[name] = func
        return func

    return register


def registered_checks() -> dict[str, DueCheck]:
    autodiscover_modules("due_checks", "services.due_checks")
    return dict(_REGISTRY)


def run_due_checks(*, today: date | None = None, only: list[str] | None = None) -> dict[str, int]:
    """Run every registered check (or ``only`` these) for ``today`` (Asia/Shanghai); one failing check
    does not stop the others."""
    today = today or timezone.localdate()
    results = {}
    for name, check in registered_checks().items():
        if only and name not in only:
            continue
        try:
            results[name] = check(today)
        except Exception:
            log.exception("due check %s failed", name)
            results[name] = -1
    return results
