"""The listed-cases ledger (挂牌督办台账) and dashboard: scoped through casework.access, annotated once."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from casework.access import listings_visible_to
from casework.models import Listing, ListingLevel, ListingProgressReport, ListingReminder, ListingState
from casework.rules.lifecycle import OPEN_STATES


@dataclass
class ListingFilters:
    district: int | None = None
    level: str = ""
    state: str = ListingState.ACTIVE  # "" for every listing, delisted ones included
    overdue: bool = False
    raised: bool = False


def _count(model, **filters):
    return Coalesce(
        Subquery(
            model.objects.filter(listing=OuterRef("pk"), **filters)
            .order_by()
            .values("listing")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def listing_ledger_for(user, filters: ListingFilters, *, today: date | None = None) -> QuerySet[Listing]:
    """The listings the user may see, filtered, with last report, reminders sent, sorted by urgency."""
    today = today or timezone.localdate()
    latest = ListingProgressReport.objects.filter(listing=OuterRef("pk")).order_by("-reported_at", "-id")
    qs = (
        listings_visible_to(user)
        .select_related("hazard", "hazard__school", "district", "authority", "supervising_officer")
        .annotate(
            last_report_at=Subquery(latest.values("reported_at")[:1]),
            last_report_percent=Subquery(latest.values("percent_complete")[:1]),
            reminders_sent=_count(ListingReminder),
        )
    )
    if filters.district:
        qs = qs.filter(district_id=filters.district)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.overdue:
        qs = qs.filter(state=ListingState.ACTIVE, required_by__lt=today, hazard__state__in=OPEN_STATES)
    if filters.raised:
        qs = qs.filter(raised_at__isnull=False)
    return qs.order_by("state", "required_by", "id")


@dataclass
class ListingRow:
    """One ledger row with its derived facts (days left, report status), computed once for page and export."""

    listing: Listing
    days_left: int
    overdue: bool
    missing_since: date | None
    next_due: date | None
    last_report_day: date | None

    @property
    def status(self) -> str:
        listing = self.listing
        if not listing.is_active:
            return f"已摘牌（{listing.delisted_on:%Y-%m-%d}）"
        hazard_state = listing.hazard.state
        if hazard_state == "verified":
            return "已验收，待摘牌"
        if hazard_state == "rectified":
            return "已整改，待验收"
        if self.overdue:
            return f"逾期 {-self.days_left} 天"
        return f"剩余 {self.days_left} 天"


def listing_rows(listings, *, today: date | None = None) -> list[ListingRow]:
    today = today or timezone.localdate()
    rows = []
    for listing in listings:
        last_day = timezone.localdate(listing.last_report_at) if listing.last_report_at else None
        active_open = listing.is_active and listing.hazard.state in OPEN_STATES
        rows.append(
            ListingRow(
                listing=listing,
                days_left=listing.days_left(today),
                overdue=listing.is_overdue(today),
                missing_since=listing.report_missing_since(last_day, today),
                next_due=listing.next_report_due(today) if active_open else None,
                last_report_day=last_day,
            )
        )
    return rows


@dataclass
class SummaryLine:
    district: str
    level: str
    active: int = 0
    overdue: int = 0
    missing_reports: int = 0
    raised: int = 0
    reminders: int = 0


@dataclass
class ListingSummary:
    lines: list[SummaryLine] = field(default_factory=list)
    total: SummaryLine = field(default_factory=lambda: SummaryLine("合计", ""))


def listing_summary(rows: list[ListingRow]) -> ListingSummary:
    """The dashboard: active listings by district and level, with overdue, missing reports, raised, reminders."""
    lines: dict[tuple[str, str], SummaryLine] = {}
    summary = ListingSummary()
    for row in rows:
        listing = row.listing
        if not listing.is_active:
            continue
        key = (listing.district.name, listing.level)
        line = lines.setdefault(key, SummaryLine(listing.district.name, ListingLevel(listing.level).label))
        for target in (line, summary.total):
            target.active += 1
            target.overdue += row.overdue
            target.missing_reports += row.missing_since is not None
            target.raised += listing.raised_at is not None
            target.reminders += listing.reminders_sent
    summary.lines = [lines[k] for k in sorted(lines, key=lambda k: (k[0], k[1] != ListingLevel.CITY))]
    return summary
