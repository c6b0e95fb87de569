"""Reading the web pages' query parameters: one parser for every area.

A malformed value is ignored (``None`` or the caller's default), never a 500; only ``moment_param``
refuses, with ``BadParameter`` and a message the page can show, because a report drawn at a moment the
user did not ask for would be wrong rather than merely unfiltered.
"""

from collections.abc import Container
from datetime import date, datetime, time, tzinfo

from django.utils import timezone

FLAG_VALUES = ("1", "on", "true")


class BadParameter(Exception):
    pass


def int_param(value) -> int | None:
    """``int(value)``, or None when it is missing or not an integer."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def date_param(value, default: date | None = None) -> date | None:
    """An ISO date (YYYY-MM-DD), or ``default`` when it is missing or malformed."""
    try:
        return date.fromisoformat(value) if value else default
    except (TypeError, ValueError):
        return default


def choice_param(value, choices: Container, default: str = "") -> str:
    """``value`` when it is one of ``choices`` (a ``TextChoices`` class, a mapping, a sequence), else ``default``."""
    return value if value is not None and value in choices else default


def flag_param(value) -> bool:
    """A checkbox or a link's ``?overdue=1``: true for 1, on and true."""
    return value in FLAG_VALUES


def moment_param(value: str, *, end_of_day: bool = False, tz: tzinfo | None = None) -> datetime | None:
    """A date (the end of that day, for a cut-off, else its start) or an ISO datetime; None when missing.

    A naive moment is read in ``tz`` (the current time zone, Asia/Shanghai, unless given);
    a malformed one raises ``BadParameter``.
    """
    if not value:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime.combine(day, time(23, 59, 59) if end_of_day else time.min)
        else:
            moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadParameter(f"时间格式无效：{value}") from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, tz or timezone.get_current_timezone())
    return moment
