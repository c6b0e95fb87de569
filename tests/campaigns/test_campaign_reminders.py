"""Campaign phase and report-due reminders: the schools and district officers of the campaign's city,
N days before (CAMPAIGN_REMINDER_DAYS_BEFORE), once per (campaign, phase or report, threshold)."""

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from casework.services import campaigns as campaign_svc
from notifications.due import registered_checks, run_due_checks
from notifications.models import Notification
from tests.factories import FULL_SCHOOL_PART, make_campaign

PHASE, REPORT = "campaign.phase_due", "campaign.report_due"


def check(day):
    return run_due_checks(today=day, only=["campaign_deadlines"])["campaign_deadlines"]


def recipients(event, key_part=""):
    qs = Notification.objects.filter(event=event, dedupe_key__contains=key_part)
    return sorted(qs.values_list("recipient__username", flat=True))


def campaign_for(world, settings):
    settings.CAMPAIGN_REMINDER_DAYS_BEFORE = [7, 1]
    today = timezone.localdate()
    # Phases due in 10 days (动员部署: starts_on + 10) and at ends_on; the report due 7 days after ends_on.
    return make_campaign(world, starts_on=today, ends_on=today + timedelta(days=40))


def expected_audience(world, *, without=()):
    names = {"staff_a1", "staff_a2", "staff_b1", "officer_a", "officer_b"} - set(without)
    return sorted(u.username for u in world.users.values() if u.username in names)


def test_the_check_is_registered_with_the_due_check_runner(db):
    assert "campaign_deadlines" in registered_checks()


def test_schools_and_district_officers_are_reminded_before_a_phase_is_due_once_per_threshold(world, settings):
    campaign = campaign_for(world, settings)
    phase = campaign.phases.get(name="动员部署")
    due = phase.due_date
    assert check(due - timedelta(days=8)) == 0
    first = check(due - timedelta(days=7))
    assert first == len(expected_audience(world))
    assert recipients(PHASE, f"phase:{phase.pk}:") == expected_audience(world)
    assert check(due - timedelta(days=7)) == 0  # run twice: nothing new
    assert check(due - timedelta(days=3)) == 0  # the 7-day reminder is out already
    assert check(due - timedelta(days=1)) == first  # the 1-day reminder
    assert check(due - timedelta(days=1)) == 0
    assert check(due + timedelta(days=1)) == 0  # past: no reminder
    assert Notification.objects.filter(event=PHASE, dedupe_key__contains=f"phase:{phase.pk}:").count() == 2 * first
    note = Notification.objects.filter(event=PHASE).first()
    assert "动员部署" in note.title and note.url == campaign.get_absolute_url()


def test_a_missed_day_still_reminds_once(world, settings):
    campaign = campaign_for(world, settings)
    phase = campaign.phases.get(name="动员部署")
    assert check(phase.due_date - timedelta(days=5)) == len(expected_audience(world))
    assert check(phase.due_date - timedelta(days=4)) == 0


def test_the_report_due_reminder_skips_schools_that_have_submitted(world, settings):
    campaign = campaign_for(world, settings)
    ret = campaign_svc.return_start(actor=world.staff_a1, campaign_id=campaign.pk, school_id=world.school_a1.pk)
    campaign_svc.return_submit(actor=world.staff_a1, return_id=ret.pk, fields=FULL_SCHOOL_PART)
    campaign_svc.return_start(actor=world.staff_a2, campaign_id=campaign.pk, school_id=world.school_a2.pk)  # a draft
    due = campaign.report_due
    assert check(due - timedelta(days=7)) >= 1
    assert recipients(REPORT) == expected_audience(world, without=("staff_a1",))
    assert check(due - timedelta(days=7)) == 0
    assert "报表" in Notification.objects.filter(event=REPORT).first().title


def test_an_inactive_campaign_gets_no_reminders(world, settings):
    campaign = campaign_for(world, settings)
    campaign.active = False
    campaign.save(update_fields=["active"])
    phase = campaign.phases.get(name="动员部署")
    assert check(phase.due_date - timedelta(days=7)) == 0
    assert not Notification.objects.filter(event__in=[PHASE, REPORT]).exists()


def test_the_wrong_roles_and_another_citys_school_are_not_reminded(world, settings):
    from casework.models import OrgKind, Role
    from tests.factories import OrgUnitFactory, member

    other_city = OrgUnitFactory(name="无锡市", kind=OrgKind.CITY)
    other_district = OrgUnitFactory(name="梁溪区", kind=OrgKind.DISTRICT, parent=other_city)
    member("staff_wx", Role.SCHOOL_STAFF, OrgUnitFactory(name="无锡某小学", parent=other_district))
    member("officer_wx", Role.DISTRICT_OFFICER, other_district)
    campaign = campaign_for(world, settings)
    phase = campaign.phases.get(name="动员部署")
    check(phase.due_date - timedelta(days=7))
    told = set(recipients(PHASE))
    assert told == set(expected_audience(world))
    for name in ("supervisor_a", "party_a", "police_a1", "city_admin", "auditor", "staff_wx", "officer_wx"):
        assert name not in told


def test_the_management_command_runs_the_campaign_check_twice_without_repeating(world, settings):
    campaign = campaign_for(world, settings)
    phase = campaign.phases.get(name="动员部署")
    day = (phase.due_date - timedelta(days=7)).isoformat()
    call_command("run_due_checks", "--date", day)
    count = Notification.objects.filter(event=PHASE).count()
    call_command("run_due_checks", "--date", day)
    assert count == len(expected_audience(world)) == Notification.objects.filter(event=PHASE).count()
