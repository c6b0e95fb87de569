"""The statistics page's figures: hazards by district, category, severity and state as of a moment.

Each figure carries the ledger query (``/hazards/?…``) that lists the hazards behind it. The ledger
filters today's rows: its list matches a figure's hazards exactly for the dimension and the period,
and by state as they are now (a figure as of an earlier cut-off may since have moved on).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import models
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from casework.models import Category, Hazard, HazardState, Listing, ListingLevel, ListingState, OrgUnit, Severity
from casework.rules.lifecycle import OPEN_STATES

from .asof import Counts, Moment, Period, counts_by, cube, overdue_by


@dataclass(frozen=True)
class Figure:
    value: int | str
    url: str


@dataclass(frozen=True)
class StatRow:
    label: str
    counts: Counts
    total: Figure
    rectified: Figure
    pending: Figure
    unrectified: Figure
    overdue: Figure

    @property
    def rate(self) -> str:
        return "—" if self.counts.rate is None else f"{self.counts.rate * 100:.1f}%"


def _ledger(**params) -> str:
    return reverse("casework:ledger") + "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _row(label: str, counts: Counts, base: dict) -> StatRow:
    return StatRow(
        label=label,
        counts=counts,
        total=Figure(counts.total, _ledger(**base)),
        rectified=Figure(counts.rectified, _ledger(**base, state=HazardState.VERIFIED)),
        pending=Figure(counts.pending, _ledger(**base, state=HazardState.RECTIFIED)),
        unrectified=Figure(counts.unrectified, _ledger(**base, sort="state")),
        overdue=Figure(counts.overdue, _ledger(**base, overdue=1)),
    )


def campaign_statistics(*, hazards: QuerySet[Hazard], units: QuerySet[OrgUnit], moment: Moment, period: Period) -> dict:
    """The tables of the statistics page; ``hazards`` and ``units`` come from casework.access."""
    reported_to = min(period.end, moment.cutoff_date)
    base = {"reported_from": period.start.isoformat(), "reported_to": reported_to.isoformat()}

    by_district = counts_by(hazards, moment, period, by="district")
    names = dict(units.filter(pk__in=list(by_district)).values_list("pk", "name"))
    districts = [
        _row(names.get(pk, str(pk)), c, base | {"district": pk})
        for pk, c in sorted(by_district.items(), key=lambda kv: names.get(kv[0], ""))
    ]

    def by_choice(field: str, choices) -> list[StatRow]:
        counts = counts_by(hazards, moment, period, by=field)
        return [
            _row(label, counts[value], base | {field: value}) for value, label in choices.choices if value in counts
        ]

    states = {}
    for row in cube(hazards, moment, period, dims=()):
        states[row["state"]] = states.get(row["state"], 0) + row["n"]
    overdue_states = overdue_by(hazards, moment, period, by="state")
    by_state = [
        {
            "label": label,
            "count": Figure(states[value], _ledger(**base, state=value)),
            "overdue": Figure(overdue_states.get(value, 0), _ledger(**base, state=value, overdue=1)),
        }
        for value, label in HazardState.choices
        if value in states
    ]
    total = Counts.sum(by_district.values())
    return {
        "total_rows": [_row("合计", total, base)],
        "by_district": districts,
        "by_category": by_choice("category", Category),
        "by_severity": by_choice("severity", Severity),
        "by_state": by_state,
    }


# ---- listed supervision (挂牌督办) -----------------------------------------------------------------
@dataclass(frozen=True)
class ListingFigures:
    by_level: list[tuple[str, Figure]]
    active: Figure
    overdue: Figure
    overdue_listings: list


def listing_statistics(*, hazards: QuerySet[Hazard], today=None, limit: int = 50) -> ListingFigures:
    """The listed cases as they are now: active listings by level, and those past their required date.

    ``hazards`` is the report side's hazards from casework.access (the education side never counts a
    sensitive case). Each figure links to the listings ledger, which filters the same way.
    """
    today = today or timezone.localdate()
    listings = reverse("listings:ledger")
    active = Listing.objects.filter(hazard__in=hazards, state=ListingState.ACTIVE)
    counts = {row["level"]: row["n"] for row in active.values("level").annotate(n=models.Count("pk")).order_by()}
    overdue = (
        active.filter(required_by__lt=today, hazard__state__in=OPEN_STATES)
        .select_related("hazard", "hazard__school", "district")
        .order_by("required_by", "pk")
    )
    return ListingFigures(
        by_level=[
            (label, Figure(counts.get(level, 0), f"{listings}?{urlencode({'level': level})}"))
            for level, label in ListingLevel.choices
        ],
        active=Figure(sum(counts.values()), listings),
        overdue=Figure(overdue.count(), f"{listings}?overdue=1"),
        overdue_listings=list(overdue[:limit]),
    )
