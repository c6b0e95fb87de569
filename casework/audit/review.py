"""The accountability review (倒查追究): who was responsible for what, and when, reconstructed afterwards.

Built only from the append-only transition records (what happened, when it happened on site, who did
it under which role and unit) and the simple-history rows (the whole hazard as it stood after each
save) — never from today's row. Each history row written by a service is paired with the transition
record of the same save, and takes that record's ``occurred_at`` as the moment it speaks for; a history
row written outside the services (an admin correction) speaks for the moment it was saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from casework.access import hazards_visible_to
from casework.models import (
    Evidence,
    Hazard,
    HazardState,
    HazardTransition,
    Membership,
    OrgUnit,
    Role,
)
from casework.presenters import payload_lines
from casework.rules.lifecycle import is_overdue, is_record_name
from notifications.models import Notification

SHANGHAI = ZoneInfo("Asia/Shanghai")
CLOSED_STATES = (HazardState.VERIFIED, HazardState.CLOSED_INVALID)
DONE_STATES = (HazardState.RECTIFIED, HazardState.VERIFIED)
# A hazard review of a district or a person stops here; the page says so when it does.
MAX_HAZARDS = 300

# The hazard's fields as the as-of page and the review show them, in order.
FIELDS = [
    ("state", "状态"),
    ("title", "隐患名称"),
    ("description", "隐患描述"),
    ("severity", "等级"),
    ("urgency", "轻重缓急"),
    ("category", "类别"),
    ("key_place", "重点部位"),
    ("sensitive", "涉密/敏感"),
    ("school", "学校"),
    ("reported_by", "报告人"),
    ("reported_at", "发现时间"),
    ("responsible_person", "责任人"),
    ("responsible_phone", "责任人电话"),
    ("measures", "整改措施"),
    ("funding", "整改资金"),
    ("contingency_plan", "应急预案"),
    ("deadline", "整改时限"),
    ("deadline_basis", "时限给定方式"),
    ("deadline_working_days", "工作日数"),
    ("temporary_measures", "临时(强化)防范措施"),
    ("rectification", "整改情况"),
    ("verification_result", "验收意见"),
]
# Notifications that only inform; every other one about a hazard asks its recipient to act.
INFORMATIONAL_EVENTS = {
    "hazard.verify",
    "hazard.close_invalid",
    "hazard.change_deadline",
    "hazard.record_temporary_measures",
}


def local(moment: datetime) -> datetime:
    return timezone.localtime(moment, SHANGHAI)


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def end_of_day(day: date) -> datetime:
    """The first moment after ``day``: a deadline of ``day`` is met by anything before it."""
    return start_of_day(day + timedelta(days=1))


# ---- the hazard as it stood --------------------------------------------------------------------
@dataclass
class Step:
    """One history row of the hazard, with the moment it speaks for."""

    moment: datetime
    row: object  # the HistoricalHazard row: the whole hazard after this save
    transition: HazardTransition | None  # the transition record of the same save, if any

    @property
    def is_edit(self) -> bool:
        return self.transition is None

    @property
    def who(self):
        return self.transition.actor if self.transition else self.row.history_user

    @property
    def label(self) -> str:
        if self.transition:
            return self.transition.label
        reason = self.row.history_change_reason or ""
        return f"直接修改（非流转{'：' + reason if reason else ''}）"


def hazard_steps(hazard: Hazard) -> list[Step]:
    """Every saved version of the hazard, in the order of the moments they speak for."""
    rows = list(hazard.history.select_related("history_user", "school", "reported_by").order_by("history_id"))
    transitions = list(hazard.transitions.select_related("actor", "actor_unit").order_by("id"))
    pending = list(transitions)
    steps = []
    for row in rows:
        record = None
        reason = row.history_change_reason or ""
        if is_record_name(reason):
            # The service saves the hazard, then appends the record: the i-th such row is the i-th record.
            for i, candidate in enumerate(pending):
                if candidate.name == reason:
                    record = pending.pop(i)
                    break
        steps.append(Step(record.occurred_at if record else row.history_date, row, record))
    steps.sort(key=lambda s: (s.moment, s.row.history_id))
    return steps


def step_at(steps: list[Step], moment: datetime) -> Step | None:
    """The version in force at ``moment`` (the last one whose moment is not after it), or None."""
    found = None
    for step in steps:
        if step.moment <= moment:
            found = step
        else:
            break
    return found


def display(row, name: str) -> str:
    """A field of a history row as the interface shows it."""
    if row is None:
        return ""
    value = getattr(row, name)
    if name in ("school", "reported_by"):
        obj = getattr(row, name)
        if obj is None:
            return ""
        return getattr(obj, "get_full_name", lambda: "")() or str(obj)
    getter = getattr(row, f"get_{name}_display", None)
    if getter is not None and value not in (None, ""):
        return str(getter())
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


@dataclass
class FieldView:
    name: str
    label: str
    then: str
    now: str

    @property
    def changed(self) -> bool:
        return self.then != self.now


@dataclass
class AsOf:
    hazard: Hazard
    moment: datetime
    step: Step | None  # None: the hazard had not been reported yet
    fields: list[FieldView]
    changes_since: list[tuple[Step, list[FieldView]]]
    transitions_until: list[HazardTransition]


def hazard_as_of(hazard: Hazard, moment: datetime) -> AsOf:
    """The hazard exactly as it stood at ``moment``, beside its latest version, and every change since."""
    steps = hazard_steps(hazard)
    then = step_at(steps, moment)
    latest = steps[-1] if steps else None
    fields = [
        FieldView(name, label, display(then.row if then else None, name), display(latest.row if latest else None, name))
        for name, label in FIELDS
    ]
    changes, previous = [], then
    for step in steps:
        if step.moment <= moment:
            continue
        diff = [
            FieldView(name, label, display(previous.row if previous else None, name), display(step.row, name))
            for name, label in FIELDS
        ]
        changes.append((step, [d for d in diff if d.changed]))
        previous = step
    until = [s.transition for s in steps if s.transition and s.moment <= moment]
    return AsOf(hazard, moment, then, fields, changes, until)


# ---- who was responsible -------------------------------------------------------------------------
HANDLERS = {
    # state → (role, how to find the unit) for an ordinary hazard, and for a sensitive one.
    HazardState.REPORTED: ((Role.DISTRICT_OFFICER, "district"), (Role.POLICE_STATION, "station")),
    HazardState.ASSIGNED: ((Role.SCHOOL_STAFF, "school"), (Role.POLICE_STATION, "station")),
    HazardState.TEMPORARY_MEASURES: ((Role.SCHOOL_STAFF, "school"), (Role.POLICE_STATION, "station")),
    HazardState.RECTIFIED: ((Role.SUPERVISOR, "district"), (Role.CITY_ADMIN, "city")),
    HazardState.ESCALATED: ((Role.PARTY_COMMITTEE, "committee"), (Role.CITY_ADMIN, "city")),
}


@dataclass(frozen=True)
class Responsibility:
    """Who was responsible for a hazard at one moment, and the deadline then in force."""

    moment: datetime
    state: str  # "" before the hazard was reported
    state_label: str
    responsible_person: str
    responsible_phone: str
    responsible_unit: str  # the school that rectifies
    units_charged: str  # the units a coordination decision charged, if any
    handler_role: str  # the role whose move it was
    handler_role_label: str
    handler_unit: str
    assigned_by: str
    deadline: date | None
    overdue: bool

    def key(self) -> tuple:
        return (
            self.state,
            self.responsible_person,
            self.responsible_phone,
            self.responsible_unit,
            self.units_charged,
            self.handler_role,
            self.handler_unit,
            self.deadline,
        )


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def _handler_unit(hazard: Hazard, school: OrgUnit | None, how: str) -> str:
    school = school or hazard.school
    if how == "school":
        return school.name
    if how == "station":
        return school.police_station.name if school.police_station_id else ""
    if how == "district":
        return hazard.district.name
    if how == "city":
        return hazard.city.name
    committee = OrgUnit.objects.filter(kind="party_committee", district_id=hazard.district_id).order_by("id").first()
    return committee.name if committee else f"{hazard.district.name}党委政府"


def _responsibility(hazard: Hazard, steps: list[Step], moment: datetime) -> Responsibility:
    step = step_at(steps, moment)
    if step is None:
        return Responsibility(moment, "", "尚未上报", "", "", "", "", "", "", "", "", None, False)
    row = step.row
    state = row.state
    handler_role = handler_label = handler_unit = ""
    if state in HANDLERS:
        role, how = HANDLERS[state][1 if row.sensitive else 0]
        handler_role, handler_label, handler_unit = role, Role(role).label, _handler_unit(hazard, row.school, how)
    records = [s.transition for s in steps if s.transition and s.moment <= moment]
    coordination = next((r for r in reversed(records) if r.name == "record_coordination"), None)
    assign = next((r for r in reversed(records) if r.name == "assign"), None)
    overdue = is_overdue(state, row.deadline, local(moment).date())
    return Responsibility(
        moment=moment,
        state=state,
        state_label=HazardState(state).label,
        responsible_person=row.responsible_person,
        responsible_phone=row.responsible_phone,
        responsible_unit=row.school.name if row.school else "",
        units_charged=(coordination.payload.get("units_charged", "") if coordination else ""),
        handler_role=handler_role,
        handler_role_label=handler_label,
        handler_unit=handler_unit,
        assigned_by=_person(assign.actor) if assign else "",
        deadline=row.deadline,
        overdue=overdue,
    )


def responsible_at(hazard: Hazard, moment: datetime) -> Responsibility:
    """Who was responsible for ``hazard`` at ``moment`` (person, unit, whose move it was, deadline)."""
    return _responsibility(hazard, hazard_steps(hazard), moment)


@dataclass
class Period:
    start: datetime
    end: datetime | None  # None: still so
    who: Responsibility
    deadline_outcome: str


def responsibility_periods(hazard: Hazard, steps: list[Step], deadlines: list[DeadlineSpan]) -> list[Period]:
    periods: list[Period] = []
    for step in steps:
        who = _responsibility(hazard, steps, step.moment)
        if periods and periods[-1].who.key() == who.key():
            continue
        if periods:
            periods[-1].end = step.moment
        outcome = next(
            (
                d.outcome_label
                for d in deadlines
                if d.deadline == who.deadline and d.start <= step.moment and (d.end is None or step.moment < d.end)
            ),
            "",
        )
        periods.append(Period(step.moment, None, who, outcome))
    return periods


# ---- deadlines -----------------------------------------------------------------------------------
OUTCOME_LABELS = {
    "met": "按期完成",
    "missed": "逾期未完成",
    "pending": "未到期",
    "superseded": "到期前已调整",
    "closed": "已作废",
}


@dataclass
class DeadlineSpan:
    deadline: date
    start: datetime
    end: datetime | None
    set_by: str
    set_how: str
    outcome: str = ""
    completed_at: datetime | None = None  # when the fix was reported, if after a missed deadline

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome, self.outcome)


def deadline_spans(steps: list[Step], now: datetime | None = None) -> list[DeadlineSpan]:
    """Each deadline in force, from when to when, who set it, and whether it was met."""
    now = now or timezone.now()
    spans: list[DeadlineSpan] = []
    for step in steps:
        deadline = step.row.deadline
        if spans and spans[-1].deadline == deadline:
            continue
        if spans:
            spans[-1].end = step.moment
        if deadline is not None:
            spans.append(DeadlineSpan(deadline, step.moment, None, _person(step.who), step.label))
    for span in spans:
        due = end_of_day(span.deadline)
        if span.end is not None and span.end < due:
            span.outcome = "superseded"
            continue
        at_due = step_at(steps, min(due, now) - timedelta(microseconds=1))
        state = at_due.row.state if at_due else ""
        if state in DONE_STATES:
            span.outcome = "met"
        elif state == HazardState.CLOSED_INVALID:
            span.outcome = "closed"
        elif due > now:
            span.outcome = "pending"
        else:
            span.outcome = "missed"
            later = next(
                (s for s in steps if s.moment >= due and s.transition and s.transition.name == "report_rectified"), None
            )
            span.completed_at = later.moment if later else None
    return spans


# ---- decisions, reworks, extensions, escalations, reminders ---------------------------------------
@dataclass
class Decision:
    step: Step
    changes: list[tuple[str, str]]
    evidence: list[str]  # SHA-256 fingerprints
    late_entry: bool  # entered more than a day after it happened

    @property
    def record(self) -> HazardTransition | None:
        return self.step.transition


def _payload_changes(record: HazardTransition) -> list[tuple[str, str]]:
    return payload_lines(record.payload)


def _decision(step: Step, evidence_by_transition: dict[int, list[str]], previous: Step | None) -> Decision:
    if step.transition:
        record = step.transition
        hashes = list(
            dict.fromkeys(list(record.payload.get("evidence", [])) + evidence_by_transition.get(record.pk, []))
        )
        late = record.recorded_at - record.occurred_at > timedelta(days=1)
        return Decision(step, _payload_changes(record), hashes, late)
    changes = []
    for name, label in FIELDS:
        before, after = display(previous.row if previous else None, name), display(step.row, name)
        if before != after:
            changes.append((label, f"{before or '—'} → {after or '—'}"))
    return Decision(step, changes, [], False)


@dataclass
class Extension:
    record: HazardTransition
    previous_deadline: str
    deadline: str
    reason: str
    temporary_measures: str  # in place just before the extension
    major: bool


@dataclass
class Escalation:
    record: HazardTransition
    decision: HazardTransition | None


@dataclass
class Reminder:
    notification: Notification
    deadline: date | None
    status: str  # acted / ignored / pending / informational
    acted_by: HazardTransition | None

    STATUS_LABELS = {
        "acted": "已响应",
        "ignored": "未响应（期限内无行动）",
        "pending": "期限未到",
        "informational": "仅告知",
        "no_deadline": "未响应（无时限）",
    }

    @property
    def status_label(self) -> str:
        return self.STATUS_LABELS[self.status]


def _reminders(
    hazard: Hazard, steps: list[Step], start: datetime, end: datetime, person=None, now: datetime | None = None
) -> list[Reminder]:
    now = now or timezone.now()
    notes = Notification.objects.filter(url=hazard.get_absolute_url(), created_at__gte=start, created_at__lt=end)
    if person is not None:
        notes = notes.filter(recipient=person)
    notes = list(notes.select_related("recipient").order_by("created_at", "id"))
    units = {}
    for m in Membership.objects.filter(user_id__in={n.recipient_id for n in notes}):
        units.setdefault(m.user_id, set()).add(m.org_unit_id)
    records = [s.transition for s in steps if s.transition]
    out = []
    for note in notes:
        if note.event in INFORMATIONAL_EVENTS:
            out.append(Reminder(note, None, "informational", None))
            continue
        in_force = step_at(steps, note.created_at)
        deadline = in_force.row.deadline if in_force else None
        if deadline is None or end_of_day(deadline) <= note.created_at:
            later = next(
                (
                    s.row.deadline
                    for s in steps
                    if s.moment > note.created_at and s.row.deadline and end_of_day(s.row.deadline) > note.created_at
                ),
                None,
            )
            deadline = later
        window_end = end_of_day(deadline) if deadline else now
        mine = units.get(note.recipient_id, set())
        acted = next(
            (
                r
                for r in records
                if note.created_at <= r.occurred_at < window_end
                and (r.actor_id == note.recipient_id or r.actor_unit_id in mine)
            ),
            None,
        )
        if acted:
            status = "acted"
        elif deadline is None:
            status = "no_deadline"
        elif window_end > now:
            status = "pending"
        else:
            status = "ignored"
        out.append(Reminder(note, deadline, status, acted))
    return out


# ---- the review ----------------------------------------------------------------------------------
@dataclass
class HazardReview:
    hazard: Hazard
    decisions: list[Decision]
    periods: list[Period]
    deadlines: list[DeadlineSpan]
    reworks: list[HazardTransition]
    extensions: list[Extension]
    escalations: list[Escalation]
    reminders: list[Reminder]

    @property
    def ignored_reminders(self) -> list[Reminder]:
        return [r for r in self.reminders if r.status == "ignored"]


def _overlaps(start: datetime, end: datetime | None, lo: datetime, hi: datetime) -> bool:
    return start < hi and (end is None or end > lo)


def review_hazard(
    hazard: Hazard, start: datetime, end: datetime, *, person=None, now: datetime | None = None
) -> HazardReview:
    """Everything the review says about one hazard over [start, end)."""
    steps = hazard_steps(hazard)
    evidence: dict[int, list[str]] = {}
    for transition_id, sha in Evidence.objects.filter(hazard=hazard).values_list("transition_id", "sha256"):
        evidence.setdefault(transition_id, []).append(sha)
    decisions, previous = [], None
    for step in steps:
        if start <= step.moment < end and (person is None or (step.who and step.who.pk == person.pk)):
            decisions.append(_decision(step, evidence, previous))
        previous = step
    spans = deadline_spans(steps, now)
    periods = [p for p in responsibility_periods(hazard, steps, spans) if _overlaps(p.start, p.end, start, end)]
    records = [s for s in steps if s.transition]
    in_period = [s for s in records if start <= s.moment < end]
    reworks = [s.transition for s in in_period if s.transition.name == "reject"]
    extensions = []
    for s in in_period:
        r = s.transition
        new, old = r.payload.get("deadline"), r.payload.get("previous_deadline")
        if r.name == "change_deadline" and new and old and new > old:
            before = step_at(steps, s.moment - timedelta(microseconds=1))
            extensions.append(
                Extension(
                    r,
                    old,
                    new,
                    r.payload.get("reason", ""),
                    before.row.temporary_measures if before else "",
                    hazard.is_major,
                )
            )
    escalations = []
    for s in in_period:
        if s.transition.name == "escalate":
            decision = next(
                (o.transition for o in records if o.moment >= s.moment and o.transition.name == "record_coordination"),
                None,
            )
            escalations.append(Escalation(s.transition, decision))
    reminders = _reminders(hazard, steps, start, end, person=person, now=now)
    return HazardReview(hazard, decisions, periods, spans, reworks, extensions, escalations, reminders)


SUBJECT_KINDS = {"hazard": "隐患", "school": "学校", "district": "辖市区", "person": "人员"}


@dataclass
class Review:
    kind: str
    subject: object
    start_day: date
    end_day: date
    hazards: list[HazardReview] = field(default_factory=list)
    truncated: bool = False

    @property
    def kind_label(self) -> str:
        return SUBJECT_KINDS[self.kind]

    @property
    def subject_label(self) -> str:
        if self.kind == "person":
            return _person(self.subject)
        if self.kind == "hazard":
            return f"#{self.subject.pk} {self.subject.title}"
        return self.subject.name


def review_hazards(user, kind: str, subject, start: datetime, end: datetime) -> QuerySet[Hazard]:
    """The hazards a review covers: visible to the reviewer, in the subject, alive during the period."""
    qs = hazards_visible_to(user).select_related("school", "district", "city", "school__police_station")
    if kind == "hazard":
        return qs.filter(pk=subject.pk)
    closed_before = HazardTransition.objects.filter(
        hazard=OuterRef("pk"), name__in=["verify", "close_invalid"], occurred_at__lt=start
    )
    qs = qs.filter(reported_at__lt=end).exclude(Exists(closed_before))
    if kind == "school":
        return qs.filter(school=subject)
    if kind == "district":
        return qs.filter(district=subject)
    acted = HazardTransition.objects.filter(
        hazard=OuterRef("pk"), actor=subject, occurred_at__gte=start, occurred_at__lt=end
    )
    return qs.filter(Q(Exists(acted)) | Q(reported_by=subject) | Q(pk__in=_hazard_ids_notified(subject, start, end)))


def _hazard_ids_notified(person, start: datetime, end: datetime) -> list[int]:
    from django.urls import Resolver404, resolve

    ids = set()
    for url in (
        Notification.objects.filter(recipient=person, created_at__gte=start, created_at__lt=end)
        .values_list("url", flat=True)
        .distinct()
    ):
        try:
            match = resolve(url)
        except Resolver404:
            continue
        if match.view_name == "casework:hazard_detail":
            ids.add(match.kwargs["pk"])
    return sorted(ids)


def build_review(user, kind: str, subject, start_day: date, end_day: date, *, now: datetime | None = None) -> Review:
    """The accountability review of a hazard, school, district or person over [start_day, end_day]."""
    start, end = start_of_day(start_day), end_of_day(end_day)
    review = Review(kind, subject, start_day, end_day)
    hazards = list(review_hazards(user, kind, subject, start, end).order_by("reported_at", "id")[: MAX_HAZARDS + 1])
    review.truncated = len(hazards) > MAX_HAZARDS
    person = subject if kind == "person" else None
    review.hazards = [review_hazard(h, start, end, person=person, now=now) for h in hazards[:MAX_HAZARDS]]
    return review
