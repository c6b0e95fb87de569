"""Findings an auditor starts from: patterns in the record that deserve a closer look.

Each finding is a pure read over the hazards the auditor may see (casework.access) and their
append-only records; none of them is a verdict, each names the records to open.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.db.models import Q
from django.utils import timezone

from casework.access import hazards_visible_to, listings_visible_to
from casework.models import Evidence, HazardTransition, ListingState, Membership, Severity
from casework.rules.lifecycle import RECORD_NAMES, SIGN_OFF_EXCLUDED_BY, overdue_q
from casework.workdays import WorkingCalendar

from .review import SHANGHAI, end_of_day, local, start_of_day

WORK_START = time(8, 0)
WORK_END = time(20, 0)
# "In bulk": this many records by one actor within this many minutes.
BULK_COUNT = 10
BULK_MINUTES = 10


@dataclass
class Finding:
    code: str
    title: str
    explanation: str
    rows: list[dict] = field(default_factory=list)
    note: str = ""  # when the finding cannot be computed yet, why


def is_working_time(moment: datetime, calendar: WorkingCalendar | None = None) -> bool:
    """Asia/Shanghai, 08:00–20:00 on a working day of the project's calendar (statutory holidays,
    make-up days, the city's overrides); pass one calendar when checking many moments."""
    moment = local(moment)
    workday = (calendar or WorkingCalendar()).is_workday(moment.date())
    return workday and WORK_START <= moment.time() < WORK_END


def _hazard_row(h, **extra) -> dict:
    return {"hazard": h, "hazard_id": h.pk, "title": h.title, "school": h.school.name, **extra}


def overdue_major_hazards(user, today: date | None = None) -> Finding:
    today = today or timezone.localdate()
    qs = (
        hazards_visible_to(user)
        .filter(overdue_q(today), severity=Severity.MAJOR)
        .select_related("school")
        .order_by("deadline", "id")
    )
    rows = [
        _hazard_row(
            h, detail=f"时限 {h.deadline:%Y-%m-%d}，已逾期 {(today - h.deadline).days} 天，当前{h.get_state_display()}"
        )
        for h in qs
    ]
    return Finding(
        "overdue_major", "重大隐患逾期未整改", f"截至 {today:%Y-%m-%d} 已过整改时限、尚未报告整改完成的重大隐患。", rows
    )


def deadlines_extended_more_than_once(user) -> Finding:
    records = (
        HazardTransition.objects.filter(hazard__in=hazards_visible_to(user), name="change_deadline")
        .select_related("hazard__school", "actor")
        .order_by("hazard_id", "occurred_at", "id")
    )
    by_hazard = defaultdict(list)
    for r in records:
        new, old = r.payload.get("deadline"), r.payload.get("previous_deadline")
        if new and old and new > old:
            by_hazard[r.hazard_id].append(r)
    rows = []
    for records in by_hazard.values():
        if len(records) > 1:
            h = records[0].hazard
            steps = "；".join(
                f"{local(r.occurred_at):%Y-%m-%d} {r.payload['previous_deadline']}→{r.payload['deadline']}"
                f"（{r.payload.get('reason', '')}）"
                for r in records
            )
            rows.append(_hazard_row(h, detail=f"延期 {len(records)} 次：{steps}"))
    return Finding(
        "extended_twice", "多次延期", "整改时限被推后两次及以上的隐患（延期理由与当时的临时措施见倒查报告）。", rows
    )


def verifications_by_chain_members(user) -> Finding:
    """Verified by someone who reported or rectified it, or who belongs to the reporting or rectifying unit."""
    hazards = hazards_visible_to(user)
    verifies = list(
        HazardTransition.objects.filter(hazard__in=hazards, name="verify").select_related("hazard__school", "actor")
    )
    ids = [v.hazard_id for v in verifies]
    chain_users, chain_units = defaultdict(set), defaultdict(set)
    for hazard_id, actor_id, unit_id in HazardTransition.objects.filter(
        hazard_id__in=ids, name__in=SIGN_OFF_EXCLUDED_BY
    ).values_list("hazard_id", "actor_id", "actor_unit_id"):
        chain_users[hazard_id].add(actor_id)
        chain_units[hazard_id].add(unit_id)
    history = apps.get_model("casework", "HistoricalHazard")
    # Every reporter the hazard ever had (an admin correction may have changed it) and every hand that
    # edited it outside the services.
    for hazard_id, reporter_id, editor_id, reason in history.objects.filter(id__in=ids).values_list(
        "id", "reported_by_id", "history_user_id", "history_change_reason"
    ):
        chain_users[hazard_id].add(reporter_id)
        if editor_id and reason not in _transition_names():
            chain_users[hazard_id].add(editor_id)
    memberships = defaultdict(set)
    for user_id, unit_id in Membership.objects.filter(user_id__in={v.actor_id for v in verifies}).values_list(
        "user_id", "org_unit_id"
    ):
        memberships[user_id].add(unit_id)
    rows = []
    for v in verifies:
        h = v.hazard
        units = chain_units[h.pk] | {h.school_id}
        reasons = []
        if v.actor_id in chain_users[h.pk]:
            reasons.append("验收人曾上报、整改或直接修改本隐患")
        if memberships[v.actor_id] & units:
            reasons.append("验收人同时在上报或整改单位任职")
        if reasons:
            rows.append(
                _hazard_row(
                    h,
                    detail=f"{v.actor.get_full_name() or v.actor.username} 于 "
                    f"{local(v.occurred_at):%Y-%m-%d %H:%M} 验收：{'；'.join(reasons)}",
                )
            )
    return Finding(
        "self_verified", "整改链条内人员验收", "验收人属于上报或整改链条（含通过后台修改或兼任多个岗位）。", rows
    )


def _transition_names() -> set[str]:
    return set(RECORD_NAMES)


def verified_without_evidence(user) -> Finding:
    """Verified, but the fix it signed off has no stored evidence (or not the evidence its record names)."""
    verifies = (
        HazardTransition.objects.filter(hazard__in=hazards_visible_to(user), name="verify")
        .select_related("hazard__school")
        .order_by("hazard_id", "occurred_at")
    )
    rows = []
    for v in verifies:
        fix = (
            HazardTransition.objects.filter(hazard_id=v.hazard_id, name="report_rectified", id__lt=v.id)
            .order_by("-id")
            .first()
        )
        named = set(fix.payload.get("evidence", [])) if fix else set()
        stored = set(Evidence.objects.filter(transition=fix).values_list("sha256", flat=True)) if fix else set()
        if not fix:
            detail = "没有整改完成报告"
        elif not named or not stored:
            detail = "整改完成报告没有佐证材料"
        elif named - stored:
            detail = f"记录所列佐证材料缺失 {len(named - stored)} 件（哈希不符或已被移除）"
        else:
            continue
        rows.append(_hazard_row(v.hazard, detail=f"{local(v.occurred_at):%Y-%m-%d} 验收：{detail}"))
    return Finding("no_evidence", "无佐证材料验收", "验收销号时，被验收的整改报告没有（或缺少）佐证材料。", rows)


def listings_without_progress_reports(user) -> Finding:
    """Active listings (挂牌督办) whose school has sent no progress report since they were listed."""
    finding = Finding("listing_no_progress", "挂牌督办无进展报告", "挂牌督办中、却没有任何进展报告的案件。")
    listings = (
        listings_visible_to(user)
        .filter(state=ListingState.ACTIVE, progress_reports__isnull=True)
        .select_related("hazard__school")
        .distinct()
    )
    for listing in listings:
        finding.rows.append(_hazard_row(listing.hazard, detail=f"挂牌 {listing}：无进展报告"))
    return finding


def _changes(user, start: datetime, end: datetime):
    """Every change in the period: transition records (by when entered and when said to happen) and
    history rows written outside the services."""
    hazards = hazards_visible_to(user)
    records = (
        HazardTransition.objects.filter(hazard__in=hazards)
        .filter(Q(recorded_at__gte=start, recorded_at__lt=end) | Q(occurred_at__gte=start, occurred_at__lt=end))
        .select_related("actor", "hazard__school")
    )
    history = apps.get_model("casework", "HistoricalHazard")
    edits = (
        history.objects.filter(id__in=hazards.values("pk"), history_date__gte=start, history_date__lt=end)
        .exclude(history_change_reason__in=_transition_names())
        .select_related("history_user", "school")
    )
    return list(records), list(edits)


def changes_outside_working_hours(user, start: datetime, end: datetime) -> Finding:
    records, edits = _changes(user, start, end)
    calendar = WorkingCalendar()  # one calendar: its overrides are read once per year, not per record
    rows = []
    for r in sorted(records, key=lambda r: (r.recorded_at, r.id)):
        when = []
        if start <= r.recorded_at < end and not is_working_time(r.recorded_at, calendar):
            when.append(f"录入于 {local(r.recorded_at):%Y-%m-%d %H:%M（%a）}")
        if start <= r.occurred_at < end and not is_working_time(r.occurred_at, calendar):
            when.append(f"发生于 {local(r.occurred_at):%Y-%m-%d %H:%M（%a）}")
        if when:
            rows.append(
                _hazard_row(
                    r.hazard,
                    detail=f"{r.label} · {r.actor.get_full_name() or r.actor.username} · {'，'.join(when)}",
                    record=r,
                )
            )
    for e in edits:
        if not is_working_time(e.history_date, calendar):
            who = e.history_user.username if e.history_user else "系统"
            rows.append(
                {
                    "hazard_id": e.id,
                    "title": e.title,
                    "school": e.school.name if e.school else "",
                    "detail": f"直接修改 · {who} · {local(e.history_date):%Y-%m-%d %H:%M（%a）}",
                }
            )
    return Finding(
        "off_hours",
        "非工作时间操作",
        "周末、节假日或 08:00 前、20:00 后（北京时间）录入或声称发生的操作，以及后台直接修改。",
        rows,
    )


def changes_in_bulk(
    user, start: datetime, end: datetime, *, count: int = BULK_COUNT, minutes: int = BULK_MINUTES
) -> Finding:
    records, edits = _changes(user, start, end)
    events = defaultdict(list)  # actor → [(entered, label, hazard_id)]
    for r in records:
        if start <= r.recorded_at < end:
            events[r.actor].append((r.recorded_at, r.label, r.hazard_id))
    for e in edits:
        if e.history_user is not None:
            events[e.history_user].append((e.history_date, "直接修改", e.id))
    window = timedelta(minutes=minutes)
    rows = []
    for actor, items in events.items():
        items.sort(key=lambda item: item[0])
        lo, best = 0, (0, 0)
        for hi in range(len(items)):
            while items[hi][0] - items[lo][0] > window:
                lo += 1
            if hi - lo + 1 > best[1] - best[0]:
                best = (lo, hi + 1)
        burst = items[best[0] : best[1]]
        if len(burst) >= count:
            hazards = sorted({item[2] for item in burst})
            rows.append(
                {
                    "hazard_id": hazards[0],
                    "title": f"{len(hazards)} 件隐患",
                    "school": "",
                    "actor": actor,
                    "detail": f"{actor.get_full_name() or actor.username} 在 "
                    f"{local(burst[0][0]):%Y-%m-%d %H:%M}–{local(burst[-1][0]):%H:%M} 间录入 {len(burst)} 条记录"
                    f"（隐患 {', '.join('#' + str(h) for h in hazards[:20])}{' 等' if len(hazards) > 20 else ''}）",
                }
            )
    return Finding("bulk", "短时间批量操作", f"同一人 {minutes} 分钟内录入 {count} 条及以上记录。", rows)


def all_findings(user, start_day: date, end_day: date, *, today: date | None = None) -> list[Finding]:
    """Every finding; the time-based ones over [start_day, end_day]."""
    start, end = start_of_day(start_day), end_of_day(end_day)
    return [
        overdue_major_hazards(user, today),
        deadlines_extended_more_than_once(user),
        verifications_by_chain_members(user),
        verified_without_evidence(user),
        listings_without_progress_reports(user),
        changes_outside_working_hours(user, start, end),
        changes_in_bulk(user, start, end),
    ]


__all__ = ["SHANGHAI", "Finding", "all_findings", "is_working_time"]
