"""Deadline reminders: 3 and 1 days before and overdue, once per (hazard, deadline, threshold), never twice."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from casework.services import due_checks
from casework.services import transitions as svc
from notifications.due import due_check, registered_checks, run_due_checks
from notifications.models import Delivery, Notification
from tests.concurrency import run_concurrently
from tests.factories import make_hazard
from tests.notifications.helpers import choose, usernames

APPROACHING, OVERDUE = "hazard.deadline_approaching", "hazard.overdue"


def reminders(event=None):
    qs = Notification.objects.filter(event__in=[APPROACHING, OVERDUE]).select_related("recipient")
    return list(qs.filter(event=event) if event else qs)


def check(day):
    return run_due_checks(today=day, only=["hazard_deadlines"])["hazard_deadlines"]


@pytest.fixture
def assigned(world, clock):
    hazard = make_hazard(world, clock=clock, state="assigned")
    return hazard, hazard.deadline


def test_the_school_is_reminded_three_days_and_one_day_before_the_deadline_once_each(world, assigned):
    hazard, deadline = assigned
    assert check(deadline - timedelta(days=4)) == 0
    assert check(deadline - timedelta(days=3)) == 1
    assert check(deadline - timedelta(days=3)) == 0  # the same day again
    assert check(deadline - timedelta(days=2)) == 0  # the 3-day reminder is out already
    assert check(deadline - timedelta(days=1)) == 1
    assert check(deadline) == 0  # due today: the 1-day reminder covered it
    told = reminders(APPROACHING)
    assert [usernames([n]) for n in told] == [{"staff_a1"}, {"staff_a1"}]
    assert sorted(n.dedupe_key for n in told) == sorted(
        [
            f"hazard:{hazard.pk}:deadline:{deadline.isoformat()}:due-in:3",
            f"hazard:{hazard.pk}:deadline:{deadline.isoformat()}:due-in:1",
        ]
    )
    assert all(n.url == hazard.get_absolute_url() and hazard.title in n.title for n in told)


def test_an_overdue_hazard_is_reported_to_the_school_and_the_district_once(world, assigned):
    hazard, deadline = assigned
    assert check(deadline + timedelta(days=1)) == 2
    assert check(deadline + timedelta(days=1)) == 0
    assert check(deadline + timedelta(days=9)) == 0
    assert usernames(reminders(OVERDUE)) == {"staff_a1", "officer_a"}
    assert "已过" in reminders(OVERDUE)[0].body


def test_a_check_that_missed_days_still_reminds_once_and_not_with_a_stale_threshold(world, assigned):
    hazard, deadline = assigned
    assert check(deadline - timedelta(days=2)) == 1  # first run ever, two days before: the 3-day reminder
    assert check(deadline) == 1  # then the 1-day one, late but once
    assert check(deadline - timedelta(days=3)) == 0
    assert len(reminders(APPROACHING)) == 2


def test_a_changed_deadline_rearms_the_reminders(world, assigned, clock):
    hazard, deadline = assigned
    check(deadline - timedelta(days=3))
    check(deadline + timedelta(days=1))
    assert len(reminders()) == 3
    new_deadline = deadline + timedelta(days=10)
    svc.hazard_change_deadline(
        hazard_id=hazard.pk, actor=world.officer_a, deadline=new_deadline, reason="延期", occurred_at=clock()
    )
    assert check(deadline + timedelta(days=1)) == 0  # not overdue any more
    assert check(new_deadline - timedelta(days=3)) == 1
    assert check(new_deadline + timedelta(days=1)) == 2
    assert len(reminders()) == 6
    assert sum(new_deadline.isoformat() in n.dedupe_key for n in reminders()) == 3


def test_thresholds_come_from_the_settings(world, assigned, settings):
    settings.REMINDER_DAYS_BEFORE = [7]
    hazard, deadline = assigned
    assert check(deadline - timedelta(days=7)) == 1
    assert check(deadline - timedelta(days=3)) == 0
    assert check(deadline - timedelta(days=1)) == 0


def test_a_fixed_verified_or_unassigned_hazard_gets_no_reminder(world, clock):
    rectified = make_hazard(world, clock=clock, state="rectified")
    make_hazard(world, clock=clock, state="verified")
    make_hazard(world, clock=clock, state="reported")
    assert check(rectified.deadline + timedelta(days=5)) == 0
    assert reminders() == []


def test_a_sensitive_hazard_reminds_only_its_police_station(world, clock):
    hazard = make_hazard(world, clock=clock, state="assigned", sensitive=True)
    check(hazard.deadline - timedelta(days=1))
    check(hazard.deadline + timedelta(days=1))
    assert usernames(reminders()) == {"police_a1"}
    assert len(reminders()) == 2


def test_a_reminder_reaches_the_chosen_channels_once(world, assigned, sms_gateway):
    choose(world.staff_a1, "sms", "13800000001")
    hazard, deadline = assigned
    check(deadline - timedelta(days=1))
    check(deadline - timedelta(days=1))
    assert Delivery.objects.filter(notification__event=APPROACHING, channel="sms").count() == 1


def test_two_runs_racing_past_the_already_sent_filter_still_queue_one_reminder(
    world, assigned, sms_gateway, monkeypatch
):
    # Both runs read "nothing sent yet" before either writes: the unique (recipient, key) decides.
    choose(world.staff_a1, "sms", "13800000001")
    hazard, deadline = assigned
    monkeypatch.setattr(due_checks, "_already_queued", lambda keys: set())
    day = deadline + timedelta(days=1)
    assert check(day) == 2
    assert check(day) == 0
    assert len(reminders(OVERDUE)) == 2
    assert Delivery.objects.filter(notification__event=OVERDUE).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_due_checks_at_once_queue_one_reminder(clock):
    # Real threads on PostgreSQL (DATABASE_URL); one after the other on SQLite (tests/concurrency.py).
    from tests.factories import make_world

    world = make_world()
    hazards = [make_hazard(world, clock=clock, state="assigned") for _ in range(5)]
    day = hazards[0].deadline + timedelta(days=1)
    counts = run_concurrently(lambda: check(day), lambda: check(day))
    assert sum(counts) == 10  # 5 hazards × (school + district), split however the race went
    assert len(reminders(OVERDUE)) == 10
    assert {n.dedupe_key for n in reminders(OVERDUE)} == {
        f"hazard:{h.pk}:deadline:{h.deadline.isoformat()}:overdue" for h in hazards
    }


def test_other_modules_add_their_checks_to_the_registry(world, assigned):
    calls = []

    @due_check("test_extra_check")
    def extra(today):
        calls.append(today)
        return 0

    try:
        assert "hazard_deadlines" in registered_checks() and "test_extra_check" in registered_checks()
        results = run_due_checks(today=timezone.localdate())
        assert results["test_extra_check"] == 0 and calls == [timezone.localdate()]
    finally:
        from notifications import due

        due._REGISTRY.pop("test_extra_check")


def test_a_failing_check_does_not_stop_the_others(world, assigned):
    hazard, deadline = assigned

    @due_check("test_broken_check")
    def broken(today):
        raise RuntimeError("boom")

    try:
        results = run_due_checks(today=deadline + timedelta(days=1))
        assert results["test_broken_check"] == -1 and results["hazard_deadlines"] == 2
    finally:
        from notifications import due

        due._REGISTRY.pop("test_broken_check")


def test_the_command_runs_the_checks_for_a_given_day(world, assigned, capsys):
    hazard, deadline = assigned
    call_command("run_due_checks", "--date", (deadline + timedelta(days=1)).isoformat())
    assert "hazard_deadlines: 新提醒 2 条" in capsys.readouterr().out
    call_command("run_due_checks", "--date", (deadline + timedelta(days=1)).isoformat())
    assert "hazard_deadlines: 新提醒 0 条" in capsys.readouterr().out
