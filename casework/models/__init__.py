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
from .listing import Listing, ListingLevel, ListingProgressReport, ListingReminder, ListingState, MissedProgressReport

__all__ = [
    "AuditChainHead",
    "Category",
    "DeadlineBasis",
    "Evidence",
    "Hazard",
    "HazardState",
    "HazardTransition",
    "KeyPlace",
    "Listing",
    "ListingLevel",
    "ListingProgressReport",
    "ListingReminder",
    "ListingState",
    "Membership",
    "MissedProgressReport",
    "OrgKind",
    "OrgUnit",
    "Role",
    "SchoolKind",
    "Severity",
    "Urgency",
]
