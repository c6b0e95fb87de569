"""Read queries for campaigns: the current phase, the checklist, a return's hazard counts, progress.

All of them start from the scoped querysets of casework.access.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from casework.access import (
    can_see_sensitive,
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
    HazardTransition,
    InspectionStatus,
    OrgKind,
    OrgUnit,
    ReturnStatus,
    SchoolReturn,
)


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
    items = (ChecklistItem.objects.filter(category__in=categories, active=True)
             .select_related("parent", "category").order_by("position", "id"))
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


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def campaign_hazards(campaign: Campaign, *, cutoff: date | None = None, known_at: datetime | None = None,
                     include_sensitive: bool = False) -> QuerySet[Hazard]:
    """The hazards a campaign counts: reported by the cut-off within its period, not closed invalid by then.

    Read from the transition log (occurred_at for what had happened, recorded_at for what was entered
    by ``known_at``), so the same cut-off and knowledge time always give the same figures.
    """
    cutoff = cutoff or campaign.statistics_cutoff or campaign.ends_on
    until = _end_of(cutoff)
    known_at = known_at or timezone.now()
    start = timezone.make_aware(datetime.combine(campaign.starts_on, time.min))
    log = HazardTransition.objects.filter(hazard=OuterRef("pk"), occurred_at__lt=until, recorded_at__lte=known_at)
    qs = Hazard.objects.filter(city_id=campaign.city_id).filter(
        Exists(log.filter(name="report", occurred_at__gte=start))
    ).exclude(Exists(log.filter(name="close_invalid")))
    if not include_sensitive:
        qs = qs.filter(sensitive=False)
    return qs


def hazard_counts_by_school(campaign: Campaign, school_ids, *, cutoff: date | None = None,
                            known_at: datetime | None = None, include_sensitive: bool = False) -> dict[int, HazardCounts]:
    """排查出的总隐患数 / 隐患整改数 / 待验收 per school, as of the cut-off (one query)."""
    cutoff = cutoff or campaign.statistics_cutoff or campaign.ends_on
    until = _end_of(cutoff)
    known_at = known_at or timezone.now()
    log = HazardTransition.objects.filter(hazard=OuterRef("pk"), occurred_at__lt=until, recorded_at__lte=known_at)
    rows = (
        campaign_hazards(campaign, cutoff=cutoff, known_at=known_at, include_sensitive=include_sensitive)
        .filter(school_id__in=list(school_ids))
        .annotate(is_verified=Exists(log.filter(name="verify")),
                  is_rectified=Exists(log.filter(name="report_rectified")))
        .values("school_id")
        .annotate(total=Count("id"),
                  rectified=Count("id", filter=Q(is_verified=True)),
                  pending=Count("id", filter=Q(is_rectified=True, is_verified=False)))
    )
    counts = {sid: HazardCounts(0, 0, 0) for sid in school_ids}
    for row in rows:
        counts[row["school_id"]] = HazardCounts(row["total"], row["rectified"], row["pending"])
    return counts


def school_hazard_counts(campaign: Campaign, school: OrgUnit, **kwargs) -> HazardCounts:
    return hazard_counts_by_school(campaign, [school.pk], **kwargs)[school.pk]


def return_hazard_counts(user, school_return: SchoolReturn, *, cutoff: date | None = None,
                         known_at: datetime | None = None) -> HazardCounts:
    """The counts printed on a return: sensitive hazards only on the police side's copy."""
    return school_hazard_counts(school_return.campaign, school_return.school, cutoff=cutoff, known_at=known_at,
                                include_sensitive=can_see_sensitive(user))


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
    schools = (org_units_visible_to(user).filter(kind=OrgKind.SCHOOL, city_id=campaign.city_id)
               .select_related("district").order_by("district__name", "name"))
    schools = list(schools)
    ids = [s.pk for s in schools]
    kinds = (inspections_visible_to(user).filter(campaign=campaign, school_id__in=ids, status=InspectionStatus.RECORDED)
             .values("school_id", "kind").annotate(n=Count("id")))
    inspected: dict[int, dict] = defaultdict(dict)
    for row in kinds:
        inspected[row["school_id"]][row["kind"]] = row["n"]
    returns = {r.school_id: r for r in returns_visible_to(user).filter(campaign=campaign, school_id__in=ids)
               .select_related("campaign")}
    districts: dict[int, DistrictProgress] = {}
    for school in schools:
        ret = returns.get(school.pk)
        late = ret.is_late(today) if ret else (campaign.report_due is not None and today > campaign.report_due)
        row = SchoolProgress(school=school, inspections=sum(inspected[school.pk].values()),
                             by_kind=inspected[school.pk], school_return=ret, late=late)
        districts.setdefault(school.district_id, DistrictProgress(district=school.district)).schools.append(row)
    return list(districts.values())
