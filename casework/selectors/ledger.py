"""The ledger (台账): the scoped, filtered, sorted list of hazards."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import EmptyResultSet
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from casework.access import hazards_visible_to
from casework.models import Category, Hazard, HazardState, KeyPlace, Listing, ListingState, Severity
from casework.rules.lifecycle import overdue_q

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
        # With a state chosen, "overdue" is that state (or nothing) and a deadline passed: one equality the
        # (district, state, -reported_at) index walks in order, not an IN the planner can only bitmap-scan
        # and sort (issue 10).
        qs = qs.filter(overdue_q(today or timezone.localdate(), state=filters.state or None))
    if filters.listed:
        qs = qs.filter(Exists(Listing.objects.filter(hazard=OuterRef("pk"), state=ListingState.ACTIVE)))
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q) | Q(description__icontains=filters.q))
    if filters.reporter:
        qs = qs.filter(
            Q(reported_by__username=filters.reporter) | Q(reported_by__first_name__icontains=filters.reporter)
        )
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

# What a ledger row shows, fetched as plain values: building 50 hazards and 100 org units as model
# instances was most of the page's data time at province scale (issue 10).
ROW_FIELDS = (
    "pk",
    "title",
    "sensitive",
    "category",
    "key_place",
    "severity",
    "state",
    "deadline",
    "reported_at",
    "school__name",
    "district__name",
)
_LABELS = {
    name: dict(choices.choices)
    for name, choices in (
        ("category", Category),
        ("key_place", KeyPlace),
        ("severity", Severity),
        ("state", HazardState),
    )
}


def _label_of(name: str) -> property:
    """A row's Chinese label for its ``name`` column (the raw value if the choice is unknown)."""
    labels = _LABELS[name]
    return property(lambda row: labels.get(getattr(row, name), getattr(row, name)))


class LedgerRow:
    """One hazard as the ledger shows it, without a model instance: its columns and joined names, their
    labels, its detail URL, its overdue mark (``Hazard.is_overdue`` for the page's ``today``) and its dates
    as the page prints them (the reporting time in local time), so the template only prints attributes.
    """

    __slots__ = (
        "category",
        "deadline",
        "district_name",
        "is_overdue",
        "key_place",
        "pk",
        "reported_at",
        "school_name",
        "sensitive",
        "severity",
        "state",
        "title",
    )

    def __init__(self, values, today: date):
        (
            self.pk,
            self.title,
            self.sensitive,
            self.category,
            self.key_place,
            self.severity,
            self.state,
            self.deadline,
            self.reported_at,
            self.school_name,
            self.district_name,
        ) = values
        self.is_overdue = Hazard.is_overdue(self, today)

    @property
    def id(self) -> int:
        return self.pk

    @property
    def number(self) -> str:
        return str(self.pk)

    @property
    def is_major(self) -> bool:
        return self.severity == Severity.MAJOR

    category_label = _label_of("category")
    key_place_label = _label_of("key_place")
    severity_label = _label_of("severity")
    state_label = _label_of("state")

    @property
    def deadline_text(self) -> str:
        return self.deadline.strftime("%Y-%m-%d") if self.deadline else ""

    @property
    def reported_text(self) -> str:
        return timezone.localtime(self.reported_at).strftime("%Y-%m-%d %H:%M")

    @property
    def url(self) -> str:
        return reverse("casework:hazard_detail", args=[self.pk])

    def get_absolute_url(self) -> str:
        return self.url


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


def _capped_count(hazards: QuerySet[Hazard], cap: int) -> RawSQL:
    """``COUNT(*)`` of at most ``cap + 1`` rows of ``hazards``, as an uncorrelated scalar subquery (computed
    once per statement), so the page's rows and its count come back in one round trip."""
    sql, params = hazards.order_by().values("pk")[: cap + 1].query.sql_with_params()
    return RawSQL(f"SELECT COUNT(*) FROM ({sql}) ledger_capped", params)


def ledger_page(
    hazards: QuerySet[Hazard], number=None, *, per_page: int = PER_PAGE, cap: int = COUNT_CAP, today: date | None = None
) -> LedgerPage:
    """Page ``number`` (1-based; a bad or too-large number falls back like Django's ``get_page``).

    One query: the page's rows as ``LedgerRow`` (plus one row to learn whether another page follows),
    each carrying the count of the scope bounded by ``cap``.
    """
    number = _page_number(number)
    today = today or timezone.localdate()
    try:
        count_of = _capped_count(hazards, cap)
    except EmptyResultSet:  # a scope or filter that can match nothing (no membership, a contradiction)
        return LedgerPage(object_list=[], number=1, per_page=per_page, has_next=False, count=0, capped=False)
    rows = list(
        hazards.annotate(ledger_count=count_of).values_list(*ROW_FIELDS, "ledger_count")[
            (number - 1) * per_page : number * per_page + 1
        ]
    )
    if not rows and number > 1:
        count = hazards.order_by()[: cap + 1].count()
        last = max(1, -(-min(count, cap) // per_page))
        return ledger_page(hazards, last, per_page=per_page, cap=cap, today=today)
    count = rows[0][-1] if rows else 0
    has_next = len(rows) > per_page
    object_list = [LedgerRow(values[:-1], today) for values in rows[:per_page]]
    return LedgerPage(
        object_list=object_list,
        number=number,
        per_page=per_page,
        has_next=has_next,
        count=min(count, cap),
        capped=count > cap,
    )
