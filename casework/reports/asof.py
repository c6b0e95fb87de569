"""The ledger as it stood at a moment, reconstructed from the transition log, never from today's rows.

A moment is a pair: ``as_of`` (what had happened by then, the records' ``occurred_at``) and
``known_at`` (what had been entered by then, their ``recorded_at``). A hazard's state at the moment
is the ``to_state`` of its last visible transition record. For one hazard the visible records are a
prefix of its log in id order: records are appended one at a time under the hazard's row lock
(so ids and ``recorded_at`` rise together) and a record's ``occurred_at`` may never precede the one
before it. The last visible record is therefore the one with the highest id among the visible ones.
Every figure here is one statement that reads the visible records once, keeps the last one per hazard
and joins it to the caller's hazards (see "one pass" below), with no per-hazard Python.

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

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import CharField, F, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone

from casework.models import Hazard, HazardState, HazardTransition
from casework.rules.lifecycle import OVERDUE_STATES

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
        return (
            timezone.make_aware(datetime.combine(self.start, time.min), tz),
            timezone.make_aware(datetime.combine(self.end, time.max), tz),
        )


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
        return Counts(
            self.total + other.total,
            self.rectified + other.rectified,
            self.pending + other.pending,
            self.overdue + other.overdue,
        )

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


# ---- one pass: each hazard's state (and deadline) at the moment, joined to the hazards counted --------
# No figure fetches the last records back by id (one index probe and one row per hazard): each reads the
# visible records once, keeps the last one per hazard, and joins that to the caller's hazards, all in one
# statement. PostgreSQL keeps the last one with DISTINCT ON, walking the index on (district, hazard, id)
# that covers the columns it needs (migration 0009); SQLite with MAX(id) and its "bare column" rule (the
# other columns come from the row holding the maximum); other databases with ROW_NUMBER().


def _compile(queryset: QuerySet) -> tuple[str, tuple]:
    sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    return sql, tuple(params)


def _records_for(
    hazards: QuerySet[Hazard], moment: Moment, period: Period | None, district_id: int | None
) -> QuerySet[HazardTransition]:
    """The visible records of the log, narrowed to one district (or to the districts of ``hazards``)."""
    records = HazardTransition.objects.using(hazards.db).filter(
        occurred_at__lte=moment.as_of, recorded_at__lte=moment.known_at
    )
    if district_id is not None:
        return records.filter(district_id=district_id)
    return records.filter(district_id__in=_in_period(hazards, period).order_by().values("district_id"))


def _last_per_hazard(records: QuerySet[HazardTransition], *columns: str, **expressions) -> tuple[str, tuple]:
    """SQL of one row per hazard: ``hazard_id`` and the ``columns`` / ``expressions`` of its last record in
    ``records`` (the highest id: the visible records of a hazard are a prefix of its log in id order)."""
    names = [*columns, *expressions]
    vendor = connections[records.db].vendor
    if vendor == "postgresql":
        return _compile(
            records.order_by("hazard_id", "-id").distinct("hazard_id").values("hazard_id", *columns, **expressions)
        )
    inner, params = _compile(records.order_by().values("hazard_id", "id", *columns, **expressions))
    if vendor == "sqlite":
        # The bare columns of a MAX() aggregate come from the row holding the maximum (SQLite documents it).
        return (
            f"SELECT r.hazard_id, {', '.join(f'r.{n}' for n in names)}, MAX(r.id) AS last_id "
            f"FROM ({inner}) r GROUP BY r.hazard_id",
            params,
        )
    return (
        f"SELECT w.hazard_id, {', '.join(f'w.{n}' for n in names)} FROM (SELECT r.*, ROW_NUMBER() OVER "
        f"(PARTITION BY r.hazard_id ORDER BY r.id DESC) AS rn FROM ({inner}) r) w WHERE w.rn = 1",
        params,
    )


def _scope(hazards: QuerySet[Hazard], period: Period | None, keys: Sequence[str]) -> tuple[str, tuple]:
    """The caller's hazards (in the period) as (asof_id, asof_<key>...). The keys name the SQL aliases the
    figures group by: each must be a field of the hazard (FieldDoesNotExist otherwise), never free text."""
    for key in keys:
        Hazard._meta.get_field(key)
    values = {"asof_id": F("pk"), **{f"asof_{key}": F(key) for key in keys}}
    return _compile(_in_period(hazards, period).order_by().values(**values))


def _run(sql: str, params: Sequence, using: str) -> list[tuple]:
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _states_then(
    hazards: QuerySet[Hazard], moment: Moment, period: Period | None, district_id: int | None, keys: Sequence[str]
) -> tuple[str, tuple]:
    """FROM clause: the hazards counted (``h``) joined to the state each was in at the moment (``s.to_state``).
    Hazards with no visible record (not yet reported, or not yet entered) drop out of the join."""
    scope, scope_params = _scope(hazards, period, keys)
    last, last_params = _last_per_hazard(_records_for(hazards, moment, period, district_id), "to_state")
    return f"({scope}) h INNER JOIN ({last}) s ON s.hazard_id = h.asof_id", scope_params + last_params


def _key_column(by: str) -> str:
    return "s.to_state" if by == "state" else f"h.asof_{by}"


def counts_by(
    hazards: QuerySet[Hazard],
    moment: Moment,
    period: Period | None = None,
    *,
    by: str = "school",
    district_id: int | None = None,
    overdue: bool = True,
) -> dict[int | str, Counts]:
    """Counts per school (or district, category, severity, state) as of the moment: one grouped query.

    ``by`` names a field of the hazard. Overdue counts are added from a second grouped query unless
    ``overdue`` is False (the forms do not print them).
    """
    keys = [] if by == "state" else [by]
    try:
        source, params = _states_then(hazards, moment, period, district_id, keys)
    except EmptyResultSet:  # a scope that matches nothing by construction (none(), an empty __in)
        return {}
    key = _key_column(by)
    rows = _run(
        f"SELECT {key}, COUNT(CASE WHEN s.to_state <> %s THEN 1 END), COUNT(CASE WHEN s.to_state = %s THEN 1 END), "
        f"COUNT(CASE WHEN s.to_state = %s THEN 1 END) FROM {source} GROUP BY {key}",
        (HazardState.CLOSED_INVALID, HazardState.VERIFIED, HazardState.RECTIFIED) + params,
        hazards.db,
    )
    late = overdue_by(hazards, moment, period, by=by, district_id=district_id) if overdue else {}
    return {
        k: Counts(total=total, rectified=rectified, pending=pending, overdue=late.get(k, 0))
        for k, total, rectified, pending in rows
    }


def overdue_by(
    hazards: QuerySet[Hazard],
    moment: Moment,
    period: Period | None = None,
    *,
    by: str = "school",
    district_id: int | None = None,
) -> dict[int | str, int]:
    """The number of hazards overdue at the moment, per school (or another hazard field, or state): open
    for rectification then, and the deadline then (named by the last visible record that set one)
    before the cut-off day. One grouped query."""
    keys = [] if by == "state" else [by]
    try:
        source, params = _states_then(hazards, moment, period, district_id, keys)
        setters = _records_for(hazards, moment, period, district_id).filter(name__in=DEADLINE_SETTERS)
        deadlines, deadline_params = _last_per_hazard(
            setters, deadline=Cast(KT("payload__deadline"), output_field=CharField())
        )
    except EmptyResultSet:
        return {}
    states = ", ".join(["%s"] * len(OVERDUE_STATES))
    key = _key_column(by)
    rows = _run(
        f"SELECT {key}, COUNT(*) FROM {source} INNER JOIN ({deadlines}) d ON d.hazard_id = h.asof_id "
        # ISO dates compare as text in both SQLite and PostgreSQL.
        f"WHERE s.to_state IN ({states}) AND d.deadline < %s GROUP BY {key}",
        params + deadline_params + tuple(OVERDUE_STATES) + (moment.cutoff_date.isoformat(),),
        hazards.db,
    )
    return dict(rows)


def cube(
    hazards: QuerySet[Hazard],
    moment: Moment,
    period: Period | None = None,
    *,
    dims: Sequence[str] = ("district", "category", "severity"),
) -> list[dict]:
    """Counts per combination of hazard fields and state at the moment, for the statistics page.

    Each row: the dims' values (hazard fields), ``state`` (as of the moment) and ``n``. One grouped query;
    the number of rows is bounded by the number of combinations, not of hazards.
    """
    try:
        source, params = _states_then(hazards, moment, period, None, dims)
    except EmptyResultSet:
        return []
    columns = [f"h.asof_{dim}" for dim in dims] + ["s.to_state"]
    rows = _run(
        f"SELECT {', '.join(columns)}, COUNT(*) FROM {source} GROUP BY {', '.join(columns)}", params, hazards.db
    )
    return [dict(zip([*dims, "state", "n"], row)) for row in rows]


def hazard_ids_as_of(
    hazards: QuerySet[Hazard], moment: Moment, period: Period | None = None, *, states: Iterable[str] | None = None
) -> RawSQL:
    """The ids of the hazards existing at the moment (optionally in the given states then), as a subquery
    for ``pk__in``."""
    try:
        source, params = _states_then(hazards, moment, period, None, [])
    except EmptyResultSet:
        return RawSQL("SELECT 0 WHERE 1 = 0", ())  # no rows (ids start at 1); typed like an id
    if states is None:
        return RawSQL(f"SELECT h.asof_id FROM {source}", params)
    states = list(states)
    placeholders = ", ".join(["%s"] * len(states))
    return RawSQL(f"SELECT h.asof_id FROM {source} WHERE s.to_state IN ({placeholders})", params + tuple(states))
