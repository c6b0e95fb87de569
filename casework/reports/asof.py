"""The ledger as it stood at a moment, reconstructed from the transition log, never from today's rows.

A moment is a pair: ``as_of`` (what had happened by then, the records' ``occurred_at``) and
``known_at`` (what had been entered by then, their ``recorded_at``). A hazard's state at the moment
is the ``to_state`` of its last visible transition record. For one hazard the visible records are a
prefix of its log in id order: records are appended one at a time under the hazard's row lock
(so ids and ``recorded_at`` rise together) and a record's ``occurred_at`` may never precede the one
before it. The last visible record is therefore ``MAX(id)`` of the visible ones, a plain GROUP BY
that PostgreSQL answers from the (district, occurred_at) index, with no per-hazard Python.

The counts follow DESIGN.md, "Campaigns, inspections and reports":
- total (排查出的总隐患数 / 校园隐患总数): hazards reported within the campaign's period whose report is
  visible at the moment and that were not closed as invalid by then;
- rectified (隐患整改数 / 整改数): of those, the ones verified (验收销号) by then;
- pending (待验收): a fix reported but not yet verified, which is *not* rectified;
- unrectified (未整改隐患数): total minus rectified.
Which hazards take part (sensitive ones or not, whose scope) is decided by the caller's queryset,
which comes from ``casework.access``.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import CharField, Count, F, Max, Q, QuerySet
from django.db.models.functions import Cast
from django.db.models.fields.json import KT
from django.utils import timezone

from casework.models import Hazard, HazardState, HazardTransition
from casework.models.hazard import OVERDUE_STATES

# The records that carry a deadline in their payload (``payload["deadline"]``, an ISO date).
DEADLINE_SETTERS = ("assign", "change_deadline", "record_coordination")


@dataclass(frozen=True)
class Moment:
    """What had happened by ``as_of`` as far as it had been entered by ``known_at``."""

    as_of: datetime
    known_at: datetime

    def __post_init__(self):
        for name in ("as_of", "known_at"):
            if timezone.is_naive(getattr(self, name)):
                raise ValueError(f"{name} must be timezone-aware")

    @classmethod
    def at(cls, as_of: datetime, known_at: datetime | None = None) -> Moment:
        """The moment ``as_of``, known as of ``known_at`` (default: now)."""
        return cls(as_of=as_of, known_at=known_at or timezone.now())

    @property
    def cutoff_date(self) -> date:
        return timezone.localdate(self.as_of)


@dataclass(frozen=True)
class Period:
    """A campaign's period (both days included, Asia/Shanghai)."""

    start: date
    end: date
    name: str = ""

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        tz = timezone.get_current_timezone()
        return (timezone.make_aware(datetime.combine(self.start, time.min), tz),
                timezone.make_aware(datetime.combine(self.end, time.max), tz))


@dataclass(frozen=True)
class Counts:
    total: int = 0
    rectified: int = 0
    pending: int = 0  # 待验收: reported fixed, not yet verified (counted as unrectified)
    overdue: int = 0

    @property
    def unrectified(self) -> int:
        return self.total - self.rectified

    @property
    def rate(self) -> float | None:
        """The rectification rate (整改率), or None when there is nothing to rectify."""
        return self.rectified / self.total if self.total else None

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.total + other.total, self.rectified + other.rectified,
                      self.pending + other.pending, self.overdue + other.overdue)

    @classmethod
    def sum(cls, items: Iterable[Counts]) -> Counts:
        result = cls()
        for item in items:
            result = result + item
        return result


def _in_period(hazards: QuerySet[Hazard], period: Period | None) -> QuerySet[Hazard]:
    if period is None:
        return hazards
    start, end = period.bounds
    # reported_at is the report record's occurred_at (hazard_report writes both from one value).
    return hazards.filter(reported_at__gte=start, reported_at__lte=end)


def visible_transitions(hazards: QuerySet[Hazard], moment: Moment, period: Period | None = None,
                        *, district_id: int | None = None) -> QuerySet[HazardTransition]:
    """The transition records of ``hazards`` that had happened by as_of and been entered by known_at."""
    records = HazardTransition.objects.filter(
        occurred_at__lte=moment.as_of,
        recorded_at__lte=moment.known_at,
        hazard_id__in=_in_period(hazards, period).values("pk"),
    )
    if district_id is not None:
        records = records.filter(district_id=district_id)  # lets the (district, occurred_at) index lead
    return records


def last_records(hazards: QuerySet[Hazard], moment: Moment, period: Period | None = None,
                 *, district_id: int | None = None) -> QuerySet[HazardTransition]:
    """One record per hazard that existed at the moment: its last visible one, whose to_state is its state then."""
    last_ids = (
        visible_transitions(hazards, moment, period, district_id=district_id)
        .order_by()
        .values("hazard_id")
        .annotate(last=Max("id"))
        .values("last")
    )
    return HazardTransition.objects.filter(id__in=last_ids)


def _count_expressions() -> dict:
    return {
        "total": Count("id", filter=~Q(to_state=HazardState.CLOSED_INVALID)),
        "rectified": Count("id", filter=Q(to_state=HazardState.VERIFIED)),
        "pending": Count("id", filter=Q(to_state=HazardState.RECTIFIED)),
    }


def counts_by(hazards: QuerySet[Hazard], moment: Moment, period: Period | None = None, *,
              by: str = "school", district_id: int | None = None) -> dict[int | str, Counts]:
    """Counts per school (or district, category, severity, state) as of the moment: one grouped query.

    ``by`` names a field of the hazard. Overdue counts are added from a second grouped query.
    """
    rows = (
        last_records(hazards, moment, period, district_id=district_id)
        .order_by()
        .values(key=F(f"hazard__{by}") if by != "state" else F("to_state"))
        .annotate(**_count_expressions())
    )
    overdue = overdue_by(hazards, moment, period, by=by, district_id=district_id)
    return {
        row["key"]: Counts(total=row["total"], rectified=row["rectified"], pending=row["pending"],
                           overdue=overdue.get(row["key"], 0))
        for row in rows
    }


def overdue_hazard_ids(hazards: QuerySet[Hazard], moment: Moment, period: Period | None = None, *,
                       district_id: int | None = None) -> QuerySet:
    """Hazards overdue at the moment, as a subquery of ids: open for rectification then, and the
    deadline then (named by the last visible record that set one) before the cut-off day."""
    open_then = (
        last_records(hazards, moment, period, district_id=district_id)
        .filter(to_state__in=OVERDUE_STATES)
        .values("hazard_id")
    )
    deadline_ids = (
        visible_transitions(hazards, moment, period, district_id=district_id)
        .filter(name__in=DEADLINE_SETTERS, hazard_id__in=open_then)
        .order_by()
        .values("hazard_id")
        .annotate(last=Max("id"))
        .values("last")
    )
    return (
        HazardTransition.objects.filter(id__in=deadline_ids)
        .annotate(deadline=Cast(KT("payload__deadline"), output_field=CharField()))
        # ISO dates compare as text in both SQLite and PostgreSQL.
        .filter(deadline__lt=moment.cutoff_date.isoformat())
        .values("hazard_id")
    )


def overdue_by(hazards: QuerySet[Hazard], moment: Moment, period: Period | None = None, *,
               by: str = "school", district_id: int | None = None) -> dict[int | str, int]:
    """The number of hazards overdue at the moment, per school (or another hazard field, or state)."""
    rows = (
        last_records(hazards, moment, period, district_id=district_id)
        .filter(hazard_id__in=overdue_hazard_ids(hazards, moment, period, district_id=district_id))
        .order_by()
        .values(key=F(f"hazard__{by}") if by != "state" else F("to_state"))
        .annotate(n=Count("id"))
    )
    return {row["key"]: row["n"] for row in rows}


def cube(hazards: QuerySet[Hazard], moment: Moment, period: Period | None = None, *,
         dims: Sequence[str] = ("district", "category", "severity")) -> list[dict]:
    """Counts per combination of hazard fields and state at the moment, for the statistics page.

    Each row: the dims' values (hazard fields), ``state`` (as of the moment) and ``n``. One grouped query;
    the number of rows is bounded by the number of combinations, not of hazards.
    """
    values = {dim: F(f"hazard__{dim}") for dim in dims}
    return list(
        last_records(hazards, moment, period)
        .order_by()
        .values(**values, state=F("to_state"))
        .annotate(n=Count("id"))
    )


def hazard_ids_as_of(hazards: QuerySet[Hazard], moment: Moment, period: Period | None = None,
                     *, states: Iterable[str] | None = None) -> QuerySet:
    """The ids of the hazards existing at the moment (optionally in the given states then), as a subquery."""
    records = last_records(hazards, moment, period)
    if states is not None:
        records = records.filter(to_state__in=list(states))
    return records.values("hazard_id")
