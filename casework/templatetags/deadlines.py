"""The deadline's explanation on the hazard page: how it was given, and the calendar's warning."""

from django import template

from casework.models import DeadlineBasis
from casework.rules.lifecycle import DEADLINE_ACTIONS
from casework.workdays import WorkingCalendar, coverage_warning

register = template.Library()


@register.simple_tag
def deadline_note(hazard) -> dict:
    """{'set_at', 'basis', 'warning' (now), 'recorded_warning' (when set)} for the hazard's current deadline."""
    if hazard.deadline is None:
        return {}
    last = hazard.transitions.filter(name__in=DEADLINE_ACTIONS).order_by("-occurred_at", "-id").first()
    note = {
        "set_at": last.occurred_at if last else None,
        "basis": hazard.deadline_basis,
        "recorded_warning": (last.payload or {}).get("deadline_warning", "") if last else "",
        "warning": "",
    }
    if hazard.deadline_basis == DeadlineBasis.WORKING_DAYS and last is not None:
        from django.utils import timezone

        calendar = WorkingCalendar()
        start = timezone.localdate(last.occurred_at)
        uncovered = [y for y in range(start.year, hazard.deadline.year + 1) if not calendar.year_is_covered(y)]
        note["warning"] = coverage_warning(uncovered)
    return note
