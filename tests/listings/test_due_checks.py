"""The due checks: a missed progress-report period is found and notified exactly once; a district
listing past its required date is raised to the city exactly once; a second run changes nothing."""

from datetime import datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from casework.audit.chain import verify_hazard_chains
from casework.models import HazardTransition, Listing, MissedProgressReport
from casework.services.listing_checks import check_missing_progress_reports, raise_overdue_listings
from casework.services.listings import listing_report_progress
from notifications.models import Notification
from tests.factories import Clock, make_hazard, make_listing, perform, photo


def on(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def listed_long_ago(world, *, days_ago=30, level="district", required_in=60, state_after="assigned"):
    """A major hazard listed ``days_ago`` days ago, weekly reports, required ``required_in`` days after listing."""
    clock = Clock(start=timezone.now() - timedelta(days=days_ago, hours=6))
    hazard = make_hazard(world, state="assigned", major=True, clock=clock)
    listed_on = timezone.localdate(clock.now + timedelta(hours=1))  # the moment make_listing's clock() gives
    listing = make_listing(
        world,
        hazard,
        level=level,
        clock=clock,
        listed_on=listed_on,
        required_by=listed_on + timedelta(days=required_in),
    )
    listing = Listing.objects.get(pk=listing.pk)
    for action in {"assigned": [], "rectified": ["report_rectified"]}[state_after]:
        perform(
            action,
            hazard,
            officer=world.officer_a,
            doer=world.staff_a1,
            verifier=world.supervisor_a,
            clock=Clock(start=timezone.now() - timedelta(hours=2)),
            major=True,
        )
    return listing


def everything():
    """What a run of the checks may change or send."""
    return (
        list(MissedProgressReport.objects.values_list("listing_id", "due_on")),
        list(HazardTransition.objects.values_list("id", "hash")),
        list(Notification.objects.values_list("id", "recipient_id", "event", "dedupe_key")),
        list(Listing.objects.values_list("id", "raised_at", "state")),
        sum(listing.history.count() for listing in Listing.objects.all()),
    )


def test_a_missed_progress_report_is_detected_and_notified_exactly_once_per_period(world):
    listing = listed_long_ago(world)
    start = listing.listed_on
    # Reports in the first and third weekly periods; the second and fourth go missing.
    for offset in (3, 16):
        listing_report_progress(
            listing_id=listing.pk,
            actor=world.staff_a1,
            work_done="拆除进行中",
            percent_complete=offset * 3,
            occurred_at=on(start + timedelta(days=offset)),
            evidence=[photo()],
        )
    expected = [start + timedelta(days=14), start + timedelta(days=28)]

    found = check_missing_progress_reports(timezone.now())

    assert found == 2
    assert sorted(MissedProgressReport.objects.filter(listing=listing).values_list("due_on", flat=True)) == expected
    missed_notes = Notification.objects.filter(event="listing.progress_missed")
    assert sorted(missed_notes.filter(recipient=world.staff_a1).values_list("dedupe_key", flat=True)) == [
        f"listing:{listing.pk}:progress-missed:{d.isoformat()}" for d in expected
    ]
    assert missed_notes.filter(recipient=world.officer_a).count() == 2  # the supervising officer
    assert not missed_notes.filter(recipient__in=[world.staff_a2, world.staff_b1, world.officer_b]).exists()
    records = listing.hazard.transitions.filter(name="listing_report_missed")
    assert records.count() == 2 and all(r.from_state == r.to_state == "assigned" for r in records)
    assert verify_hazard_chains() == []

    before = everything()
    assert check_missing_progress_reports(timezone.now()) == 0
    assert everything() == before


def test_a_listing_with_every_report_on_time_has_nothing_missing(world):
    listing = listed_long_ago(world, days_ago=20)
    for offset in (6, 13):
        listing_report_progress(
            listing_id=listing.pk,
            actor=world.staff_a1,
            work_done="按计划推进",
            percent_complete=50,
            occurred_at=on(listing.listed_on + timedelta(days=offset)),
        )
    assert check_missing_progress_reports(timezone.now()) == 0
    assert not MissedProgressReport.objects.exists()
    assert not Notification.objects.filter(event="listing.progress_missed").exists()


def test_no_progress_report_is_due_once_the_fix_is_reported(world):
    listed_long_ago(world, state_after="rectified")
    assert check_missing_progress_reports(timezone.now()) == 0
    assert not MissedProgressReport.objects.exists()


def test_a_missing_report_is_shown_on_the_listing_page(world, client):
    listing = listed_long_ago(world, days_ago=10)
    client.force_login(world.staff_a1)
    page = client.get(listing.get_absolute_url()).content.decode()
    due = listing.listed_on + timedelta(days=7)
    assert f"应于 {due:%Y-%m-%d} 前报送的进展报告未报送" in page


def _overdue_listing(world, *, level="district", state_after="assigned"):
    # The decision gave 10 days: long past by now.
    return listed_long_ago(world, level=level, required_in=10, state_after=state_after)


def test_an_overdue_district_listing_is_raised_to_the_city_once(world, client):
    listing = _overdue_listing(world)

    assert raise_overdue_listings(timezone.now()) == 1

    listing.refresh_from_db()
    assert listing.raised_at is not None and listing.raised_to == world.city
    record = listing.hazard.transitions.get(name="listing_raised")
    assert record.actor.username == "system" and record.from_state == record.to_state == "assigned"
    assert (
        Notification.objects.filter(
            event="listing.raised", recipient=world.city_admin, dedupe_key=f"listing:{listing.pk}:raised"
        ).count()
        == 1
    )
    assert verify_hazard_chains() == []
    history = list(listing.history.order_by("history_date").values_list("history_change_reason", flat=True))
    assert history == ["list", "listing_raised"]

    before = everything()
    assert raise_overdue_listings(timezone.now()) == 0
    assert everything() == before

    # It appears on the city's dashboard, among the raised listings.
    client.force_login(world.city_admin)
    page = client.get("/listings/")
    assert [row.listing.pk for row in page.context["raised"]] == [listing.pk]


def test_once_raised_the_city_may_remind_on_a_district_listing_and_not_before(world):
    from casework.errors import TransitionRefused
    from casework.services.listings import listing_remind

    listing = _overdue_listing(world)
    with pytest.raises(TransitionRefused):
        listing_remind(listing_id=listing.pk, actor=world.city_admin, message="请加快", occurred_at=timezone.now())
    raise_overdue_listings(timezone.now())
    listing_remind(
        listing_id=listing.pk, actor=world.city_admin, message="市级督办：限期完成", occurred_at=timezone.now()
    )
    assert listing.reminders.get().sent_by == world.city_admin
    assert Notification.objects.filter(event="listing.reminder", recipient=world.officer_a).exists()


def test_a_city_listing_has_no_level_above_and_is_not_raised(world):
    city = _overdue_listing(world, level="city")
    assert city.is_overdue()
    assert raise_overdue_listings(timezone.now()) == 0
    city.refresh_from_db()
    assert city.raised_at is None


def test_a_listing_still_within_its_required_date_is_not_raised(world):
    listed_long_ago(world)  # required 30 days after listing: not yet
    assert raise_overdue_listings(timezone.now()) == 0
    assert not HazardTransition.objects.filter(name="listing_raised").exists()


def test_run_due_checks_twice_changes_nothing_the_second_time(world):
    _overdue_listing(world)
    call_command("run_due_checks")
    first = everything()
    assert MissedProgressReport.objects.exists() and Listing.objects.filter(raised_at__isnull=False).exists()

    call_command("run_due_checks")

    assert everything() == first


def test_a_listing_whose_fix_is_reported_is_not_overdue_and_not_raised(world):
    listing = _overdue_listing(world, state_after="rectified")
    listing.refresh_from_db()
    assert listing.required_by < timezone.localdate() and not listing.is_overdue()
    assert raise_overdue_listings(timezone.now()) == 0
