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
