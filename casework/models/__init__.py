"""The domain's models, one module per area; import them from here."""

from .audit_event import AuditEvent, AuditEventKind
from .calendar import HolidayOverride
from .campaign import (
    Campaign,
    CampaignPhase,
    ChecklistCategory,
    ChecklistItem,
    ChecklistSource,
    Inspection,
    InspectionKind,
    InspectionResult,
    InspectionStatus,
    Presence,
    PresenceOrNA,
    ResultOutcome,
    ReturnStatus,
    SchoolReturn,
    YesNo,
)
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
from .listing import Listing, ListingLevel, ListingProgressReport, ListingReminder, ListingState, MissedProgressReport
from .org import Membership, OrgKind, OrgUnit, Role, SchoolKind
from .submission import FormSubmission
from .transition import AuditChainHead, HazardTransition

__all__ = [
    "AuditChainHead",
    "AuditEvent",
    "AuditEventKind",
    "Campaign",
    "CampaignPhase",
    "Category",
    "ChecklistCategory",
    "ChecklistItem",
    "ChecklistSource",
    "DeadlineBasis",
    "Evidence",
    "FormSubmission",
    "Hazard",
    "HazardState",
    "HazardTransition",
    "HolidayOverride",
    "Inspection",
    "InspectionKind",
    "InspectionResult",
    "InspectionStatus",
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
    "Presence",
    "PresenceOrNA",
    "ResultOutcome",
    "ReturnStatus",
    "Role",
    "SchoolKind",
    "SchoolReturn",
    "Severity",
    "Urgency",
    "YesNo",
]
