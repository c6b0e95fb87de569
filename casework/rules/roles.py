"""The org vocabulary: unit kinds, the roles people hold, where each may be held, who sees sensitive items."""

from django.db import models


class OrgKind(models.TextChoices):
    CITY = "city", "市"
    DISTRICT = "district", "辖市区"
    SCHOOL = "school", "学校"
    POLICE_STATION = "police_station", "派出所"
    PARTY_COMMITTEE = "party_committee", "党委政府"


class Role(models.TextChoices):
    SCHOOL_STAFF = "school_staff", "学校安全员"
    POLICE_STATION = "police_station", "派出所民警"
    DISTRICT_OFFICER = "district_officer", "区教育局安全干部"
    SUPERVISOR = "supervisor", "督导验收员"
    PARTY_COMMITTEE = "party_committee", "党委政府协调"
    CITY_ADMIN = "city_admin", "市级管理员"
    AUDITOR = "auditor", "审计（倒查）"


# Roles allowed to see sensitive (涉密/敏感) hazards: police, the city, auditors.
SENSITIVE_ROLES = frozenset({Role.POLICE_STATION, Role.CITY_ADMIN, Role.AUDITOR})
EDUCATION_ROLES = frozenset(set(Role) - SENSITIVE_ROLES)
# Read everything, change nothing.
READ_ONLY_ROLES = frozenset({Role.AUDITOR})

# Which unit kind each role is held in. A membership held in another kind of unit covers nothing.
ROLE_UNIT_KINDS = {
    Role.SCHOOL_STAFF: frozenset({OrgKind.SCHOOL}),
    Role.POLICE_STATION: frozenset({OrgKind.POLICE_STATION}),
    Role.DISTRICT_OFFICER: frozenset({OrgKind.DISTRICT}),
    Role.SUPERVISOR: frozenset({OrgKind.DISTRICT, OrgKind.CITY}),
    Role.PARTY_COMMITTEE: frozenset({OrgKind.PARTY_COMMITTEE}),
    Role.CITY_ADMIN: frozenset({OrgKind.CITY}),
    Role.AUDITOR: frozenset({OrgKind.CITY}),
}

# On a sensitive hazard, which education-side users never see, these stand in: the police station for
# the school and the district, the city for verification and coordination.
SENSITIVE_STAND_IN = {
    Role.SCHOOL_STAFF: Role.POLICE_STATION,
    Role.DISTRICT_OFFICER: Role.POLICE_STATION,
    Role.SUPERVISOR: Role.CITY_ADMIN,
    Role.PARTY_COMMITTEE: Role.CITY_ADMIN,
}


def role_labels(roles) -> str:
    """「学校安全员、派出所民警」: the roles in the enum's order, for refusals."""
    return "、".join(Role(r).label for r in sorted(roles))
