"""Listings, inspections and returns for the API tests, built through the services like real cases.

Each builder makes an "own" (district A, school A1), a "foreign" (district B, school B1) or a
"sensitive" (school A1, sensitive hazard: police and city only) object.
"""

from datetime import timedelta

from django.utils import timezone

from casework.models import SchoolReturn
from casework.services import campaigns as campaign_svc
from tests.factories import FULL_SCHOOL_PART, Clock, make_hazard, make_listing, perform

ROLES = ["staff_a1", "police_a1", "officer_a", "supervisor_a", "party_a", "city_admin", "auditor"]
KINDS = ("own", "foreign", "sensitive")
DESCRIPTION = "教学楼一楼东侧消防通道堆放课桌椅"  # what make_hazard writes into every hazard
LISTING_MEASURES = "拆除重建并加装防护"  # what listing_plan writes into every listing

# Who sees a hazard (and so its listing) that has never been escalated.
VISIBLE = {
    "staff_a1": {"own"},
    "police_a1": {"own", "sensitive"},
    "officer_a": {"own"},
    "supervisor_a": {"own"},
    "party_a": set(),
    "city_admin": {"own", "foreign", "sensitive"},
    "auditor": {"own", "foreign", "sensitive"},
}


def listed(world, kind: str, *, state: str = "assigned", title: str = "重大隐患"):
    """A major hazard listed while assigned (district level; city level when sensitive), walked on to ``state``."""
    clock = Clock()
    sensitive = kind == "sensitive"
    school = "school_b1" if kind == "foreign" else "school_a1"
    hazard = make_hazard(
        world, state="assigned", major=True, sensitive=sensitive, school=school, clock=clock, title=title
    )
    if kind == "foreign":
        listing = make_listing(
            world, hazard, clock=clock, actor=world.officer_b, supervising_officer_id=world.officer_b.pk
        )
    else:
        listing = make_listing(world, hazard, level="city" if sensitive else "district", clock=clock)
    district = "b" if kind == "foreign" else "a"
    staff = {"own": world.staff_a1, "foreign": world.staff_b1, "sensitive": world.police_a1}[kind]
    verifier = world.city_admin if sensitive else world.users[f"supervisor_{district}"]
    steps = {"assigned": [], "rectified": ["report_rectified"], "verified": ["report_rectified", "verify"]}[state]
    for action in steps:
        perform(
            action,
            hazard,
            officer=world.users[f"officer_{district}"],
            doer=staff,
            verifier=verifier,
            clock=clock,
            major=True,
        )
    listing.refresh_from_db()
    return listing


def plan_inspection(
    world, campaign, *, school: str = "school_a1", kind: str = "supervision_inspection", actor=None, inspected_on=None
):
    actor = actor or (world.supervisor_a if school != "school_b1" else world.supervisor_b)
    return campaign_svc.inspection_plan(
        actor=actor,
        campaign_id=campaign.pk,
        school_id=world.units[school].pk,
        kind=kind,
        inspectors="督学 王老师",
        inspected_on=inspected_on or timezone.localdate() - timedelta(days=1),
        key_places=["gate"],
    )


def school_return(
    world, campaign, *, school: str = "school_a1", submitted: bool = False, sensitive_notes: str = ""
) -> SchoolReturn:
    staff = {"school_a1": world.staff_a1, "school_a2": world.staff_a2, "school_b1": world.staff_b1}[school]
    obj = campaign_svc.return_start(actor=staff, campaign_id=campaign.pk, school_id=world.units[school].pk)
    if submitted:
        obj = campaign_svc.return_submit(actor=staff, return_id=obj.pk, fields=dict(FULL_SCHOOL_PART))
    if sensitive_notes:
        SchoolReturn.objects.filter(pk=obj.pk).update(sensitive_notes=sensitive_notes)
        obj.refresh_from_db()
    return obj
