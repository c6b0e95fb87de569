"""The one place that decides what a user may see (querysets) and do (named predicates).

Every list, page, export, report, admin change list and API endpoint starts from
``hazards_visible_to``; every service asks ``ensure_can`` before it writes. The Python predicate
``membership_covers`` and the queryset ``_membership_q`` state the same rule twice, once for a row
in memory and once for SQL; a test holds them equal.
"""
from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from . import errors
from .errors import TransitionRefused
from .models import (
    Campaign,
    Evidence,
    Hazard,
    HazardState,
    HazardTransition,
    Inspection,
    InspectionKind,
    InspectionStatus,
    Listing,
    Membership,
    OrgKind,
    OrgUnit,
    ReturnStatus,
    Role,
    SchoolReturn,
)
from .models.org import SENSITIVE_ROLES

EDUCATION_ROLES = frozenset(set(Role) - SENSITIVE_ROLES)

# Who performs each action. The first set acts on ordinary hazards; the second on sensitive
# ones, which education-side users never see: the police station stands in for the district
# and the school, the city for verification and coordination.
ACTION_ROLES: dict[str, tuple[frozenset, frozenset]] = {
    "assign": (frozenset({Role.DISTRICT_OFFICER}), frozenset({Role.POLICE_STATION})),
    "change_deadline": (frozenset({Role.DISTRICT_OFFICER}), frozenset({Role.POLICE_STATION})),
    "escalate": (frozenset({Role.DISTRICT_OFFICER}), frozenset({Role.POLICE_STATION})),
    "close_invalid": (frozenset({Role.DISTRICT_OFFICER}), frozenset({Role.POLICE_STATION})),
    "record_temporary_measures": (frozenset({Role.SCHOOL_STAFF}), frozenset({Role.POLICE_STATION})),
    "report_rectified": (frozenset({Role.SCHOOL_STAFF}), frozenset({Role.POLICE_STATION})),
    "verify": (frozenset({Role.SUPERVISOR}), frozenset({Role.CITY_ADMIN})),
    "reject": (frozenset({Role.SUPERVISOR}), frozenset({Role.CITY_ADMIN})),
    "record_coordination": (frozenset({Role.PARTY_COMMITTEE}), frozenset({Role.CITY_ADMIN})),
}
REPORT_ROLES = frozenset({Role.SCHOOL_STAFF, Role.POLICE_STATION, Role.DISTRICT_OFFICER, Role.SUPERVISOR,
                          Role.CITY_ADMIN})
# The people who reported or fixed a hazard may not sign it off (separation of duty).
CHAIN_ACTIONS = ("report", "record_temporary_measures", "report_rectified")


# ---- who the user is --------------------------------------------------------------------------
def memberships_of(user) -> list[Membership]:
    """The user's active memberships, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_casework_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user, active=True)
            .select_related("org_unit")
            .order_by("id")
        )
        user._casework_memberships = cached
    return cached


def roles_of(user) -> set[str]:
    return {m.role for m in memberships_of(user)}


def can_see_sensitive(user) -> bool:
    return bool(roles_of(user) & SENSITIVE_ROLES)


def is_read_only(user) -> bool:
    """Auditors read everything and change nothing."""
    roles = roles_of(user)
    return bool(roles) and roles <= {Role.AUDITOR}


def can_review_accountability(user) -> bool:
    """The accountability review (倒查追究), its findings and exports: auditors and the city admin."""
    return bool(roles_of(user) & {Role.AUDITOR, Role.CITY_ADMIN})


# ---- what the user may see --------------------------------------------------------------------
def _escalated_in(district_id: int) -> Q:
    """The district's hazards ever escalated: a semi-join on the few escalation records of its chain
    (partial index ``transition_escalations``), not a probe into the log for every hazard of the district."""
    return Q(district_id=district_id) & Q(pk__in=HazardTransition.objects.filter(
        district_id=district_id, name="escalate").values("hazard_id"))


def _membership_q(m: Membership) -> Q | None:
    unit = m.org_unit
    if m.role == Role.SCHOOL_STAFF:
        q = Q(school_id=unit.pk)
    elif m.role == Role.POLICE_STATION:
        q = Q(school__police_station_id=unit.pk)
    elif m.role == Role.DISTRICT_OFFICER:
        q = Q(district_id=unit.pk)
    elif m.role == Role.SUPERVISOR:
        q = Q(city_id=unit.pk) if unit.kind == OrgKind.CITY else Q(district_id=unit.pk)
    elif m.role == Role.PARTY_COMMITTEE:
        q = _escalated_in(unit.district_id)
    elif m.role in (Role.CITY_ADMIN, Role.AUDITOR):
        q = Q(city_id=unit.pk)
    else:
        return None
    if m.role not in SENSITIVE_ROLES:
        q &= Q(sensitive=False)
    return q


def _union_of(user, rule) -> Q | None:
    """The OR of ``rule(membership)`` over the user's memberships; None when none grants anything."""
    query = None
    for m in memberships_of(user):
        q = rule(m)
        if q is not None:
            query = q if query is None else query | q
    return query


def hazards_visible_to(user) -> QuerySet[Hazard]:
    """Every hazard list, page, export, report and task queue starts here."""
    query = _union_of(user, _membership_q)
    if query is None:
        return Hazard.objects.none()
    return Hazard.objects.filter(query)


def hazard_get_for_user_or_404(user, pk: int) -> Hazard:
    """'Not yours' and 'does not exist' look the same: 404 (the security log tells them apart)."""
    from .security import log_security_event

    hazard = hazards_visible_to(user).select_related("school", "district").filter(pk=pk).first()
    if hazard is None:
        if Hazard.objects.filter(pk=pk).exists():
            log_security_event("permission_refused", user=user, obj=f"casework.Hazard:{pk}")
        raise Http404("隐患不存在或不在您的管辖范围内。")
    if hazard.sensitive:
        log_security_event("sensitive_viewed", user=user, obj=hazard)
    return hazard


def evidence_visible_to(user) -> QuerySet[Evidence]:
    """Evidence files of the hazards the user may see (and no others)."""
    return Evidence.objects.filter(hazard__in=hazards_visible_to(user).values("pk"))


def notifications_of(user) -> QuerySet:
    """The user's own inbox: nobody reads another person's notifications."""
    from notifications.models import Notification

    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)


def device_tokens_of(user) -> QuerySet:
    """The user's own API device tokens (casework.api)."""
    from casework.api.models import DeviceToken

    if not getattr(user, "is_authenticated", False):
        return DeviceToken.objects.none()
    return DeviceToken.objects.filter(user=user)


def membership_covers(m: Membership, hazard: Hazard) -> bool:
    """The rule of ``_membership_q`` for one hazard in memory.

    Only the supervisor's and the party committee's rules read the unit row (its kind, its district);
    the others compare ids, so a membership loaded without its unit costs no query here.
    """
    unit_id = m.org_unit_id
    if hazard.sensitive and m.role not in SENSITIVE_ROLES:
        return False
    if m.role == Role.SCHOOL_STAFF:
        return hazard.school_id == unit_id
    if m.role == Role.POLICE_STATION:
        return hazard.school.police_station_id == unit_id
    if m.role == Role.DISTRICT_OFFICER:
        return hazard.district_id == unit_id
    if m.role == Role.SUPERVISOR:
        return hazard.city_id == unit_id if m.org_unit.kind == OrgKind.CITY else hazard.district_id == unit_id
    if m.role == Role.PARTY_COMMITTEE:
        return hazard.district_id == m.org_unit.district_id and hazard.transitions.filter(name="escalate").exists()
    if m.role in (Role.CITY_ADMIN, Role.AUDITOR):
        return hazard.city_id == unit_id
    return False


def can_view(user, hazard: Hazard) -> bool:
    return any(membership_covers(m, hazard) for m in memberships_of(user))


def org_units_visible_to(user) -> QuerySet[OrgUnit]:
    """The org units a user may pick in filters: their own subtree."""
    query = Q(pk__in=[])
    for m in memberships_of(user):
        unit = m.org_unit
        if unit.kind == OrgKind.CITY:
            query |= Q(pk=unit.pk) | Q(city_id=unit.pk)
        elif unit.kind == OrgKind.DISTRICT:
            query |= Q(pk=unit.pk) | Q(district_id=unit.pk)
        elif unit.kind == OrgKind.POLICE_STATION:
            query |= Q(pk=unit.pk) | Q(police_station_id=unit.pk) | Q(pk=unit.district_id)
        elif unit.kind == OrgKind.PARTY_COMMITTEE:
            query |= Q(pk=unit.district_id) | Q(district_id=unit.district_id, kind=OrgKind.SCHOOL)
        else:
            query |= Q(pk=unit.pk)
    return OrgUnit.objects.filter(query)


def schools_reportable_by(user) -> QuerySet[OrgUnit]:
    """The schools for which the user may report a hazard."""
    query = Q(pk__in=[])
    for m in memberships_of(user):
        if m.role not in REPORT_ROLES:
            continue
        unit = m.org_unit
        if m.role == Role.SCHOOL_STAFF:
            query |= Q(pk=unit.pk)
        elif m.role == Role.POLICE_STATION:
            query |= Q(police_station_id=unit.pk)
        elif unit.kind == OrgKind.DISTRICT:
            query |= Q(district_id=unit.pk)
        elif unit.kind == OrgKind.CITY:
            query |= Q(city_id=unit.pk)
    return OrgUnit.objects.filter(query, kind=OrgKind.SCHOOL)


# ---- reports: which hazards a report counts, and who may render which --------------------------
class ReportSide:
    """Whose copy of a report: the education side never counts sensitive hazards; the police side does."""

    EDUCATION = "education"
    POLICE = "police"
    choices = ((EDUCATION, "教育部门"), (POLICE, "公安机关"))
    values = (EDUCATION, POLICE)


# Roles that draw up the seed's forms (school form, district table, city roll-up) and the statistics.
REPORT_VIEW_ROLES = frozenset({Role.SCHOOL_STAFF, Role.POLICE_STATION, Role.DISTRICT_OFFICER, Role.SUPERVISOR,
                               Role.CITY_ADMIN, Role.AUDITOR})


def hazards_for_side(side: str) -> QuerySet[Hazard]:
    """All hazards a report of this side may count (for the server-side command, run by an operator)."""
    if side == ReportSide.EDUCATION:
        return Hazard.objects.filter(sensitive=False)
    if side == ReportSide.POLICE:
        return Hazard.objects.all()
    raise ValueError(f"unknown report side {side!r}")


def can_render_reports(user) -> bool:
    return bool(roles_of(user) & REPORT_VIEW_ROLES)


def report_sides_for(user) -> list[str]:
    """The sides whose copies the user may render: the police side only for those who may see sensitive items."""
    if not can_render_reports(user):
        return []
    return [ReportSide.EDUCATION, ReportSide.POLICE] if can_see_sensitive(user) else [ReportSide.EDUCATION]


def hazards_for_report(user, side: str) -> QuerySet[Hazard]:
    """The hazards a user's report of this side counts: what they see, and never a sensitive one on the education side."""
    if side not in report_sides_for(user):
        raise TransitionRefused("您无权生成此口径的报表。", code=errors.FORBIDDEN_ROLE)
    qs = hazards_visible_to(user)
    if side == ReportSide.EDUCATION:
        qs = qs.filter(sensitive=False)
    return qs


def report_campaigns_for(user) -> QuerySet[Campaign]:
    """The campaigns whose reports the user may draw up: those of the user's city."""
    if not can_render_reports(user):
        return Campaign.objects.none()
    return campaigns_visible_to(user).order_by("-starts_on", "-id")


def report_units_for(user) -> QuerySet[OrgUnit]:
    """The schools, districts and cities the user may draw up a report for."""
    if not can_render_reports(user):
        return OrgUnit.objects.none()
    return org_units_visible_to(user).filter(kind__in=[OrgKind.SCHOOL, OrgKind.DISTRICT, OrgKind.CITY])


# ---- what the user may do ---------------------------------------------------------------------
def _in_hazard_chain(user, hazard: Hazard) -> bool:
    return hazard.reported_by_id == user.pk or hazard.transitions.filter(
        actor=user, name__in=CHAIN_ACTIONS
    ).exists()


def acting_membership(user, action: str, hazard: Hazard) -> Membership:
    """The membership under which ``user`` may perform ``action`` on ``hazard``, or the refusal."""
    if is_read_only(user):
        raise TransitionRefused("审计角色只读，不能进行任何修改。", code=errors.FORBIDDEN_ROLE)
    education_roles, sensitive_roles = ACTION_ROLES[action]
    allowed = sensitive_roles if hazard.sensitive else education_roles
    candidates = [m for m in memberships_of(user) if m.role in allowed]
    if not candidates:
        names = "、".join(Role(r).label for r in sorted(allowed))
        raise TransitionRefused(f"此操作仅限{names}办理。", code=errors.FORBIDDEN_ROLE)
    in_scope = [m for m in candidates if membership_covers(m, hazard)]
    if not in_scope:
        raise TransitionRefused("该隐患不在您的管辖范围内。", code=errors.OUT_OF_SCOPE)
    if action in ("verify", "reject") and _in_hazard_chain(user, hazard):
        raise TransitionRefused("报告人或整改人不得验收本隐患（职责分离）。", code=errors.SEPARATION_OF_DUTY)
    return in_scope[0]


def can(user, action: str, hazard: Hazard) -> bool:
    """For buttons: may the user perform the action now (role, scope, and the hazard's state)?"""
    from .services.transitions import action_allowed_from

    if not action_allowed_from(action, hazard.state):
        return False
    try:
        acting_membership(user, action, hazard)
    except TransitionRefused:
        return False
    return True


def hazards_actionable_by(user, action: str) -> QuerySet[Hazard]:
    """The hazards on which ``user`` holds a role for ``action`` in scope (the state aside): task queues."""
    if is_read_only(user):
        return Hazard.objects.none()
    education_roles, sensitive_roles = ACTION_ROLES[action]
    query = None
    for m in memberships_of(user):
        q = _membership_q(m)
        if q is None:
            continue
        kinds = Q(pk__in=[])
        if m.role in education_roles:
            kinds |= Q(sensitive=False)
        if m.role in sensitive_roles:
            kinds |= Q(sensitive=True)
        if m.role not in education_roles | sensitive_roles:
            continue
        q &= kinds
        query = q if query is None else query | q
    if query is None:
        return Hazard.objects.none()
    qs = Hazard.objects.filter(query)
    if action in ("verify", "reject"):
        # Separation of duty, as in acting_membership: reporters and rectifiers never sign off.
        qs = qs.exclude(reported_by=user).exclude(
            Exists(HazardTransition.objects.filter(hazard=OuterRef("pk"), actor=user, name__in=CHAIN_ACTIONS))
        )
    return qs


def reporting_membership(user, school: OrgUnit, *, sensitive: bool) -> Membership:
    """The membership under which ``user`` may report a hazard at ``school``."""
    if is_read_only(user):
        raise TransitionRefused("审计角色只读，不能进行任何修改。", code=errors.FORBIDDEN_ROLE)
    if school.kind != OrgKind.SCHOOL:
        raise TransitionRefused("隐患必须归属到一所学校。", code=errors.INVALID_VALUE, fields={"school": "请选择学校"})
    if sensitive and not can_see_sensitive(user):
        raise TransitionRefused("涉密/敏感隐患只能由公安机关或市级管理员上报。", code=errors.FORBIDDEN_ROLE)
    memberships = [m for m in memberships_of(user) if m.role in REPORT_ROLES]
    if sensitive:
        memberships = [m for m in memberships if m.role in SENSITIVE_ROLES]
    if not memberships:
        raise TransitionRefused("您的角色不能上报隐患。", code=errors.FORBIDDEN_ROLE)
    for m in memberships:
        unit = m.org_unit
        if (
            (m.role == Role.SCHOOL_STAFF and school.pk == unit.pk)
            or (m.role == Role.POLICE_STATION and school.police_station_id == unit.pk)
            or (unit.kind == OrgKind.DISTRICT and m.role != Role.SCHOOL_STAFF and school.district_id == unit.pk)
            or (unit.kind == OrgKind.CITY and school.city_id == unit.pk)
        ):
            return m
    raise TransitionRefused("该学校不在您的管辖范围内。", code=errors.OUT_OF_SCOPE)


# ---- campaigns, inspections and school returns ------------------------------------------------
# Who inspects, by kind: the school checks itself; supervisors (and the district, the city) inspect;
# unannounced visits are the supervisors' and the city's.
INSPECTION_ROLES = {
    InspectionKind.SELF_INSPECTION: frozenset({Role.SCHOOL_STAFF}),
    InspectionKind.SUPERVISION_INSPECTION: frozenset({Role.SUPERVISOR, Role.DISTRICT_OFFICER, Role.CITY_ADMIN}),
    InspectionKind.UNANNOUNCED_VISIT: frozenset({Role.SUPERVISOR, Role.CITY_ADMIN}),
}
# The roles at a school's level: they must not learn of an unannounced visit before it is recorded.
SCHOOL_LEVEL_ROLES = frozenset({Role.SCHOOL_STAFF, Role.POLICE_STATION})


def _city_id_of(unit: OrgUnit) -> int | None:
    return unit.pk if unit.kind == OrgKind.CITY else unit.city_id


def campaigns_visible_to(user) -> QuerySet[Campaign]:
    """The campaigns of the user's city (every role takes part in its city's campaigns)."""
    city_ids = {_city_id_of(m.org_unit) for m in memberships_of(user)} - {None}
    return Campaign.objects.filter(city_id__in=city_ids)


def campaign_get_for_user_or_404(user, pk: int) -> Campaign:
    return get_object_or_404(campaigns_visible_to(user), pk=pk)


def campaign_managing_membership(user, city: OrgUnit | None = None) -> Membership:
    """The city administrator's membership under which campaigns and checklists are run, or the refusal."""
    if is_read_only(user):
        raise TransitionRefused("审计角色只读，不能进行任何修改。", code=errors.FORBIDDEN_ROLE)
    admins = [m for m in memberships_of(user) if m.role == Role.CITY_ADMIN]
    if not admins:
        raise TransitionRefused("专项整治和检查表仅限市级管理员管理。", code=errors.FORBIDDEN_ROLE)
    if city is not None:
        admins = [m for m in admins if m.org_unit_id == city.pk]
        if not admins:
            raise TransitionRefused("该专项整治不在您的管辖范围内。", code=errors.OUT_OF_SCOPE)
    return admins[0]


def can_manage_campaigns(user) -> bool:
    try:
        campaign_managing_membership(user)
    except TransitionRefused:
        return False
    return True


def _hidden_visit_q() -> Q:
    return Q(kind=InspectionKind.UNANNOUNCED_VISIT) & ~Q(status=InspectionStatus.RECORDED)


def _inspection_membership_q(m: Membership) -> Q | None:
    unit = m.org_unit
    if m.role == Role.SCHOOL_STAFF:
        return Q(school_id=unit.pk) & ~_hidden_visit_q()
    if m.role == Role.POLICE_STATION:
        return Q(school__police_station_id=unit.pk) & ~_hidden_visit_q()
    if m.role in (Role.DISTRICT_OFFICER, Role.SUPERVISOR) and unit.kind == OrgKind.DISTRICT:
        # A planned unannounced visit is known to the unit that planned it and to the city, no one nearer the school.
        return Q(district_id=unit.pk) & (~_hidden_visit_q() | Q(created_by_unit_id=unit.pk))
    if m.role in (Role.SUPERVISOR, Role.CITY_ADMIN, Role.AUDITOR) and unit.kind == OrgKind.CITY:
        return Q(city_id=unit.pk)
    return None


def inspections_visible_to(user) -> QuerySet[Inspection]:
    """Every inspection list and page starts here; an unannounced visit is hidden from the school until recorded."""
    query = _union_of(user, _inspection_membership_q)
    return Inspection.objects.none() if query is None else Inspection.objects.filter(query)


def inspection_get_for_user_or_404(user, pk: int) -> Inspection:
    return get_object_or_404(
        inspections_visible_to(user).select_related("campaign", "school", "district", "created_by_unit"), pk=pk
    )


def inspecting_membership(user, school: OrgUnit, kind: str) -> Membership:
    """The membership under which ``user`` may inspect ``school`` in the way ``kind``, or the refusal."""
    if is_read_only(user):
        raise TransitionRefused("审计角色只读，不能进行任何修改。", code=errors.FORBIDDEN_ROLE)
    if kind not in INSPECTION_ROLES:
        raise TransitionRefused("检查方式无效。", code=errors.INVALID_VALUE, fields={"kind": "无效的检查方式"})
    if school.kind != OrgKind.SCHOOL:
        raise TransitionRefused("检查对象必须是一所学校。", code=errors.INVALID_VALUE, fields={"school": "请选择学校"})
    allowed = INSPECTION_ROLES[kind]
    candidates = [m for m in memberships_of(user) if m.role in allowed]
    if not candidates:
        names = "、".join(Role(r).label for r in sorted(allowed))
        raise TransitionRefused(f"{InspectionKind(kind).label}仅限{names}进行。", code=errors.FORBIDDEN_ROLE)
    for m in candidates:
        unit = m.org_unit
        if (
            (m.role == Role.SCHOOL_STAFF and school.pk == unit.pk)
            or (unit.kind == OrgKind.DISTRICT and school.district_id == unit.pk)
            or (unit.kind == OrgKind.CITY and school.city_id == unit.pk)
        ):
            return m
    raise TransitionRefused("该学校不在您的管辖范围内。", code=errors.OUT_OF_SCOPE)


def can_record_inspection(user, inspection: Inspection) -> bool:
    if inspection.status != InspectionStatus.PLANNED:
        return False
    try:
        inspecting_membership(user, inspection.school, inspection.kind)
    except TransitionRefused:
        return False
    return True


# ---- listed supervision (挂牌督办) -------------------------------------------------------------
# Who acts on a listing: (education side, sensitive hazard). Listing, reminding and delisting belong
# to the listing authority of the listing's level; progress reports to the school (the police
# station for a sensitive hazard, which the school never sees).
LISTING_AUTHORITY_ROLES = {"district": Role.DISTRICT_OFFICER, "city": Role.CITY_ADMIN}
LISTING_ACTIONS = ("list", "delist", "listing_reminder", "listing_progress")
LISTING_PROGRESS_ROLES = (frozenset({Role.SCHOOL_STAFF}), frozenset({Role.POLICE_STATION}))


def listings_visible_to(user) -> QuerySet[Listing]:
    """Every listing list, page and export starts here: the listings of the hazards the user may see."""
    return Listing.objects.filter(hazard_id__in=hazards_visible_to(user).values("pk"))


def listing_get_for_user_or_404(user, pk: int) -> Listing:
    """'Not yours' and 'does not exist' look the same: 404."""
    return get_object_or_404(
        listings_visible_to(user).select_related("hazard", "hazard__school", "district", "authority",
                                                 "supervising_officer"),
        pk=pk,
    )


def listing_acting_membership(user, action: str, hazard: Hazard, level: str, *, raised: bool = False) -> Membership:
    """The membership under which ``user`` may perform the listing ``action`` at ``level`` on ``hazard``.

    A district listing raised to the city (overdue) may also be reminded (催办) by the city admin.
    """
    if is_read_only(user):
        raise TransitionRefused("审计角色只读，不能进行任何修改。", code=errors.FORBIDDEN_ROLE)
    if action == "listing_progress":
        education_roles, sensitive_roles = LISTING_PROGRESS_ROLES
        allowed = sensitive_roles if hazard.sensitive else education_roles
    else:
        role = LISTING_AUTHORITY_ROLES.get(level)
        if role is None:
            raise TransitionRefused("督办层级无效。", code=errors.INVALID_VALUE, fields={"level": "请选择区级或市级"})
        allowed = frozenset({role})
        if action == "listing_reminder" and raised:
            allowed |= {Role.CITY_ADMIN}
    candidates = [m for m in memberships_of(user) if m.role in allowed]
    if not candidates:
        names = "、".join(Role(r).label for r in sorted(allowed))
        raise TransitionRefused(f"此操作仅限{names}办理。", code=errors.FORBIDDEN_ROLE)
    in_scope = [m for m in candidates if membership_covers(m, hazard)]
    if not in_scope:
        raise TransitionRefused("该隐患不在您的管辖范围内。", code=errors.OUT_OF_SCOPE)
    return in_scope[0]


def can_on_listing(user, action: str, listing: Listing) -> bool:
    """For buttons: may the user perform ``action`` on this listing now (role, scope, state)?"""
    if not listing.is_active:
        return False
    if action == "delist" and listing.hazard.state != HazardState.VERIFIED:
        return False
    try:
        listing_acting_membership(user, action, listing.hazard, listing.level, raised=listing.raised_at is not None)
    except TransitionRefused:
        return False
    return True


def _return_membership_q(m: Membership) -> Q | None:
    unit = m.org_unit
    if m.role == Role.SCHOOL_STAFF:
        return Q(school_id=unit.pk)
    if m.role == Role.POLICE_STATION:
        return Q(school__police_station_id=unit.pk)
    if m.role in (Role.DISTRICT_OFFICER, Role.SUPERVISOR) and unit.kind == OrgKind.DISTRICT:
        return Q(district_id=unit.pk)
    if m.role in (Role.SUPERVISOR, Role.CITY_ADMIN, Role.AUDITOR) and unit.kind == OrgKind.CITY:
        return Q(city_id=unit.pk)
    return None


def returns_visible_to(user) -> QuerySet[SchoolReturn]:
    """The school returns (附件1) the user may see: the school's own, its station's schools, the district, the city."""
    query = _union_of(user, _return_membership_q)
    return SchoolReturn.objects.none() if query is None else SchoolReturn.objects.filter(query)


def return_get_for_user_or_404(user, pk: int) -> SchoolReturn:
    return get_object_or_404(
        returns_visible_to(user).select_related("campaign", "school", "district", "police_station"), pk=pk
    )


def return_school_membership(user, school: OrgUnit) -> Membership:
    """The school staff membership under which ``user`` fills ``school``'s return, or the refusal."""
    if is_read_only(user):
        raise TransitionRefused("审计角色只读，不能进行任何修改。", code=errors.FORBIDDEN_ROLE)
    staff = [m for m in memberships_of(user) if m.role == Role.SCHOOL_STAFF]
    if not staff:
        raise TransitionRefused("报表的学校部分仅限本校安全员填写。", code=errors.FORBIDDEN_ROLE)
    for m in staff:
        if m.org_unit_id == school.pk:
            return m
    raise TransitionRefused("只能填写本校的报表。", code=errors.OUT_OF_SCOPE)


def return_police_membership(user, school: OrgUnit) -> Membership:
    """The membership of ``school``'s own police station (属地派出所), or the refusal: no other station confirms."""
    if is_read_only(user):
        raise TransitionRefused("审计角色只读，不能进行任何修改。", code=errors.FORBIDDEN_ROLE)
    police = [m for m in memberships_of(user) if m.role == Role.POLICE_STATION]
    if not police:
        raise TransitionRefused("报表的公安部分仅限学校属地派出所填写确认。", code=errors.FORBIDDEN_ROLE)
    for m in police:
        if school.police_station_id is not None and m.org_unit_id == school.police_station_id:
            return m
    raise TransitionRefused("该学校不属于您所在的派出所，不能确认其报表。", code=errors.OUT_OF_SCOPE)


def _allowed(check, *args) -> bool:
    try:
        check(*args)
    except TransitionRefused:
        return False
    return True


def can_fill_return(user, school_return: SchoolReturn) -> bool:
    return school_return.status == ReturnStatus.DRAFT and _allowed(return_school_membership, user, school_return.school)


def can_confirm_return(user, school_return: SchoolReturn) -> bool:
    return school_return.status == ReturnStatus.SUBMITTED and _allowed(
        return_police_membership, user, school_return.school
    )
# ---- the working-day calendar ----------------------------------------------------------------
def can_maintain_calendar(user) -> bool:
    """City admins maintain the holidays and make-up workdays (auditors read only)."""
    return not is_read_only(user) and Role.CITY_ADMIN in roles_of(user)


def ensure_can_maintain_calendar(user) -> None:
    if is_read_only(user):
        raise TransitionRefused("审计角色只读，不能进行任何修改。", code=errors.FORBIDDEN_ROLE)
    if not can_maintain_calendar(user):
        raise TransitionRefused("节假日安排仅限市级管理员维护。", code=errors.FORBIDDEN_ROLE)
def listing_levels_for(user, hazard: Hazard) -> list[str]:
    """The levels at which ``user`` may list ``hazard`` (role and scope only)."""
    levels = []
    for level in LISTING_AUTHORITY_ROLES:
        try:
            listing_acting_membership(user, "list", hazard, level)
        except TransitionRefused:
            continue
        levels.append(level)
    return levels


__all__ = [
    "ReportSide",
    "campaign_get_for_user_or_404",
    "campaign_managing_membership",
    "campaigns_visible_to",
    "can_confirm_return",
    "can_fill_return",
    "can_manage_campaigns",
    "can_record_inspection",
    "inspecting_membership",
    "inspection_get_for_user_or_404",
    "inspections_visible_to",
    "return_get_for_user_or_404",
    "return_police_membership",
    "return_school_membership",
    "returns_visible_to",
    "acting_membership",
    "can",
    "can_maintain_calendar",
    "can_render_reports",
    "can_review_accountability",
    "can_see_sensitive",
    "can_on_listing",
    "can_view",
    "device_tokens_of",
    "evidence_visible_to",
    "hazard_get_for_user_or_404",
    "hazards_actionable_by",
    "hazards_for_report",
    "hazards_for_side",
    "hazards_visible_to",
    "listing_acting_membership",
    "listing_get_for_user_or_404",
    "listing_levels_for",
    "listings_visible_to",
    "memberships_of",
    "ensure_can_maintain_calendar",
    "notifications_of",
    "org_units_visible_to",
    "report_campaigns_for",
    "report_sides_for",
    "report_units_for",
    "reporting_membership",
    "schools_reportable_by",
]
