"""Listing, progress reports, reminders and delisting are allowed for the rightful actor in scope and
refused for every other role, the foreign district, the wrong state and each missing field; after a
refusal the listing, the hazard, their history, the transition log and the outbox are unchanged."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from casework import errors
from casework.audit.chain import verify_hazard_chains
from casework.errors import TransitionRefused
from casework.models import Listing, ListingState
from casework.services import listings as svc
from notifications.models import Notification
from tests.factories import Clock, listing_plan, listing_snapshot, make_hazard, make_listing, perform, photo, snapshot

USERS = [
    "staff_a1",
    "staff_a2",
    "staff_b1",
    "police_a1",
    "police_a2",
    "police_b1",
    "officer_a",
    "officer_b",
    "supervisor_a",
    "supervisor_b",
    "supervisor_city",
    "party_a",
    "party_b",
    "city_admin",
    "auditor",
]


def listed(world, *, state="assigned", level="district", sensitive=False):
    """A major hazard listed while assigned, then walked on to ``state`` through the services."""
    clock = Clock()
    hazard = make_hazard(world, state="assigned", major=True, sensitive=sensitive, clock=clock)
    listing = make_listing(world, hazard, level=level, clock=clock)
    staff = world.police_a1 if sensitive else world.staff_a1
    verifier = world.city_admin if sensitive else world.supervisor_a
    steps = {"assigned": [], "rectified": ["report_rectified"], "verified": ["report_rectified", "verify"]}[state]
    for action in steps:
        perform(action, hazard, officer=world.officer_a, doer=staff, verifier=verifier, clock=clock, major=True)
    listing.refresh_from_db()
    return listing


def do_list(world, hazard, actor, level="district", **overrides):
    kwargs = listing_plan(world, level) | overrides
    return svc.hazard_list(hazard_id=hazard.pk, actor=world.users[actor], occurred_at=timezone.now(), **kwargs)


def do(world, action, listing, actor, **overrides):
    user = world.users[actor]
    if action == "delist":
        kwargs = {"decision_number": "常教督〔2026〕99号", "delisted_on": timezone.localdate(), "reason": "验收合格"}
        return svc.listing_delist(listing_id=listing.pk, actor=user, occurred_at=timezone.now(), **kwargs | overrides)
    if action == "listing_reminder":
        return svc.listing_remind(
            listing_id=listing.pk, actor=user, occurred_at=timezone.now(), **{"message": "请加快整改进度"} | overrides
        )
    if action == "listing_progress":
        kwargs = {"work_done": "已完成围挡和拆除", "percent_complete": 60, "evidence": [photo()]}
        return svc.listing_report_progress(
            listing_id=listing.pk, actor=user, occurred_at=timezone.now(), **kwargs | overrides
        )
    raise ValueError(action)


# action → (state of the hazard the listing needs, rightful actor)
ACTIONS = {
    "delist": ("verified", "officer_a"),
    "listing_reminder": ("assigned", "officer_a"),
    "listing_progress": ("assigned", "staff_a1"),
}


# ---- listing ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("level", "actor"), [("district", "officer_a"), ("city", "city_admin")])
def test_the_listing_authority_lists_a_major_hazard_and_everything_is_recorded(world, level, actor):
    hazard = make_hazard(world, state="assigned", major=True)
    before = hazard.transitions.count()

    listing = do_list(world, hazard, actor, level)

    hazard.refresh_from_db()
    assert listing.state == ListingState.ACTIVE and listing.level == level
    assert listing.authority == (world.district_a if level == "district" else world.city)
    record = hazard.transitions.order_by("-seq").first()
    assert hazard.transitions.count() == before + 1
    assert (record.name, record.from_state, record.to_state) == ("list", "assigned", "assigned")
    assert record.payload["listing"] == listing.pk and record.payload["decision_number"] == listing.decision_number
    assert listing.history.count() == 1 and listing.history.first().history_user == world.users[actor]
    assert Notification.objects.filter(event="listing.listed", recipient=world.staff_a1).count() == 1
    assert verify_hazard_chains() == []


@pytest.mark.parametrize("user", [u for u in USERS if u != "officer_a"])
def test_every_other_user_is_refused_a_district_listing_and_nothing_changes(world, user):
    hazard = make_hazard(world, state="assigned", major=True)
    before, notes = snapshot(hazard), Notification.objects.count()
    with pytest.raises(TransitionRefused) as refused:
        do_list(world, hazard, user, "district")
    assert refused.value.code in (errors.FORBIDDEN_ROLE, errors.OUT_OF_SCOPE)
    assert snapshot(hazard) == before and Notification.objects.count() == notes
    assert not Listing.objects.exists()


@pytest.mark.parametrize("user", [u for u in USERS if u != "city_admin"])
def test_only_the_city_admin_lists_at_city_level(world, user):
    hazard = make_hazard(world, state="assigned", major=True)
    before = snapshot(hazard)
    with pytest.raises(TransitionRefused):
        do_list(world, hazard, user, "city")
    assert snapshot(hazard) == before and not Listing.objects.exists()


def test_a_district_officer_cannot_list_a_hazard_of_a_foreign_district(world):
    hazard = make_hazard(world, state="assigned", major=True, school="school_b1")
    with pytest.raises(TransitionRefused) as refused:
        do_list(world, hazard, "officer_a", "district")
    assert refused.value.code == errors.OUT_OF_SCOPE
    assert not Listing.objects.exists()


def test_a_general_hazard_cannot_be_listed(world):
    hazard = make_hazard(world, state="assigned", major=False)
    before = snapshot(hazard)
    with pytest.raises(TransitionRefused, match="只有重大隐患") as refused:
        do_list(world, hazard, "officer_a")
    assert refused.value.code == errors.NOT_MAJOR
    assert snapshot(hazard) == before and not Listing.objects.exists()


@pytest.mark.parametrize("state", ["rectified", "verified", "closed_invalid"])
def test_a_hazard_whose_fix_is_no_longer_outstanding_cannot_be_listed(world, state):
    hazard = make_hazard(world, state=state, major=True)
    before = snapshot(hazard)
    with pytest.raises(TransitionRefused) as refused:
        do_list(world, hazard, "officer_a")
    assert refused.value.code == errors.WRONG_STATE
    assert snapshot(hazard) == before and not Listing.objects.exists()


def test_a_hazard_has_at_most_one_active_listing_per_level(world):
    hazard = make_hazard(world, state="assigned", major=True)
    first = do_list(world, hazard, "officer_a", "district")
    before = listing_snapshot(first)

    with pytest.raises(TransitionRefused, match="不能重复挂牌") as refused:
        do_list(world, hazard, "officer_a", "district")

    assert refused.value.code == errors.DUPLICATE_LISTING
    assert listing_snapshot(first) == before and Listing.objects.count() == 1
    # The other level is a separate supervision and may run alongside.
    do_list(world, hazard, "city_admin", "city")
    assert Listing.objects.filter(hazard=hazard, state=ListingState.ACTIVE).count() == 2


def test_the_database_itself_refuses_a_second_active_listing_at_the_same_level(world):
    listing = listed(world)
    row = Listing.objects.filter(pk=listing.pk).values().get()
    row.pop("id")
    with pytest.raises(IntegrityError), transaction.atomic():
        Listing.objects.create(**row)


LISTING_FIELDS = [
    "decision_number",
    "listed_on",
    "required_by",
    "measures",
    "responsible_person",
    "funding",
    "contingency_plan",
    "supervising_officer_id",
    "progress_interval_days",
]


@pytest.mark.parametrize("field", LISTING_FIELDS)
def test_each_missing_point_of_the_listing_decision_is_refused(world, field):
    hazard = make_hazard(world, state="assigned", major=True)
    before = snapshot(hazard)
    with pytest.raises(TransitionRefused) as refused:
        do_list(world, hazard, "officer_a", **{field: None if field.endswith(("_on", "_by", "_id", "_days")) else " "})
    assert refused.value.code == errors.MISSING_FIELD
    assert refused.value.fields
    assert snapshot(hazard) == before and not Listing.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"required_by": timezone.localdate() - timedelta(days=1)}, "required_by"),
        (
            {
                "listed_on": timezone.localdate() + timedelta(days=1),
                "required_by": timezone.localdate() + timedelta(days=30),
            },
            "listed_on",
        ),
        ({"progress_interval_days": 0}, "progress_interval_days"),
        ({"progress_interval_days": 91}, "progress_interval_days"),
        ({"supervising_officer_id": "officer_b"}, "supervising_officer"),
    ],
)
def test_an_invalid_listing_decision_is_refused_with_the_field_named(world, overrides, field):
    hazard = make_hazard(world, state="assigned", major=True)
    if overrides.get("supervising_officer_id") == "officer_b":
        overrides = {"supervising_officer_id": world.officer_b.pk}  # not a member of the listing authority
    with pytest.raises(TransitionRefused) as refused:
        do_list(world, hazard, "officer_a", **overrides)
    assert refused.value.code == errors.INVALID_VALUE and field in refused.value.fields
    assert not Listing.objects.exists()


def test_a_sensitive_hazard_is_listed_by_the_city_and_never_by_the_district_officer(world):
    hazard = make_hazard(world, state="assigned", major=True, sensitive=True)
    with pytest.raises(TransitionRefused) as refused:
        do_list(world, hazard, "officer_a", "district")
    assert refused.value.code == errors.OUT_OF_SCOPE
    listing = do_list(world, hazard, "city_admin", "city")
    # The school never hears of it: the police station stands in.
    assert not Notification.objects.filter(recipient=world.staff_a1).exists()
    assert Notification.objects.filter(recipient=world.police_a1, event="listing.listed").exists()
    assert listing.state == ListingState.ACTIVE


# ---- progress reports, reminders, delisting ---------------------------------------------------------------
@pytest.mark.parametrize("action", ACTIONS)
def test_the_rightful_actor_performs_the_listing_action_and_it_is_recorded(world, action):
    listing = listed(world, state=ACTIONS[action][0])
    hazard = listing.hazard
    hazard.refresh_from_db()
    before = hazard.transitions.count()

    do(world, action, listing, ACTIONS[action][1])

    listing.refresh_from_db()
    record = hazard.transitions.order_by("-seq").first()
    assert hazard.transitions.count() == before + 1
    assert record.name == action and record.from_state == record.to_state == hazard.state
    assert verify_hazard_chains() == []


@pytest.mark.parametrize(("action", "user"), [(a, u) for a in ACTIONS for u in USERS if u != ACTIONS[a][1]])
def test_every_other_user_is_refused_the_listing_action_and_nothing_changes(world, action, user):
    listing = listed(world, state=ACTIONS[action][0])
    before = listing_snapshot(listing)
    with pytest.raises(TransitionRefused) as refused:
        do(world, action, listing, user)
    assert refused.value.code in (errors.FORBIDDEN_ROLE, errors.OUT_OF_SCOPE)
    assert listing_snapshot(listing) == before


@pytest.mark.parametrize("action", ACTIONS)
def test_a_delisted_listing_takes_no_further_action(world, action):
    listing = listed(world, state="verified")
    do(world, "delist", listing, "officer_a")
    before = listing_snapshot(listing)
    with pytest.raises(TransitionRefused) as refused:
        do(world, action, listing, ACTIONS[action][1])
    assert refused.value.code == errors.WRONG_STATE
    assert listing_snapshot(listing) == before


@pytest.mark.parametrize("state", ["assigned", "rectified"])
def test_delisting_before_the_hazard_is_verified_is_refused(world, state):
    listing = listed(world, state=state)
    before = listing_snapshot(listing)
    with pytest.raises(TransitionRefused, match="验收销号后才能摘牌") as refused:
        do(world, "delist", listing, "officer_a")
    assert refused.value.code == errors.NOT_VERIFIED
    assert listing_snapshot(listing) == before


def test_delisting_is_a_recorded_decision_with_its_number_date_and_reason(world):
    listing = listed(world, state="verified")
    do(world, "delist", listing, "officer_a", decision_number="天教督摘〔2026〕3号", reason="现场验收合格，同意摘牌")
    listing.refresh_from_db()
    assert listing.state == ListingState.DELISTED
    assert (listing.delisting_decision_number, listing.delisted_on, listing.delisting_reason) == (
        "天教督摘〔2026〕3号",
        timezone.localdate(),
        "现场验收合格，同意摘牌",
    )
    assert listing.delisted_by == world.officer_a
    assert list(listing.history.order_by("history_date").values_list("state", flat=True)) == ["active", "delisted"]
    record = listing.hazard.transitions.get(name="delist")
    assert record.payload["decision_number"] == "天教督摘〔2026〕3号"


def test_a_city_listing_is_delisted_by_the_city_and_not_by_the_district(world):
    listing = listed(world, state="verified", level="city")
    with pytest.raises(TransitionRefused):
        do(world, "delist", listing, "officer_a")
    do(world, "delist", listing, "city_admin")
    listing.refresh_from_db()
    assert listing.state == ListingState.DELISTED


@pytest.mark.parametrize(
    ("action", "field", "value"),
    [
        ("delist", "decision_number", ""),
        ("delist", "delisted_on", None),
        ("delist", "reason", "  "),
        ("listing_reminder", "message", ""),
        ("listing_progress", "work_done", ""),
        ("listing_progress", "percent_complete", None),
    ],
)
def test_each_missing_field_of_a_listing_action_is_refused(world, action, field, value):
    listing = listed(world, state=ACTIONS[action][0])
    before = listing_snapshot(listing)
    with pytest.raises(TransitionRefused) as refused:
        do(world, action, listing, ACTIONS[action][1], **{field: value})
    assert refused.value.code == errors.MISSING_FIELD and field in refused.value.fields
    assert listing_snapshot(listing) == before


@pytest.mark.parametrize("percent", [-1, 101, "half", 50.5])
def test_a_progress_percentage_outside_0_to_100_is_refused(world, percent):
    listing = listed(world)
    before = listing_snapshot(listing)
    with pytest.raises(TransitionRefused) as refused:
        do(world, "listing_progress", listing, "staff_a1", percent_complete=percent)
    assert refused.value.code == errors.INVALID_VALUE
    assert listing_snapshot(listing) == before


def test_a_progress_report_keeps_its_evidence_on_the_hazard_transition(world):
    listing = listed(world)
    report = do(world, "listing_progress", listing, "staff_a1", percent_complete=0)
    assert report.percent_complete == 0
    assert report.transition.evidence.count() == 1
    assert listing.hazard.evidence.filter(transition=report.transition).exists()
    assert Notification.objects.filter(event="listing.progress", recipient=world.officer_a).exists()


def test_a_progress_report_with_a_file_that_is_not_an_image_is_refused(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    listing = listed(world)
    before = listing_snapshot(listing)
    with pytest.raises(TransitionRefused):
        do(
            world,
            "listing_progress",
            listing,
            "staff_a1",
            evidence=[SimpleUploadedFile("x.png", b"MZ not an image", content_type="image/png")],
        )
    assert listing_snapshot(listing) == before


def test_on_a_sensitive_hazard_the_police_station_reports_progress_and_the_school_cannot(world):
    listing = listed(world, level="city", sensitive=True)
    with pytest.raises(TransitionRefused):
        do(world, "listing_progress", listing, "staff_a1")
    report = do(world, "listing_progress", listing, "police_a1")
    assert report.reported_by == world.police_a1


def test_reminders_are_recorded_sent_to_the_school_and_the_district_and_counted(world):
    listing = listed(world, level="city")
    do(world, "listing_reminder", listing, "city_admin", message="第一次催办")
    do(world, "listing_reminder", listing, "city_admin", message="第二次催办")
    assert listing.reminders.count() == 2
    assert Notification.objects.filter(event="listing.reminder", recipient=world.staff_a1).count() == 2
    assert Notification.objects.filter(event="listing.reminder", recipient=world.officer_a).count() == 2
    assert not Notification.objects.filter(event="listing.reminder", recipient=world.staff_b1).exists()
    assert listing.hazard.transitions.filter(name="listing_reminder").count() == 2
