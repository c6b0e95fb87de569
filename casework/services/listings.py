"""Listed supervision (挂牌督办): listing, progress reports, reminders and delisting, one service each.

Same guarantees as the hazard's transitions: one transaction; the hazard row locked first, then the
listing row (always in that order, like every hazard service, so two writers cannot deadlock); role
and scope checked through ``casework.access.listing_acting_membership``; the state and the input
checked; the listing saved with its history; the event appended to the hazard's hash-chained
transition log (from_state == to_state == the hazard's state: listing does not move the hazard);
evidence stored; notifications queued in the outbox. A refusal raises ``TransitionRefused`` and the
rollback leaves everything as it was.
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from casework import errors
from casework.access import listing_acting_membership, membership_covers
from casework.errors import TransitionRefused
from casework.locks import lock_object
from casework.models import (
    Hazard,
    HazardState,
    HazardTransition,
    Listing,
    ListingLevel,
    ListingProgressReport,
    ListingReminder,
    ListingState,
    Membership,
    OrgUnit,
    Role,
)
from casework.rules.lifecycle import LISTABLE_STATES
from notifications.services import notify

from .evidence import check_evidence_file
from .guards import for_writers
from .notify import audience
from .records import append_hazard_record, save_with_history
from .transitions import _check_occurred_at, _clean, _last_occurred_at, lock_hazard, require

MAX_INTERVAL_DAYS = 90


# ---- locking and recording -----------------------------------------------------------------------
def lock_listing(listing_id: int) -> tuple[Hazard, Listing]:
    """Lock the listing's hazard, then the listing (the hazard services' order: no deadlock)."""
    hazard_id = Listing.objects.filter(pk=listing_id).values_list("hazard_id", flat=True).first()
    if hazard_id is None:
        raise TransitionRefused("挂牌督办不存在或不在您的管辖范围内。", code=errors.OUT_OF_SCOPE)
    hazard = lock_hazard(hazard_id)
    listing = lock_object(Listing.objects.filter(pk=listing_id), related=("supervising_officer",))
    listing.hazard = hazard
    return hazard, listing


def save_listing(listing: Listing, *, actor, reason: str) -> None:
    save_with_history(listing, actor=actor, reason=reason)


def record_listing_event(
    hazard: Hazard,
    *,
    listing: Listing,
    name: str,
    actor,
    actor_role: str,
    actor_unit: OrgUnit,
    occurred_at: datetime,
    comment: str = "",
    payload: dict | None = None,
    files=(),
) -> HazardTransition:
    """Append a listing event to the hazard's transition log; the hazard's state does not move."""
    payload = {"listing": listing.pk, "level": listing.level, **(payload or {})}
    return append_hazard_record(
        hazard,
        name=name,
        from_state=hazard.state,
        actor=actor,
        actor_role=actor_role,
        actor_unit=actor_unit,
        occurred_at=occurred_at,
        comment=comment,
        payload=payload,
        files=files,
    )


def listing_audience(listing: Listing, roles: Iterable[str], *, supervising_officer: bool = False) -> list:
    """The users holding ``roles`` for the listed hazard (resolved as for hazard events), who may see it."""
    hazard = listing.hazard
    users = audience(hazard, set(roles))
    if supervising_officer:
        officer = listing.supervising_officer
        if officer.is_active and any(
            membership_covers(m, hazard)
            for m in Membership.objects.filter(user=officer, active=True).select_related("org_unit")
        ):
            users.append(officer)
    return users


def notify_listing(
    listing: Listing,
    *,
    event: str,
    title: str,
    recipients: Iterable,
    body: str = "",
    exclude=None,
    dedupe_key: str | None = None,
) -> None:
    """Queue the notifications of one listing event (the outbox: same transaction)."""
    hazard = listing.hazard
    recipients = [u for u in recipients if exclude is None or u.pk != exclude.pk]
    body = body or f"{hazard.school.name} · {listing.get_level_display()}挂牌 {listing.decision_number}"
    notify(
        recipients=recipients,
        event=f"listing.{event}",
        title=f"{title}：#{hazard.pk} {hazard.title}",
        body=body,
        url=listing.get_absolute_url(),
        dedupe_key=dedupe_key,
    )


# ---- input checks --------------------------------------------------------------------------------
def _check_interval(days) -> int:
    if days in (None, ""):
        raise TransitionRefused(
            "缺少必填内容：进展报告周期。",
            code=errors.MISSING_FIELD,
            fields={"progress_interval_days": "请填写进展报告周期"},
        )
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_INTERVAL_DAYS:
        raise TransitionRefused(
            f"进展报告周期应为 1 至 {MAX_INTERVAL_DAYS} 天。",
            code=errors.INVALID_VALUE,
            fields={"progress_interval_days": f"1 至 {MAX_INTERVAL_DAYS} 天"},
        )
    return days


def _check_percent(percent) -> int:
    if percent in (None, ""):
        raise TransitionRefused(
            "缺少必填内容：完成比例。", code=errors.MISSING_FIELD, fields={"percent_complete": "请填写完成比例"}
        )
    try:
        value = int(percent)
    except (TypeError, ValueError):
        value = -1
    if not 0 <= value <= 100 or str(value) != str(percent).strip():
        raise TransitionRefused(
            "完成比例应为 0 至 100 的整数。", code=errors.INVALID_VALUE, fields={"percent_complete": "0 至 100"}
        )
    return value


def _check_decision_date(name: str, label: str, value: date, *, not_before: date | None = None) -> None:
    if value > timezone.localdate():
        raise TransitionRefused(f"{label}不能晚于今天。", code=errors.INVALID_VALUE, fields={name: "不能是将来的日期"})
    if not_before is not None and value < not_before:
        raise TransitionRefused(
            f"{label}不能早于挂牌日期（{not_before:%Y-%m-%d}）。",
            code=errors.INVALID_VALUE,
            fields={name: f"应不早于 {not_before:%Y-%m-%d}"},
        )


def _check_active(listing: Listing, label: str) -> None:
    if not listing.is_active:
        raise TransitionRefused(f"该挂牌督办已{listing.get_state_display()}，不能{label}。", code=errors.WRONG_STATE)


def _supervising_officer(user_id, unit: OrgUnit):
    """The supervising officer must belong to the listing authority."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None or not Membership.objects.filter(user=user, org_unit=unit, active=True).exists():
        raise TransitionRefused(
            f"督办责任人应为{unit.name}的在岗人员。",
            code=errors.INVALID_VALUE,
            fields={"supervising_officer": "请选择挂牌单位的人员"},
        )
    return user


# ---- the services --------------------------------------------------------------------------------
@for_writers
@transaction.atomic
def hazard_list(
    *,
    hazard_id: int,
    actor,
    level: str,
    decision_number: str,
    listed_on: date | None,
    required_by: date | None,
    measures: str,
    responsible_person: str,
    funding: str,
    contingency_plan: str,
    supervising_officer_id: int | None,
    progress_interval_days: int | None,
    occurred_at: datetime,
    comment: str = "",
) -> Listing:
    """The district (区级) or the city (市级) places a major hazard under listed supervision (挂牌督办)."""
    hazard = lock_hazard(hazard_id)
    membership = listing_acting_membership(actor, "list", hazard, level)
    if not hazard.is_major:
        raise TransitionRefused("只有重大隐患才能挂牌督办。", code=errors.NOT_MAJOR)
    if hazard.state not in LISTABLE_STATES:
        raise TransitionRefused(
            f"隐患当前状态为“{hazard.get_state_display()}”，不能挂牌督办。", code=errors.WRONG_STATE
        )
    if Listing.objects.filter(hazard=hazard, level=level, state=ListingState.ACTIVE).exists():
        raise TransitionRefused(
            f"该隐患已有{ListingLevel(level).label}挂牌督办，不能重复挂牌。", code=errors.DUPLICATE_LISTING
        )
    require(
        decision_number=("挂牌文号", decision_number),
        listed_on=("挂牌日期", listed_on),
        required_by=("要求完成时限", required_by),
        measures=("整改措施", measures),
        responsible_person=("责任人", responsible_person),
        funding=("整改资金", funding),
        contingency_plan=("应急预案", contingency_plan),
        supervising_officer=("督办责任人", supervising_officer_id),
    )
    interval = _check_interval(progress_interval_days)
    _check_decision_date("listed_on", "挂牌日期", listed_on)
    if required_by < listed_on:
        raise TransitionRefused(
            "要求完成时限不能早于挂牌日期。", code=errors.INVALID_VALUE, fields={"required_by": "应不早于挂牌日期"}
        )
    officer = _supervising_officer(supervising_officer_id, membership.org_unit)
    occurred_at = _check_occurred_at(occurred_at, after=_last_occurred_at(hazard))
    listing = Listing(
        hazard=hazard,
        level=level,
        authority=membership.org_unit,
        district_id=hazard.district_id,
        city_id=hazard.city_id,
        decision_number=_clean(decision_number),
        listed_on=listed_on,
        required_by=required_by,
        measures=_clean(measures),
        responsible_person=_clean(responsible_person),
        funding=_clean(funding),
        contingency_plan=_clean(contingency_plan),
        supervising_officer=officer,
        progress_interval_days=interval,
        listed_by=actor,
    )
    save_listing(listing, actor=actor, reason="list")
    record_listing_event(
        hazard,
        listing=listing,
        name="list",
        actor=actor,
        actor_role=membership.role,
        actor_unit=membership.org_unit,
        occurred_at=occurred_at,
        comment=_clean(comment) or "",
        payload={
            "decision_number": listing.decision_number,
            "listed_on": listed_on.isoformat(),
            "required_by": required_by.isoformat(),
            "measures": listing.measures,
            "responsible_person": listing.responsible_person,
            "funding": listing.funding,
            "contingency_plan": listing.contingency_plan,
            "supervising_officer": officer.pk,
            "progress_interval_days": interval,
        },
    )
    roles = [Role.SCHOOL_STAFF, Role.DISTRICT_OFFICER] + ([Role.CITY_ADMIN] if level == ListingLevel.CITY else [])
    notify_listing(
        listing,
        event="listed",
        title=f"重大隐患{listing.get_level_display()}挂牌督办",
        recipients=listing_audience(listing, roles, supervising_officer=True),
        exclude=actor,
        body=f"{hazard.school.name} · 文号 {listing.decision_number} · 要求 {required_by:%Y-%m-%d} 前完成，"
        f"每 {interval} 天报送一次进展",
    )
    return listing


@for_writers
@transaction.atomic
def listing_report_progress(
    *,
    listing_id: int,
    actor,
    work_done: str,
    percent_complete,
    occurred_at: datetime,
    evidence: Sequence[UploadedFile] = (),
) -> ListingProgressReport:
    """The school reports progress on a listed hazard (进展报告): what was done, how far, with evidence."""
    checked = [check_evidence_file(f) for f in evidence or ()]
    hazard, listing = lock_listing(listing_id)
    membership = listing_acting_membership(actor, "listing_progress", hazard, listing.level)
    _check_active(listing, "报送进展")
    require(work_done=("进展情况", work_done))
    percent = _check_percent(percent_complete)
    occurred_at = _check_occurred_at(occurred_at, after=_last_occurred_at(hazard))
    record = record_listing_event(
        hazard,
        listing=listing,
        name="listing_progress",
        actor=actor,
        actor_role=membership.role,
        actor_unit=membership.org_unit,
        occurred_at=occurred_at,
        payload={"work_done": _clean(work_done), "percent_complete": percent},
        files=checked,
    )
    report = ListingProgressReport.objects.create(
        listing=listing,
        work_done=_clean(work_done),
        percent_complete=percent,
        reported_by=actor,
        reported_at=occurred_at,
        transition=record,
    )
    notify_listing(
        listing,
        event="progress",
        title=f"督办进展已报送（{percent}%）",
        recipients=listing_audience(listing, [Role.DISTRICT_OFFICER], supervising_officer=True),
        exclude=actor,
        body=f"{hazard.school.name} · {report.work_done[:100]}",
    )
    return report


@for_writers
@transaction.atomic
def listing_remind(*, listing_id: int, actor, message: str, occurred_at: datetime) -> ListingReminder:
    """The listing authority sends a reminder (催办) to the school and the district; it is recorded and counted."""
    hazard, listing = lock_listing(listing_id)
    membership = listing_acting_membership(
        actor, "listing_reminder", hazard, listing.level, raised=listing.raised_at is not None
    )
    _check_active(listing, "催办")
    require(message=("催办内容", message))
    occurred_at = _check_occurred_at(occurred_at, after=_last_occurred_at(hazard))
    record = record_listing_event(
        hazard,
        listing=listing,
        name="listing_reminder",
        actor=actor,
        actor_role=membership.role,
        actor_unit=membership.org_unit,
        occurred_at=occurred_at,
        comment=_clean(message),
        payload={"message": _clean(message)},
    )
    reminder = ListingReminder.objects.create(
        listing=listing, message=_clean(message), sent_by=actor, sent_at=occurred_at, transition=record
    )
    notify_listing(
        listing,
        event="reminder",
        title=f"{listing.get_level_display()}督办催办",
        recipients=listing_audience(listing, [Role.SCHOOL_STAFF, Role.DISTRICT_OFFICER]),
        exclude=actor,
        body=f"{hazard.school.name} · {reminder.message[:200]}",
    )
    return reminder


@for_writers
@transaction.atomic
def listing_delist(
    *, listing_id: int, actor, decision_number: str, delisted_on: date | None, reason: str, occurred_at: datetime
) -> Listing:
    """The listing authority delists (摘牌) once the hazard is verified: a decision with its number, date, reason."""
    hazard, listing = lock_listing(listing_id)
    membership = listing_acting_membership(actor, "delist", hazard, listing.level)
    _check_active(listing, "摘牌")
    if hazard.state != HazardState.VERIFIED:
        raise TransitionRefused(
            f"隐患当前状态为“{hazard.get_state_display()}”，须经验收销号后才能摘牌。", code=errors.NOT_VERIFIED
        )
    require(
        decision_number=("摘牌文号", decision_number),
        delisted_on=("摘牌日期", delisted_on),
        reason=("摘牌理由", reason),
    )
    _check_decision_date("delisted_on", "摘牌日期", delisted_on, not_before=listing.listed_on)
    occurred_at = _check_occurred_at(occurred_at, after=_last_occurred_at(hazard))
    listing.delist(by=actor, decision_number=_clean(decision_number), delisted_on=delisted_on, reason=_clean(reason))
    save_listing(listing, actor=actor, reason="delist")
    record_listing_event(
        hazard,
        listing=listing,
        name="delist",
        actor=actor,
        actor_role=membership.role,
        actor_unit=membership.org_unit,
        occurred_at=occurred_at,
        comment=_clean(reason),
        payload={
            "decision_number": listing.delisting_decision_number,
            "delisted_on": delisted_on.isoformat(),
            "reason": listing.delisting_reason,
        },
    )
    roles = [Role.SCHOOL_STAFF, Role.DISTRICT_OFFICER] + ([Role.CITY_ADMIN] if listing.raised_at else [])
    notify_listing(
        listing,
        event="delisted",
        title=f"{listing.get_level_display()}挂牌督办已摘牌",
        recipients=listing_audience(listing, roles, supervising_officer=True),
        exclude=actor,
        body=f"{hazard.school.name} · 摘牌文号 {listing.delisting_decision_number}",
    )
    return listing
