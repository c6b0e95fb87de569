"""The audit trail's own events (reviews, exports): who may read which city's."""

from django.db.models import QuerySet

from casework.audit.chain import audit_event_chain_key
from casework.models import AuditEvent
from casework.rules.scope import city_id_of, memberships_of

from .reports import REVIEW_ROLES


def audit_events_visible_to(user) -> QuerySet[AuditEvent]:
    """The audit events of the cities where the user reviews accountability (auditors, the city admin)."""
    chains = {
        audit_event_chain_key(city_id_of(m.org_unit))
        for m in memberships_of(user)
        if m.role in REVIEW_ROLES and city_id_of(m.org_unit)
    }
    return AuditEvent.objects.filter(chain__in=sorted(chains))
