"""Reports: which hazards a report counts, and who may render which copy."""

from django.db.models import QuerySet

from casework import errors
from casework.errors import TransitionRefused
from casework.models import Campaign, Hazard, OrgKind, OrgUnit
from casework.rules.roles import Role
from casework.rules.scope import roles_of

from .campaigns import campaigns_visible_to
from .hazards import hazards_visible_to, org_units_visible_to
from .memberships import can_see_sensitive


class ReportSide:
    """Whose copy of a report: the education side never counts sensitive hazards; the police side does."""

    EDUCATION = "education"
    POLICE = "police"
    choices = ((EDUCATION, "教育部门"), (POLICE, "公安机关"))
    values = (EDUCATION, POLICE)


# Roles that draw up the seed's forms (school form, district table, city roll-up) and the statistics.
REPORT_VIEW_ROLES = frozenset(
    {Role.SCHOOL_STAFF, Role.POLICE_STATION, Role.DISTRICT_OFFICER, Role.SUPERVISOR, Role.CITY_ADMIN, Role.AUDITOR}
)
# The accountability review (倒查追究), its findings and exports.
REVIEW_ROLES = frozenset({Role.AUDITOR, Role.CITY_ADMIN})


def can_review_accountability(user) -> bool:
    """The accountability review (倒查追究), its findings and exports: auditors and the city admin."""
    return bool(roles_of(user) & REVIEW_ROLES)


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
    """The hazards a user's report of this side counts: what they see, never a sensitive one on the education side."""
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


def default_report_side(user) -> str:
    """The copy a user reads where no side is chosen (a school return's printed counts): the police
    station's own copy for police users; the education side's — which never counts a sensitive hazard —
    for everyone else, city_admin and the auditor included (they choose side=police in the reports)."""
    if can_see_sensitive(user) and Role.POLICE_STATION in roles_of(user):
        return ReportSide.POLICE
    return ReportSide.EDUCATION
