"""Recording audit events: who reviewed, exported or looked back at what, and when."""

from django.db import transaction
from django.utils import timezone

from casework.models import AuditEvent, Role
from casework.rules.scope import city_id_of, memberships_of

from .chain import append_audit_event, audit_event_chain_key

# The membership an event is recorded under: the most specific audit-side role first.
_ROLE_ORDER = [Role.AUDITOR, Role.CITY_ADMIN]


@transaction.atomic
def audit_event_record(*, actor, kind: str, subject: str = "", params: dict | None = None) -> AuditEvent:
    """Append one audit event to the actor's city chain (append-only, hash-chained)."""
    memberships = sorted(
        memberships_of(actor),
        key=lambda m: _ROLE_ORDER.index(m.role) if m.role in _ROLE_ORDER else len(_ROLE_ORDER),
    )
    membership = memberships[0] if memberships else None
    unit = membership.org_unit if membership else None
    city_id = None
    if unit is not None:
        city_id = city_id_of(unit)
    return append_audit_event(
        AuditEvent(
            chain=audit_event_chain_key(city_id),
            kind=kind,
            actor=actor,
            actor_role=membership.role if membership else "",
            actor_unit=unit,
            occurred_at=timezone.now(),
            subject=subject[:200],
            params=params or {},
        )
    )
