"""Campaigns, inspections and school returns: who sees them and under which membership one acts."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from casework import errors
from casework.errors import TransitionRefused
from casework.models import (
    Campaign,
    Inspection,
    InspectionKind,
    InspectionStatus,
    Membership,
    OrgKind,
    OrgUnit,
    SchoolReturn,
)
from casework.rules.campaigns import INSPECTION_STEPS, RETURN_STEPS
from casework.rules.roles import Role
from casework.rules.scope import Place, city_id_of, membership_scope_covers, membership_scope_q, memberships_of

from .memberships import allowed, ensure_writer, memberships_with_role, union_of_memberships

# Who inspects, by kind: the school checks itself; supervisors (and the district, the city) inspect;
# unannounced visits are the supervisors' and the city's.
INSPECTION_ROLES = {
    InspectionKind.SELF_INSPECTION: frozenset({Role.SCHOOL_STAFF}),
    InspectionKind.SUPERVISION_INSPECTION: frozenset({Role.SUPERVISOR, Role.DISTRICT_OFFICER, Role.CITY_ADMIN}),
    InspectionKind.UNANNOUNCED_VISIT: frozenset({Role.SUPERVISOR, Role.CITY_ADMIN}),
}
# The roles at a school's level: they must not learn of an unannounced visit before it is recorded.
SCHOOL_LEVEL_ROLES = frozenset({Role.SCHOOL_STAFF, Role.POLICE_STATION})
# Campaign records (inspections, returns) are not the party committee's: it sees escalated hazards only.
CAMPAIGN_RECORD_ROLES = frozenset(set(Role) - {Role.PARTY_COMMITTEE})


def _record_scope_q(m: Membership) -> Q | None:
    return membership_scope_q(m) if m.role in CAMPAIGN_RECORD_ROLES else None


# ---- campaigns ---------------------------------------------------------------------------------
def campaigns_visible_to(user) -> QuerySet[Campaign]:
    """The campaigns of the user's city (every role takes part in its city's campaigns)."""
    city_ids = {city_id_of(m.org_unit) for m in memberships_of(user)} - {None}
    return Campaign.objects.filter(city_id__in=city_ids)


def campaign_get_for_user_or_404(user, pk: int) -> Campaign:
    return get_object_or_404(campaigns_visible_to(user), pk=pk)


def campaign_managing_membership(user, city: OrgUnit | None = None) -> Membership:
    """The city administrator's membership under which campaigns and checklists are run, or the refusal."""
    ensure_writer(user)
    admins = memberships_with_role(user, {Role.CITY_ADMIN}, refusal="专项整治和检查表仅限市级管理员管理。")
    if city is not None:
        admins = [m for m in admins if m.org_unit_id == city.pk]
        if not admins:
            raise TransitionRefused("该专项整治不在您的管辖范围内。", code=errors.OUT_OF_SCOPE)
    return admins[0]


def can_manage_campaigns(user) -> bool:
    return allowed(campaign_managing_membership, user)


# ---- inspections -------------------------------------------------------------------------------
def _hidden_visit_q() -> Q:
    return Q(kind=InspectionKind.UNANNOUNCED_VISIT) & ~Q(status=InspectionStatus.RECORDED)


def _inspection_scope_q(m: Membership) -> Q | None:
    q = _record_scope_q(m)
    if q is None:
        return None
    if m.org_unit.kind == OrgKind.CITY:
        return q
    if m.org_unit.kind == OrgKind.DISTRICT:
        # A planned unannounced visit is known to the unit that planned it and to the city, no one nearer the school.
        return q & (~_hidden_visit_q() | Q(created_by_unit_id=m.org_unit_id))
    return q & ~_hidden_visit_q()


def inspections_visible_to(user) -> QuerySet[Inspection]:
    """Every inspection list and page starts here; an unannounced visit is hidden from the school until recorded."""
    query = union_of_memberships(user, _inspection_scope_q)
    return Inspection.objects.none() if query is None else Inspection.objects.filter(query)


def inspection_get_for_user_or_404(user, pk: int) -> Inspection:
    return get_object_or_404(
        inspections_visible_to(user).select_related("campaign", "school", "district", "created_by_unit"), pk=pk
    )


def inspecting_membership(user, school: OrgUnit, kind: str) -> Membership:
    """The membership under which ``user`` may inspect ``school`` in the way ``kind``, or the refusal."""
    ensure_writer(user)
    if kind not in INSPECTION_ROLES:
        raise TransitionRefused("检查方式无效。", code=errors.INVALID_VALUE, fields={"kind": "无效的检查方式"})
    if school.kind != OrgKind.SCHOOL:
        raise TransitionRefused("检查对象必须是一所学校。", code=errors.INVALID_VALUE, fields={"school": "请选择学校"})
    roles = INSPECTION_ROLES[kind]
    candidates = memberships_with_role(
        user, roles, refusal=f"{InspectionKind(kind).label}仅限{'、'.join(Role(r).label for r in sorted(roles))}进行。"
    )
    place = Place.of_school(school)
    for m in candidates:
        if membership_scope_covers(m, place):
            return m
    raise TransitionRefused("该学校不在您的管辖范围内。", code=errors.OUT_OF_SCOPE)


def can_record_inspection(user, inspection: Inspection) -> bool:
    return INSPECTION_STEPS["inspection_record"].allowed_from(inspection.status) and allowed(
        inspecting_membership, user, inspection.school, inspection.kind
    )


# ---- school returns (附件1) --------------------------------------------------------------------
def returns_visible_to(user) -> QuerySet[SchoolReturn]:
    """The school returns (附件1) the user may see: the school's own, its station's schools, the district, the city."""
    query = union_of_memberships(user, _record_scope_q)
    return SchoolReturn.objects.none() if query is None else SchoolReturn.objects.filter(query)


def return_get_for_user_or_404(user, pk: int) -> SchoolReturn:
    return get_object_or_404(
        returns_visible_to(user).select_related("campaign", "school", "district", "police_station"), pk=pk
    )


def return_school_membership(user, school: OrgUnit) -> Membership:
    """The school staff membership under which ``user`` fills ``school``'s return, or the refusal."""
    ensure_writer(user)
    staff = memberships_with_role(user, {Role.SCHOOL_STAFF}, refusal="报表的学校部分仅限本校安全员填写。")
    for m in staff:
        if m.org_unit_id == school.pk:
            return m
    raise TransitionRefused("只能填写本校的报表。", code=errors.OUT_OF_SCOPE)


def return_police_membership(user, school: OrgUnit) -> Membership:
    """The membership of ``school``'s own police station (属地派出所), or the refusal: no other station confirms."""
    ensure_writer(user)
    police = memberships_with_role(user, {Role.POLICE_STATION}, refusal="报表的公安部分仅限学校属地派出所填写确认。")
    for m in police:
        if school.police_station_id is not None and m.org_unit_id == school.police_station_id:
            return m
    raise TransitionRefused("该学校不属于您所在的派出所，不能确认其报表。", code=errors.OUT_OF_SCOPE)


def can_fill_return(user, school_return: SchoolReturn) -> bool:
    return RETURN_STEPS["return_save"].allowed_from(school_return.status) and allowed(
        return_school_membership, user, school_return.school
    )


def can_confirm_return(user, school_return: SchoolReturn) -> bool:
    return RETURN_STEPS["return_confirm"].allowed_from(school_return.status) and allowed(
        return_police_membership, user, school_return.school
    )
