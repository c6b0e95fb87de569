"""The ledger (台账): the scoped, filtered, sorted list of hazards."""
from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from casework.access import hazards_visible_to
from casework.models import Hazard, Listing, ListingState
from casework.models.hazard import OVERDUE_STATES

SORTS = {
    "reported": "-reported_at",
    "reported_asc": "reported_at",
    "deadline": "deadline",
    "deadline_desc": "-deadline",
    "state": "state",
}


@dataclass
class LedgerFilters:
    district: int | None = None
    school: int | None = None
    category: str = ""
    key_place: str = ""
    severity: str = ""
    state: str = ""
    overdue: bool = False
    listed: bool = False  # only hazards under an active listed supervision (挂牌督办中)
    q: str = ""
    reported_from: date | None = None
    reported_to: date | None = None
    reporter: str = ""
    sort: str = "reported"


def ledger_for(user, filters: LedgerFilters, *, today: date | None = None) -> QuerySet[Hazard]:
    """The hazards the user may see, filtered and sorted for the ledger page and its export."""
    qs = hazards_visible_to(user).select_related("school", "district")
    if filters.district:
        qs = qs.filter(district_id=filters.district)
    if filters.school:
        qs = qs.filter(school_id=filters.school)
    for name in ("category", "key_place", "severity", "state"):
        value = getattr(filters, name)
        if value:
            qs = qs.filter(**{name: value})
    if filters.overdue:
        qs = qs.filter(state__in=OVERDUE_STATES, deadline__lt=today or timezone.localdate())
    if filters.listed:
        qs = qs.filter(Exists(Listing.objects.filter(hazard=OuterRef("pk"), state=ListingState.ACTIVE)))
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q) | Q(description__icontains=filters.q))
    if filters.reporter:
        qs = qs.filter(Q(reported_by__username=filters.reporter) | Q(reported_by__first_name__icontains=filters.reporter))
    if filters.reported_from:
        qs = qs.filter(reported_at__date__gte=filters.reported_from)
    if filters.reported_to:
        qs = qs.filter(reported_at__date__lte=filters.reported_to)
    return qs.order_by(SORTS.get(filters.sort, "-reported_at"), "-id")


# ---- the page ----------------------------------------------------------------------------------
# Counting a whole scope (a city: ~100,000 rows a year) on every page view costs more than the page;
# the ledger counts at most COUNT_CAP rows and says "1000+" beyond. The export and the statistics
# page give exact totals.
PER_PAGE = 50
COUNT_CAP = 1000


@dataclass
class LedgerPage:
    """One page of the ledger: its rows, whether another follows, and the (capped) number of rows."""

    object_list: list
    number: int
    per_page: int
    has_next: bool
    count: int
    capped: bool

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def count_display(self) -> str:
        return f"{self.count}+" if self.capped else str(self.count)

    @property
    def num_pages(self) -> int | None:
        """None when the count is capped (the last page is not known without counting everything)."""
        return None if self.capped else max(1, -(-self.count // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


def _page_number(value) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


def ledger_page(hazards: QuerySet[Hazard], number=None, *, per_page: int = PER_PAGE,
                cap: int = COUNT_CAP) -> LedgerPage:
    """Page ``number`` (1-based; a bad or too-large number falls back like Django's ``get_page``).

    One query for the page's rows (plus one to learn whether another page follows), and a count
    bounded by ``cap`` only when the scope does not fit on the first page.
    """
    number = _page_number(number)
    rows = list(hazards[(number - 1) * per_page: number * per_page + 1])
    if not rows and number > 1:
        count = hazards.order_by()[: cap + 1].count()
        last = max(1, -(-min(count, cap) // per_page))
        return ledger_page(hazards, last, per_page=per_page, cap=cap)
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    if number == 1 and not has_next:
        count = len(rows)
    else:
        count = hazards.order_by()[: cap + 1].count()
    return LedgerPage(object_list=rows, number=number, per_page=per_page, has_next=has_next,
                      count=min(count, cap), capped=count > cap)
