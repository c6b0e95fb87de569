"""The domain's models, one module per area; import them from here."""
from .org import Membership, OrgKind, OrgUnit, Role, SchoolKind
from .hazard import (
    Category,
    DeadlineBasis,
    Evidence,
    Hazard,
    HazardState,
    KeyPlace,
    Severity,
    Urgency,
)
from .transition import AuditChainHead, HazardTransition
from .audit_event import AuditEvent, AuditEventKind

__all__ = [
    "AuditChainHead",
    "AuditEvent",
    "AuditEventKind",
    "Category",
    "DeadlineBasis",
    "Evidence",
    "Hazard",
    "HazardState",
    "HazardTransition",
    "KeyPlace",
    "Membership",
    "OrgKind",
    "OrgUnit",
    "Role",
    "SchoolKind",
    "Severity",
    "Urgency",
]
