"""Time-to-fix figures (整改用时): how long the steps of a hazard's life took, from the transition records.

For the hazards a user may see (``casework.access.hazards_visible_to``) that were reported within a
campaign's period (local dates, both ends included) and by the cut-off, and not closed as invalid by
the cut-off, three intervals, each counted only once both ends happened by the cut-off
(``occurred_at <= as_of``):

- report → assignment: the report, to the first ``assign``;
- assignment → rectification: the first ``assign``, to the rectification that stands — the last
  ``report_rectified`` not followed by a ``reject`` (rework time counts as time to fix);
- rectification → verification: that rectification, to the ``verify``.

Durations are whole days between the local dates (Asia/Shanghai) of the two moments: calendar days
(``b - a``) and working days (``casework.workdays``: the working days d with a < d <= b, holidays
and make-up workdays included). Per group: the count, the median (the mean of the two middle values
for an even count) and the 90th percentile by the nearest-rank method (the smallest value with at
least 90 % of the values at or below it).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from casework.access import hazards_visible_to
from casework.models import Category, HazardTransition, SchoolKind
from casework.workdays import WorkingCalendar, coverage_warning

INTERVALS = (
    ("report_to_assign", "上报 → 交办"),
    ("assign_to_rectify", "交办 → 整改完成"),
    ("rectify_to_verify", "整改完成 → 验收销号"),
)
DIMENSIONS = {
    "district": "辖市区",
    "school_kind": "学校类型",
    "category": "类别",
}
# Groups in the order the choices list them (districts by name).
_ORDER = {
    "district": lambda label: label,
    "school_kind": lambda label: ([k.label for k in SchoolKind] + ["未分类"]).index(label),
    "category": lambda label: [c.label for c in Category].index(label) if label in Category.labels else 99,
}
EVENTS = ("report", "assign", "report_rectified", "reject", "verify", "close_invalid")


@dataclass(frozen=True)
class Figure:
    """One interval's statistics for one group; the values are whole days."""

    count: int
    median_days: float | None
    p90_days: int | None
    median_working_days: float | None
    p90_working_days: int | None

    @classmethod
    def of(cls, durations: list[tuple[int, int]]) -> Figure:
        calendar_days = [c for c, _ in durations]
        working_days = [w for _, w in durations]
        return cls(
            len(durations),
            median(calendar_days),
            percentile_nearest_rank(calendar_days, 90),
            median(working_days),
            percentile_nearest_rank(working_days, 90),
        )


@dataclass
class Row:
    label: str
    hazards: int
    figures: dict[str, Figure]

    @property
    def ordered(self) -> list[Figure]:
        """The figures in the order of ``INTERVALS`` (for templates)."""
        return [self.figures[key] for key, _ in INTERVALS]


@dataclass
class TimeToFix:
    period_start: date
    period_end: date
    as_of: datetime
    total: Row
    tables: dict[str, list[Row]] = field(default_factory=dict)
    uncovered_years: list[int] = field(default_factory=list)

    @property
    def warning(self) -> str:
        return coverage_warning(self.uncovered_years)


def median(values: list[int]) -> float | None:
    return statistics.median(values) if values else None


def percentile_nearest_rank(values: list[int], p: int) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(p / 100 * len(ordered)), 1) - 1]


@dataclass
class _Moments:
    reported: datetime | None = None
    assigned: datetime | None = None
    rectified: datetime | None = None
    verified: datetime | None = None
    closed_invalid: bool = False


def _moments(events) -> dict[int, _Moments]:
    found: dict[int, _Moments] = defaultdict(_Moments)
    for hazard_id, name, occurred_at in events:
        m = found[hazard_id]
        if name == "report":
            m.reported = occurred_at
        elif name == "assign" and m.assigned is None:
            m.assigned = occurred_at
        elif name == "report_rectified":
            m.rectified = occurred_at
        elif name == "reject":
            m.rectified = None  # that fix did not stand
        elif name == "verify":
            m.verified = occurred_at
        elif name == "close_invalid":
            m.closed_invalid = True
    return found


def time_to_fix_for(
    user,
    *,
    period_start: date,
    period_end: date,
    as_of: datetime,
    dimensions: tuple[str, ...] = ("district", "school_kind", "category"),
) -> TimeToFix:
    """The time-to-fix figures of the hazards ``user`` may see, for a campaign period and a cut-off."""
    hazards = list(
        hazards_visible_to(user)
        .filter(reported_at__date__gte=period_start, reported_at__date__lte=period_end, reported_at__lte=as_of)
        .select_related("district", "school")
    )
    events = (
        HazardTransition.objects.filter(hazard_id__in=[h.pk for h in hazards], occurred_at__lte=as_of, name__in=EVENTS)
        .order_by("hazard_id", "occurred_at", "seq")
        .values_list("hazard_id", "name", "occurred_at")
    )
    moments = _moments(events)
    calendar = WorkingCalendar()

    def span(a: datetime | None, b: datetime | None) -> tuple[int, int] | None:
        if a is None or b is None:
            return None
        da, db = timezone.localdate(a), timezone.localdate(b)
        return (db - da).days, calendar.working_days_between(da, db)

    labels = {
        "district": lambda h: h.district.name,
        "school_kind": lambda h: SchoolKind(h.school.school_kind).label if h.school.school_kind else "未分类",
        "category": lambda h: Category(h.category).label if h.category in Category.values else h.category,
    }
    durations_of: dict[int, dict[str, tuple[int, int]]] = {}
    for h in hazards:
        m = moments[h.pk]
        if m.closed_invalid:
            continue
        spans = {
            "report_to_assign": span(m.reported, m.assigned),
            "assign_to_rectify": span(m.assigned, m.rectified),
            "rectify_to_verify": span(m.rectified, m.verified),
        }
        durations_of[h.pk] = {k: v for k, v in spans.items() if v is not None}
    counted = [h for h in hazards if h.pk in durations_of]

    def row(label: str, group) -> Row:
        figures = {
            key: Figure.of([durations_of[h.pk][key] for h in group if key in durations_of[h.pk]])
            for key, _ in INTERVALS
        }
        return Row(label=label, hazards=len(group), figures=figures)

    tables = {}
    for dim in dimensions:
        groups: dict[str, list] = defaultdict(list)
        for h in counted:
            groups[labels[dim](h)].append(h)
        tables[dim] = [row(label, groups[label]) for label in sorted(groups, key=_ORDER[dim])]
    return TimeToFix(
        period_start=period_start,
        period_end=period_end,
        as_of=as_of,
        total=row("合计", counted),
        tables=tables,
        uncovered_years=sorted(calendar.uncovered_years),
    )
