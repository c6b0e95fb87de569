"""The listing due checks, run by ``manage.py run_due_checks``; each safe to run any number of times.

- ``check_missing_progress_reports(now)``: a progress-report period that ended without a report is
  recorded once (``MissedProgressReport``, unique per listing and due date), appended to the hazard's
  log and notified once (dedupe_key per period).
- ``raise_overdue_listings(now)``: a district listing past its required date, the fix not yet reported,
  is raised to the city once (``raised_at``), recorded and notified once.

Each listing is handled in its own short transaction, locked like the services lock it, and
re-checked under the lock: a second run, or two runs at once, change nothing and send nothing.
The events are recorded by the system account (actor_role "system"), at the moment the period or
the required date lapsed, so they never block a user's entry dated before the check ran.
"""

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from casework.models import Listing, ListingLevel, ListingState, MissedProgressReport, Role
from casework.rules.lifecycle import OPEN_STATES
from notifications.due import due_check

from .listings import listing_audience, lock_listing, notify_listing, record_listing_event, save_listing

SYSTEM_USERNAME = "system"
SYSTEM_ROLE = "system"
# Progress reports are expected while the fix is outstanding; once reported rectified, verification takes over.
REPORTING_STATES = frozenset(OPEN_STATES)


def system_actor():
    """The account the due checks act as: inactive, no usable password, never logs in."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"first_name": "系统（到期检查）", "is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _lapse_moment(day: date) -> datetime:
    """The first moment after ``day`` ends, in Asia/Shanghai: when a due date has lapsed."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def missing_due_dates(listing: Listing, today: date, report_days: set[date]) -> list[date]:
    """The due dates before ``today`` whose period holds no progress report."""
    missing = []
    for due in listing.due_dates(until=today - timedelta(days=1)):
        start, end = listing.period_of(due)
        if not any(start <= d <= end for d in report_days):
            missing.append(due)
    return missing


def report_days_of(listing: Listing) -> set[date]:
    return {timezone.localdate(at) for at in listing.progress_reports.values_list("reported_at", flat=True)}


def check_missing_progress_reports(now: datetime) -> int:
    """Record and notify every newly missed progress-report period; return how many were found."""
    today = timezone.localdate(now)
    candidates = (
        Listing.objects.filter(state=ListingState.ACTIVE, hazard__state__in=REPORTING_STATES, listed_on__lt=today)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(_detect_missed(pk, now, today) for pk in candidates)


@transaction.atomic
def _detect_missed(listing_id: int, now: datetime, today: date) -> int:
    hazard, listing = lock_listing(listing_id)
    if not listing.is_active or hazard.state not in REPORTING_STATES:
        return 0
    known = set(listing.missed_reports.values_list("due_on", flat=True))
    new = [d for d in missing_due_dates(listing, today, report_days_of(listing)) if d not in known]
    if not new:
        return 0
    actor = system_actor()
    recipients = listing_audience(listing, [Role.SCHOOL_STAFF], supervising_officer=True)
    for due in new:
        MissedProgressReport.objects.create(listing=listing, due_on=due, detected_at=now)
        record_listing_event(
            hazard,
            listing=listing,
            name="listing_report_missed",
            actor=actor,
            actor_role=SYSTEM_ROLE,
            actor_unit=listing.authority,
            occurred_at=min(_lapse_moment(due), now),
            comment=f"应于 {due:%Y-%m-%d} 前报送的督办进展未报送",
            payload={"due_on": due.isoformat()},
        )
        notify_listing(
            listing,
            event="progress_missed",
            title="督办进展报告逾期未报",
            recipients=recipients,
            body=f"{hazard.school.name} · 应于 {due:%Y-%m-%d} 前报送进展，至今未报",
            dedupe_key=f"listing:{listing.pk}:progress-missed:{due.isoformat()}",
        )
    return len(new)


def raise_overdue_listings(now: datetime) -> int:
    """Raise every district listing past its required date to the city, once; return how many were raised."""
    today = timezone.localdate(now)
    candidates = (
        Listing.objects.filter(
            state=ListingState.ACTIVE,
            level=ListingLevel.DISTRICT,
            raised_at__isnull=True,
            required_by__lt=today,
            hazard__state__in=OPEN_STATES,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(_raise(pk, now, today) for pk in candidates)


@transaction.atomic
def _raise(listing_id: int, now: datetime, today: date) -> int:
    hazard, listing = lock_listing(listing_id)
    if listing.raised_at is not None or not listing.is_overdue(today) or listing.level != ListingLevel.DISTRICT:
        return 0
    actor = system_actor()
    listing.raised_at = now
    listing.raised_to_id = hazard.city_id
    save_listing(listing, actor=actor, reason="listing_raised")
    days = -listing.days_left(today)
    record_listing_event(
        hazard,
        listing=listing,
        name="listing_raised",
        actor=actor,
        actor_role=SYSTEM_ROLE,
        actor_unit=listing.authority,
        occurred_at=min(_lapse_moment(listing.required_by), now),
        comment=f"区级挂牌督办超过要求完成时限（{listing.required_by:%Y-%m-%d}）{days} 天，上提市级督办",
        payload={"required_by": listing.required_by.isoformat(), "raised_to": hazard.city_id},
    )
    notify_listing(
        listing,
        event="raised",
        title="区级挂牌督办逾期，已上提市级",
        recipients=listing_audience(listing, [Role.CITY_ADMIN, Role.DISTRICT_OFFICER]),
        body=f"{hazard.school.name} · 要求 {listing.required_by:%Y-%m-%d} 前完成，已逾期 {days} 天",
        dedupe_key=f"listing:{listing.pk}:raised",
    )
    return 1


def _moment_of(today: date) -> datetime:
    """Now, or the end of ``today`` when the runner checks another day (``run_due_checks --date``)."""
    now = timezone.now()
    if today == timezone.localdate(now):
        return now
    return timezone.make_aware(datetime.combine(today, datetime.max.time()))


@due_check("listing_progress_missing")
def listing_progress_missing(today: date) -> int:
    """Registered with notifications.due: missed progress reports of active listings."""
    return check_missing_progress_reports(_moment_of(today))


@due_check("listing_overdue_raised")
def listing_overdue_raised(today: date) -> int:
    """Registered with notifications.due: overdue district listings raised to the city."""
    return raise_overdue_listings(_moment_of(today))
