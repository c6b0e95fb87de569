"""Casework decides who is told what; the notifications app only queues and delivers."""
from django.contrib.auth import get_user_model
from django.db.models import Q

from casework.access import membership_covers
from casework.models import Hazard, HazardTransition, Membership, Role
from notifications.services import notify

# Who hears of each event, by role relative to the hazard's school and district.
EVENT_AUDIENCE = {
    "report": (Role.DISTRICT_OFFICER,),
    "assign": (Role.SCHOOL_STAFF,),
    "record_temporary_measures": (Role.DISTRICT_OFFICER,),
    "report_rectified": (Role.SUPERVISOR,),
    "verify": (Role.SCHOOL_STAFF, Role.DISTRICT_OFFICER),
    "reject": (Role.SCHOOL_STAFF, Role.DISTRICT_OFFICER),
    "escalate": (Role.PARTY_COMMITTEE,),
    "record_coordination": (Role.SCHOOL_STAFF, Role.DISTRICT_OFFICER),
    "close_invalid": (),
    "change_deadline": (Role.SCHOOL_STAFF,),
    # Not transitions: the due checks (casework/services/due_checks.py).
    "deadline_approaching": (Role.SCHOOL_STAFF,),
    "overdue": (Role.SCHOOL_STAFF, Role.DISTRICT_OFFICER),
}
# On a sensitive hazard the police station and the city stand in for the education side.
SENSITIVE_STAND_IN = {
    Role.SCHOOL_STAFF: Role.POLICE_STATION,
    Role.DISTRICT_OFFICER: Role.POLICE_STATION,
    Role.SUPERVISOR: Role.CITY_ADMIN,
    Role.PARTY_COMMITTEE: Role.CITY_ADMIN,
}

EVENT_TITLES = {
    "report": "新上报隐患待交办",
    "assign": "隐患已交办，请落实整改",
    "record_temporary_measures": "学校已落实临时防范措施",
    "report_rectified": "隐患已整改，待验收",
    "verify": "隐患已验收销号",
    "reject": "整改验收未通过，请返工",
    "escalate": "隐患提请党委政府协调",
    "record_coordination": "党委政府已作出协调决定",
    "close_invalid": "隐患已作废",
    "change_deadline": "整改时限已调整",
    "deadline_approaching": "整改时限临近",
    "overdue": "隐患整改已超期",
}


# The roles whose scope rule (casework.access.membership_covers) reads the membership's unit row.
UNIT_READING_ROLES = frozenset({Role.SUPERVISOR, Role.PARTY_COMMITTEE})


def _unit_q(role: str, hazard: Hazard) -> Q:
    school = hazard.school
    return {
        Role.SCHOOL_STAFF: Q(org_unit_id=school.pk),
        Role.POLICE_STATION: Q(org_unit_id=school.police_station_id),
        Role.DISTRICT_OFFICER: Q(org_unit_id=hazard.district_id),
        Role.SUPERVISOR: Q(org_unit_id__in=[hazard.district_id, hazard.city_id]),
        Role.PARTY_COMMITTEE: Q(org_unit__district_id=hazard.district_id),
        Role.CITY_ADMIN: Q(org_unit_id=hazard.city_id),
    }.get(role, Q(pk__in=[]))


def audience(hazard: Hazard, roles) -> list:
    """The users holding ``roles`` for this hazard who may also see it."""
    roles = {SENSITIVE_STAND_IN.get(r, r) for r in roles} if hazard.sensitive else set(roles)
    query = Q(pk__in=[])
    for role in roles:
        query |= Q(role=role) & _unit_q(role, hazard)
    related = ("user", "org_unit") if roles & UNIT_READING_ROLES else ("user",)  # what membership_covers reads
    memberships = Membership.objects.filter(query, active=True).select_related(*related)
    return [m.user for m in memberships if m.user.is_active and membership_covers(m, hazard)]


def notify_transition(hazard: Hazard, record: HazardTransition) -> None:
    """Queue the notifications of one transition (same transaction: a rollback sends nothing)."""
    recipients = audience(hazard, EVENT_AUDIENCE.get(record.name, ()))
    if record.name == "close_invalid":
        recipients = [get_user_model().objects.get(pk=hazard.reported_by_id)]
    recipients = [u for u in recipients if u.pk != record.actor_id]
    title = f"{EVENT_TITLES.get(record.name, record.name)}：#{hazard.pk} {hazard.title}"
    body = f"{hazard.school.name} · {record.comment}".strip(" ·")
    notify(recipients=recipients, event=f"hazard.{record.name}", title=title, body=body,
           url=hazard.get_absolute_url())


def notify_hazard_due(hazard: Hazard, *, event: str, body: str, dedupe_key: str) -> list:
    """Queue a reminder about one hazard (approaching deadline, overdue) once per ``dedupe_key``."""
    recipients = audience(hazard, EVENT_AUDIENCE[event])
    title = f"{EVENT_TITLES[event]}：#{hazard.pk} {hazard.title}"
    return notify(recipients=recipients, event=f"hazard.{event}", title=title, body=body,
                  url=hazard.get_absolute_url(), dedupe_key=dedupe_key)
