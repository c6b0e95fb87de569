"""Read queries for campaigns: the current phase, the checklist, a return's hazard counts, progress.

All of them start from the scoped querysets of casework.access.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Count, QuerySet
from django.utils import timezone

from casework.access import (
    ReportSide,
    default_report_side,
    inspections_visible_to,
    org_units_visible_to,
    returns_visible_to,
)
from casework.models import (
    Campaign,
    CampaignPhase,
    ChecklistCategory,
    ChecklistItem,
    Hazard,
    HazardState,
    InspectionStatus,
    OrgKind,
    OrgUnit,
    ReturnStatus,
    SchoolReturn,
)
from casework.reports.asof import Moment, counts_by, hazard_ids_as_of
from casework.reports.layouts import campaign_period, default_as_of


def current_phase(campaign: Campaign, today: date | None = None) -> CampaignPhase | None:
    """The first phase not yet due; None once every phase is past."""
    today = today or timezone.localdate()
    for phase in campaign.phases.all():
        if phase.due_date >= today:
            return phase
    return None


def campaign_checklist(campaign: Campaign) -> list[tuple[ChecklistCategory, list[ChecklistItem]]]:
    """The campaign's active checklist, by category, sub-items after their item."""
    categories = campaign.checklist_categories.filter(active=True).order_by("source", "position", "id")
    items = (
        ChecklistItem.objects.filter(category__in=categories, active=True)
        .select_related("parent", "category")
        .order_by("position", "id")
    )
    by_category: dict[int, list[ChecklistItem]] = defaultdict(list)
    tops = [i for i in items if i.parent_id is None]
    children: dict[int, list[ChecklistItem]] = defaultdict(list)
    for i in items:
        if i.parent_id is not None:
            children[i.parent_id].append(i)
    for top in tops:
        by_category[top.category_id].append(top)
        by_category[top.category_id].extend(children.get(top.pk, []))
    return [(c, by_category.get(c.pk, [])) for c in categories]


# ---- a return's hazard counts, from the ledger ------------------------------------------------------
@dataclass(frozen=True)
class HazardCounts:
    total: int  # 排查出的总隐患数
    rectified: int  # 隐患整改数: verified (验收销号) by the cut-off
    pending_verification: int  # 待验收: a fix reported, not yet verified (not counted as rectified)

    @property
    def unrectified(self) -> int:  # 未整改隐患数
        return self.total - self.rectified


def campaign_moment(campaign: Campaign, *, cutoff: date | None = None, known_at: datetime | None = None) -> Moment:
    """The moment a campaign's figures are taken at: the end of the cut-off day (default: the campaign's
    statistics cut-off, else its last day), as entered by ``known_at`` (default: now) — as the reports do."""
    as_of = (
        default_as_of(campaign)
        if cutoff is None
        else timezone.make_aware(datetime.combine(cutoff, time(23, 59, 59)), timezone.get_current_timezone())
    )
    return Moment.at(as_of, known_at)


def _campaign_scope(campaign: Campaign, *, include_sensitive: bool) -> QuerySet[Hazard]:
    hazards = Hazard.objects.filter(city_id=campaign.city_id)
    return hazards if include_sensitive else hazards.filter(sensitive=False)


def campaign_hazards(
    campaign: Campaign, *, cutoff: date | None = None, known_at: datetime | None = None, include_sensitive: bool = False
) -> QuerySet[Hazard]:
    """The hazards a campaign counts: reported within its period and visible at the moment, not closed
    invalid by then (casework.reports.asof, the one definition)."""
    moment = campaign_moment(campaign, cutoff=cutoff, known_at=known_at)
    counted = [state for state in HazardState.values if state != HazardState.CLOSED_INVALID]
    scope = _campaign_scope(campaign, include_sensitive=include_sensitive)
    return Hazard.objects.filter(pk__in=hazard_ids_as_of(scope, moment, campaign_period(campaign), states=counted))


def hazard_counts_by_school(
    campaign: Campaign,
    school_ids,
    *,
    cutoff: date | None = None,
    known_at: datetime | None = None,
    include_sensitive: bool = False,
) -> dict[int, HazardCounts]:
    """排查出的总隐患数 / 隐患整改数 / 待验收 per school, as of the cut-off.

    The figures come from ``casework.reports.asof.counts_by`` — the same function the 附件1/附件2 forms
    and the statistics page use — so the return page and the report cannot disagree.
    """
    school_ids = list(school_ids)
    moment = campaign_moment(campaign, cutoff=cutoff, known_at=known_at)
    scope = _campaign_scope(campaign, include_sensitive=include_sensitive).filter(school_id__in=school_ids)
    found = counts_by(scope, moment, campaign_period(campaign), by="school")
    counts = {sid: HazardCounts(0, 0, 0) for sid in school_ids}
    for sid, c in found.items():
        counts[sid] = HazardCounts(c.total, c.rectified, c.pending)
    return counts


def school_hazard_counts(campaign: Campaign, school: OrgUnit, **kwargs) -> HazardCounts:
    return hazard_counts_by_school(campaign, [school.pk], **kwargs)[school.pk]


def return_side_for(user) -> str:
    """Which copy of a return a user reads (casework.access.default_report_side)."""
    return default_report_side(user)


def return_hazard_counts(
    user, school_return: SchoolReturn, *, cutoff: date | None = None, known_at: datetime | None = None
) -> HazardCounts:
    """The counts printed on a return: sensitive hazards only on the police side's copy."""
    return school_hazard_counts(
        school_return.campaign,
        school_return.school,
        cutoff=cutoff,
        known_at=known_at,
        include_sensitive=return_side_for(user) == ReportSide.POLICE,
    )


# ---- progress -------------------------------------------------------------------------------------
@dataclass
class SchoolProgress:
    school: OrgUnit
    inspections: int = 0
    by_kind: dict = field(default_factory=dict)
    school_return: SchoolReturn | None = None
    late: bool = False

    @property
    def return_status(self) -> str:
        return self.school_return.get_status_display() if self.school_return else "未填报"

    @property
    def submitted(self) -> bool:
        return self.school_return is not None and self.school_return.status != ReturnStatus.DRAFT

    @property
    def confirmed(self) -> bool:
        return self.school_return is not None and self.school_return.status == ReturnStatus.CONFIRMED


@dataclass
class DistrictProgress:
    district: OrgUnit
    schools: list[SchoolProgress] = field(default_factory=list)

    @property
    def inspected(self) -> int:
        return sum(1 for s in self.schools if s.inspections)

    @property
    def submitted(self) -> int:
        return sum(1 for s in self.schools if s.submitted)

    @property
    def confirmed(self) -> int:
        return sum(1 for s in self.schools if s.confirmed)

    @property
    def late(self) -> int:
        return sum(1 for s in self.schools if s.late)


def campaign_progress(user, campaign: Campaign, today: date | None = None) -> list[DistrictProgress]:
    """Per district and school the user may see: inspections recorded, returns submitted/confirmed, late ones."""
    today = today or timezone.localdate()
    schools = (
        org_units_visible_to(user)
        .filter(kind=OrgKind.SCHOOL, city_id=campaign.city_id)
        .select_related("district")
        .order_by("district__name", "name")
    )
    schools = list(schools)
    ids = [s.pk for s in schools]
    kinds = (
        inspections_visible_to(user)
        .filter(campaign=campaign, school_id__in=ids, status=InspectionStatus.RECORDED)
        .values("school_id", "kind")
        .annotate(n=Count("id"))
    )
    inspected: dict[int, dict] = defaultdict(dict)
    for row in kinds:
        inspected[row["school_id"]][row["kind"]] = row["n"]
    returns = {
        r.school_id: r
        for r in returns_visible_to(user).filter(campaign=campaign, school_id__in=ids).select_related("campaign")
    }
    districts: dict[int, DistrictProgress] = {}
    for school in schools:
        ret = returns.get(school.pk)
        late = ret.is_late(today) if ret else (campaign.report_due is not None and today > campaign.report_due)
        row = SchoolProgress(
            school=school,
            inspections=sum(inspected[school.pk].values()),
            by_kind=inspected[school.pk],
            school_return=ret,
            late=late,
        )
        districts.setdefault(school.district_id, DistrictProgress(district=school.district)).schools.append(row)
    return list(districts.values())
