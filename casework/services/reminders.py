"""When a reminder is due, for any deadline: the hazard's, a campaign phase's, a report's."""

from datetime import date


def reminder_due(deadline: date, today: date, thresholds: list[int]) -> tuple[str, int] | None:
    """Which reminder applies today: ("overdue", 0), ("approaching", threshold) or None.

    The smallest threshold not below the days left, so a check that missed a day still reminds
    once, and never sends the 3-day reminder after the 1-day one.
    """
    days_left = (deadline - today).days
    if days_left < 0:
        return ("overdue", 0)
    fitting = [t for t in thresholds if t >= days_left]
    return ("approaching", min(fitting)) if fitting else None
