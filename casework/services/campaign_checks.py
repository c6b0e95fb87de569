"""Campaign due checks: remind the schools and the district officers N days before a campaign phase's
due date and before the report due date (报表报送截止).

Registered with ``notifications.due`` (``manage.py run_due_checks``, the ``--loop`` worker, Celery beat).
Each reminder is queued once per (campaign, phase or report, due date, threshold) and recipient: the
due date is in the dedupe key (a changed date re-arms the reminder) and the unique (recipient,
dedupe_key) constraint turns a second run, or a parallel one, into nothing. A check that missed a day
still reminds once, at the smallest threshold not below the days left (as for hazard deadlines).
"""

from datetime import date, timedelta

from django.conf import settings

from casework.models import Campaign, CampaignPhase, Membership, ReturnStatus, Role, SchoolReturn
from notifications.due import due_check
from notifications.services import notify

from .reminders import reminder_due

AUDIENCE_ROLES = (Role.SCHOOL_STAFF, Role.DISTRICT_OFFICER)


def campaign_reminder_thresholds() -> list[int]:
    """Days before a phase's or the report's due date to remind, largest first (CAMPAIGN_REMINDER_DAYS_BEFORE)."""
    days = getattr(settings, "CAMPAIGN_REMINDER_DAYS_BEFORE", [7, 1])
    return sorted({int(d) for d in days if int(d) >= 0}, reverse=True)


def phase_key(phase: CampaignPhase, threshold: int) -> str:
    return f"campaign:{phase.campaign_id}:phase:{phase.pk}:{phase.due_date.isoformat()}:due-in:{threshold}"


def report_key(campaign: Campaign, threshold: int) -> str:
    return f"campaign:{campaign.pk}:report:{campaign.report_due.isoformat()}:due-in:{threshold}"


def campaign_audience(campaign: Campaign, *, skip_schools: set[int] = frozenset()) -> list:
    """The active school staff and district officers of the campaign's city (schools in ``skip_schools`` left out)."""
    memberships = (
        Membership.objects.filter(
            active=True, role__in=AUDIENCE_ROLES, org_unit__city_id=campaign.city_id, user__is_active=True
        )
        .exclude(role=Role.SCHOOL_STAFF, org_unit_id__in=list(skip_schools))
        .select_related("user")
        .order_by("user_id")
    )
    return [m.user for m in memberships]


def _when(days: int) -> str:
    return "今天" if days == 0 else f"{days} 天后"


@due_check("campaign_deadlines")
def campaign_deadline_reminders(today: date) -> int:
    """Queue the phase and report-due reminders of the active campaigns; return how many were queued."""
    thresholds = campaign_reminder_thresholds()
    if not thresholds:
        return 0
    horizon = today + timedelta(days=thresholds[0])
    queued = 0
    phases = (
        CampaignPhase.objects.filter(campaign__active=True, due_date__gte=today, due_date__lte=horizon)
        .select_related("campaign")
        .order_by("due_date", "pk")
    )
    for phase in phases:
        reminder = reminder_due(phase.due_date, today, thresholds)
        if reminder is None:
            continue
        campaign, days = phase.campaign, (phase.due_date - today).days
        queued += len(
            notify(
                recipients=campaign_audience(campaign),
                event="campaign.phase_due",
                title=f"专项整治阶段即将到期：{campaign.name} · {phase.name}",
                body=f"“{phase.name}”阶段应于 {phase.due_date:%Y-%m-%d}（{_when(days)}）前完成。",
                url=campaign.get_absolute_url(),
                dedupe_key=phase_key(phase, reminder[1]),
            )
        )
    campaigns = Campaign.objects.filter(active=True, report_due__gte=today, report_due__lte=horizon).order_by("pk")
    for campaign in campaigns:
        reminder = reminder_due(campaign.report_due, today, thresholds)
        if reminder is None:
            continue
        # A school whose return is already submitted (or confirmed) has nothing left to do.
        done = set(
            SchoolReturn.objects.filter(campaign=campaign)
            .exclude(status=ReturnStatus.DRAFT)
            .values_list("school_id", flat=True)
        )
        days = (campaign.report_due - today).days
        queued += len(
            notify(
                recipients=campaign_audience(campaign, skip_schools=done),
                event="campaign.report_due",
                title=f"专项整治报表即将截止：{campaign.name}",
                body=f"学校及周边安全排查整改情况报表应于 {campaign.report_due:%Y-%m-%d}（{_when(days)}）前报送。",
                url=campaign.get_absolute_url(),
                dedupe_key=report_key(campaign, reminder[1]),
            )
        )
    return queued
