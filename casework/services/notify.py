"""Casework decides who is told what (the lifecycle table's audiences); the notifications app queues and delivers."""

from django.contrib.auth import get_user_model

from casework.access import membership_covers
from casework.models import Hazard, HazardTransition, Membership
from casework.rules.lifecycle import ACTIONS, NOTICES
from casework.rules.roles import SENSITIVE_STAND_IN
from casework.rules.scope import UNIT_READING_ROLES, Place, memberships_covering_q
from notifications.services import notify


def audience(hazard: Hazard, roles) -> list:
    """The users holding ``roles`` for this hazard who may also see it (the stand-ins on a sensitive one)."""
    roles = {SENSITIVE_STAND_IN.get(r, r) for r in roles} if hazard.sensitive else set(roles)
    query = memberships_covering_q(Place.of_row(hazard), roles)
    related = ("user", "org_unit") if roles & UNIT_READING_ROLES else ("user",)  # what membership_covers reads
    memberships = Membership.objects.filter(query, active=True).select_related(*related)
    return [m.user for m in memberships if m.user.is_active and membership_covers(m, hazard)]


def notify_transition(hazard: Hazard, record: HazardTransition) -> None:
    """Queue the notifications of one transition (same transaction: a rollback sends nothing)."""
    action = ACTIONS.get(record.name)
    recipients = audience(hazard, action.audience if action else ())
    if record.name == "close_invalid":
        # A report closed as invalid is news to the one who made it, whatever their role.
        recipients = [get_user_model().objects.get(pk=hazard.reported_by_id)]
    recipients = [u for u in recipients if u.pk != record.actor_id]
    title = f"{action.notice if action else record.name}：#{hazard.pk} {hazard.title}"
    body = f"{hazard.school.name} · {record.comment}".strip(" ·")
    notify(recipients=recipients, event=f"hazard.{record.name}", title=title, body=body, url=hazard.get_absolute_url())


def notify_hazard_due(hazard: Hazard, *, event: str, body: str, dedupe_key: str) -> list:
    """Queue a reminder about one hazard (approaching deadline, overdue) once per ``dedupe_key``."""
    notice = NOTICES[event]
    recipients = audience(hazard, notice.audience)
    title = f"{notice.label}：#{hazard.pk} {hazard.title}"
    return notify(
        recipients=recipients,
        event=f"hazard.{event}",
        title=title,
        body=body,
        url=hazard.get_absolute_url(),
        dedupe_key=dedupe_key,
    )
