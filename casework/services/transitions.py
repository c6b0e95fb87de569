"""The hazard's lifecycle: one service per transition, each one transaction.

Each service: locks the hazard row, checks the actor's role and scope (casework.access), the
state and the input, moves the django-fsm state, saves (simple-history records the row),
appends the hash-chained transition record, stores evidence and queues the notifications.
A refusal raises ``TransitionRefused`` and, the transaction rolling back, changes nothing.
"""

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from casework import errors
from casework.access import acting_membership, action_allowed_from, reporting_membership
from casework.errors import TransitionRefused
from casework.locks import lock_object
from casework.models import (
    Category,
    Hazard,
    HazardState,
    HazardTransition,
    KeyPlace,
    Membership,
    OrgUnit,
    Severity,
    Urgency,
)
from casework.rules.lifecycle import ACTIONS

from .deadlines import DeadlineSpec, ResolvedDeadline
from .evidence import CheckedFile, check_evidence_file
from .guards import for_writers
from .hooks import run_after_transition
from .notify import notify_transition
from .records import append_hazard_record, save_with_history


def wrong_state_message(hazard: Hazard, action: str) -> str:
    """The refusal of an action the hazard's state does not allow (the services and the forms say the same)."""
    return f"隐患当前状态为“{hazard.get_state_display()}”，不能{ACTIONS[action].label}。"


# A user's clock may run a little ahead of the server's.
CLOCK_SKEW = timedelta(minutes=2)


def lock_hazard(hazard_id: int) -> Hazard:
    """Lock the hazard row for this transaction (lock first, then check: callers' copies go stale)."""
    hazard = lock_object(Hazard.objects.filter(pk=hazard_id), related=("school", "district"))
    if hazard is None:
        raise TransitionRefused("隐患不存在或不在您的管辖范围内。", code=errors.OUT_OF_SCOPE)
    return hazard


# ---- input checks ------------------------------------------------------------------------------
def _clean(value):
    return value.strip() if isinstance(value, str) else value


def require(**fields: tuple[str, object]) -> None:
    """Refuse with every empty field at once: ``require(reason=("原因", reason))``."""
    missing = {name: f"请填写{label}" for name, (label, value) in fields.items() if not _clean(value)}
    if missing:
        labels = "、".join(label for label, value in fields.values() if not _clean(value))
        raise TransitionRefused(f"缺少必填内容：{labels}。", code=errors.MISSING_FIELD, fields=missing)


def _check_choice(name: str, label: str, value: str, choices) -> None:
    if value not in choices.values:
        raise TransitionRefused(f"{label}的取值无效。", code=errors.INVALID_VALUE, fields={name: f"无效的{label}"})


def _check_occurred_at(occurred_at: datetime, *, after: datetime | None) -> datetime:
    if occurred_at is None:
        raise TransitionRefused("缺少发生时间。", code=errors.MISSING_FIELD, fields={"occurred_at": "请填写发生时间"})
    if timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)
    if occurred_at > timezone.now() + CLOCK_SKEW:
        raise TransitionRefused(
            "发生时间不能晚于当前时间。", code=errors.INVALID_TIME, fields={"occurred_at": "不能是将来的时间"}
        )
    if after is not None and occurred_at < after:
        shown = timezone.localtime(after).strftime("%Y-%m-%d %H:%M")
        raise TransitionRefused(
            f"发生时间不能早于上一次流转（{shown}）。",
            code=errors.INVALID_TIME,
            fields={"occurred_at": f"应不早于 {shown}"},
        )
    return occurred_at


def _check_deadline(deadline: date | None, occurred_at: datetime) -> None:
    if timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)
    if deadline is not None and deadline < timezone.localdate(occurred_at):
        raise TransitionRefused(
            "整改时限不能早于交办日期。", code=errors.INVALID_VALUE, fields={"deadline": "时限已过"}
        )


class _DeadlineInput:
    """The deadline keywords of one call: a date or N working days, resolved inside the service's check
    (after the role and scope checks) from the local date of ``occurred_at``."""

    def __init__(self, deadline: date | None, working_days: int | None, occurred_at: datetime | None):
        self.deadline, self.working_days, self.occurred_at = deadline, working_days, occurred_at
        self.resolved: ResolvedDeadline | None = None

    def spec(self) -> DeadlineSpec | None:
        return DeadlineSpec.of(deadline=self.deadline, deadline_working_days=self.working_days)

    def resolve(self) -> ResolvedDeadline:
        moment = self.occurred_at or timezone.now()  # a missing moment is refused by _perform right after
        self.resolved = self.spec().resolve(moment)
        _check_deadline(self.resolved.date, moment)
        return self.resolved

    def fields(self) -> dict:
        r = self.resolved
        return {"deadline": r.date, "deadline_basis": r.basis, "deadline_working_days": r.working_days}

    def announce(self, hazard: Hazard) -> Hazard:
        # Callers (views, commands) show this; the transition's payload keeps it too.
        hazard.deadline_warning = self.resolved.warning if self.resolved else ""
        return hazard


def _check_files(files: Sequence[UploadedFile]) -> list[CheckedFile]:
    return [check_evidence_file(f) for f in files or ()]


def _last_occurred_at(hazard: Hazard) -> datetime | None:
    return hazard.transitions.order_by("-occurred_at").values_list("occurred_at", flat=True).first()


# ---- the one write path ------------------------------------------------------------------------
def _record(
    hazard: Hazard,
    *,
    membership: Membership,
    actor,
    name: str,
    from_state: str,
    occurred_at: datetime,
    comment: str,
    payload: dict,
    files: list[CheckedFile],
) -> HazardTransition:
    return append_hazard_record(
        hazard,
        name=name,
        from_state=from_state,
        actor=actor,
        actor_role=membership.role,
        actor_unit=membership.org_unit,
        occurred_at=occurred_at,
        comment=comment,
        payload=payload,
        files=files,
    )


def _column_values(hazard: Hazard) -> dict:
    """The row as loaded (every concrete column; all of them immutable values), to save only what moved."""
    return {f.attname: getattr(hazard, f.attname) for f in Hazard._meta.concrete_fields}


def _save(hazard: Hazard, *, actor, reason: str, loaded: dict | None = None) -> None:
    if loaded is None:
        save_with_history(hazard, actor=actor, reason=reason)
        return
    # The row is locked and was read in this transaction: the UPDATE names the columns that changed.
    changed = [name for name, value in loaded.items() if getattr(hazard, name) != value and name != "id"]
    save_with_history(hazard, actor=actor, reason=reason, update_fields=[*changed, "updated_at"])


def _perform(
    *,
    hazard_id: int,
    actor,
    action: str,
    occurred_at: datetime,
    comment: str = "",
    payload: dict | Callable[[Hazard], dict] | None = None,
    move: Callable[[Hazard], None],
    check: Callable[[Hazard], None] | None = None,
    files: Sequence[UploadedFile] = (),
) -> Hazard:
    checked_files = _check_files(files)
    hazard = lock_hazard(hazard_id)
    loaded = _column_values(hazard)
    membership = acting_membership(actor, action, hazard)
    if not action_allowed_from(action, hazard.state):
        raise TransitionRefused(wrong_state_message(hazard, action), code=errors.WRONG_STATE)
    if check is not None:
        check(hazard)
    occurred_at = _check_occurred_at(occurred_at, after=_last_occurred_at(hazard))
    from_state = hazard.state
    if callable(payload):
        payload = payload(hazard)  # taken before the move: it may name what is being replaced
    move(hazard)
    _save(hazard, actor=actor, reason=action, loaded=loaded)
    record = _record(
        hazard,
        membership=membership,
        actor=actor,
        name=action,
        from_state=from_state,
        occurred_at=occurred_at,
        comment=_clean(comment) or "",
        payload=payload or {},
        files=checked_files,
    )
    notify_transition(hazard, record)
    run_after_transition(hazard, record)
    return hazard


# ---- the services ------------------------------------------------------------------------------
@for_writers
@transaction.atomic
def hazard_report(
    *,
    actor,
    school_id: int,
    title: str,
    description: str,
    category: str,
    key_place: str,
    occurred_at: datetime,
    severity: str = Severity.GENERAL,
    urgency: str = Urgency.NORMAL,
    sensitive: bool = False,
    evidence: Sequence[UploadedFile] = (),
    inspection_id: int | None = None,
    checklist_item_id: int | None = None,
) -> Hazard:
    """Someone in scope reports a hazard found at a school; it starts in state reported.

    ``inspection_id`` and ``checklist_item_id`` link a hazard found as a failed checklist item
    (casework.services.campaigns.inspection_record checks them before it calls this).
    """
    school = OrgUnit.objects.filter(pk=school_id).first()
    if school is None:
        raise TransitionRefused("学校不存在。", code=errors.OUT_OF_SCOPE, fields={"school": "请选择学校"})
    membership = reporting_membership(actor, school, sensitive=sensitive)
    require(
        title=("隐患名称", title),
        description=("隐患描述", description),
        category=("类别", category),
        key_place=("重点部位", key_place),
    )
    _check_choice("category", "类别", category, Category)
    _check_choice("key_place", "重点部位", key_place, KeyPlace)
    _check_choice("severity", "等级", severity, Severity)
    _check_choice("urgency", "轻重缓急", urgency, Urgency)
    occurred_at = _check_occurred_at(occurred_at, after=None)
    checked_files = _check_files(evidence)
    hazard = Hazard(
        school=school,
        district_id=school.district_id,
        city_id=school.city_id,
        title=_clean(title),
        description=_clean(description),
        category=category,
        key_place=key_place,
        severity=severity,
        urgency=urgency,
        sensitive=sensitive,
        reported_by=actor,
        reported_at=occurred_at,
        inspection_id=inspection_id,
        checklist_item_id=checklist_item_id,
    )
    _save(hazard, actor=actor, reason="report")
    record = _record(
        hazard,
        membership=membership,
        actor=actor,
        name="report",
        from_state="",
        occurred_at=occurred_at,
        comment="",
        files=checked_files,
        payload={
            "title": hazard.title,
            "severity": severity,
            "urgency": urgency,
            "category": category,
            "key_place": key_place,
            "sensitive": sensitive,
            "school": school.pk,
            **({"inspection": inspection_id, "checklist_item": checklist_item_id} if inspection_id else {}),
        },
    )
    notify_transition(hazard, record)
    run_after_transition(hazard, record)
    return hazard


@for_writers
@transaction.atomic
def hazard_assign(
    *,
    hazard_id: int,
    actor,
    responsible_person: str,
    measures: str,
    occurred_at: datetime,
    deadline: date | None = None,
    deadline_working_days: int | None = None,
    responsible_phone: str = "",
    funding: str = "",
    contingency_plan: str = "",
    comment: str = "",
) -> Hazard:
    """The district assigns the rectification: person, measures, deadline (a date or N working days);
    all five points if major."""
    plan = {
        "responsible_person": _clean(responsible_person),
        "responsible_phone": _clean(responsible_phone),
        "measures": _clean(measures),
        "funding": _clean(funding),
        "contingency_plan": _clean(contingency_plan),
    }
    given = _DeadlineInput(deadline, deadline_working_days, occurred_at)

    def check(hazard: Hazard) -> None:
        fields = {
            "responsible_person": ("责任人", plan["responsible_person"]),
            "measures": ("整改措施", plan["measures"]),
            "deadline": ("整改时限", given.spec()),
        }
        if hazard.is_major:
            # 五落实: a major hazard's plan names measures, responsibility, funding, deadline, contingency.
            fields |= {
                "funding": ("整改资金", plan["funding"]),
                "contingency_plan": ("应急预案", plan["contingency_plan"]),
            }
        require(**fields)
        given.resolve()

    return given.announce(
        _perform(
            hazard_id=hazard_id,
            actor=actor,
            action="assign",
            occurred_at=occurred_at,
            comment=comment,
            check=check,
            move=lambda h: h.assign(**plan, **given.fields()),
            payload=lambda h: {**plan, **given.resolved.payload()},
        )
    )


@for_writers
@transaction.atomic
def hazard_record_temporary_measures(
    *,
    hazard_id: int,
    actor,
    measures: str,
    occurred_at: datetime,
    comment: str = "",
    evidence: Sequence[UploadedFile] = (),
) -> Hazard:
    """The school records the temporary (reinforced) precautions in place while the fix is pending."""
    require(measures=("临时防范措施", measures))
    return _perform(
        hazard_id=hazard_id,
        actor=actor,
        action="record_temporary_measures",
        occurred_at=occurred_at,
        comment=comment,
        files=evidence,
        move=lambda h: h.record_temporary_measures(temporary_measures=_clean(measures)),
        payload={"measures": _clean(measures)},
    )


@for_writers
@transaction.atomic
def hazard_report_rectified(
    *,
    hazard_id: int,
    actor,
    description: str,
    evidence: Sequence[UploadedFile],
    occurred_at: datetime,
    comment: str = "",
) -> Hazard:
    """The school reports the fix done, with a description and at least one piece of evidence."""
    require(description=("整改情况", description), evidence=("整改佐证材料", list(evidence or ())))
    return _perform(
        hazard_id=hazard_id,
        actor=actor,
        action="report_rectified",
        occurred_at=occurred_at,
        comment=comment,
        files=evidence,
        move=lambda h: h.report_rectified(rectification=_clean(description)),
        payload={"description": _clean(description)},
    )


@for_writers
@transaction.atomic
def hazard_verify(
    *,
    hazard_id: int,
    actor,
    result: str,
    occurred_at: datetime,
    comment: str = "",
    evidence: Sequence[UploadedFile] = (),
) -> Hazard:
    """A supervisor confirms the rectification on site and signs the hazard off (验收销号)."""
    require(result=("现场验收意见", result))
    return _perform(
        hazard_id=hazard_id,
        actor=actor,
        action="verify",
        occurred_at=occurred_at,
        comment=comment,
        files=evidence,
        move=lambda h: h.verify(verification_result=_clean(result)),
        payload={"result": _clean(result)},
    )


@for_writers
@transaction.atomic
def hazard_reject(
    *,
    hazard_id: int,
    actor,
    reason: str,
    occurred_at: datetime,
    comment: str = "",
    evidence: Sequence[UploadedFile] = (),
) -> Hazard:
    """A supervisor finds the fix insufficient: back to the school as rework, the deadline unchanged."""
    require(reason=("不通过原因", reason))
    return _perform(
        hazard_id=hazard_id,
        actor=actor,
        action="reject",
        occurred_at=occurred_at,
        comment=comment,
        files=evidence,
        move=lambda h: h.reject(verification_result=_clean(reason)),
        payload={"reason": _clean(reason), "rework": True},
    )


@for_writers
@transaction.atomic
def hazard_escalate(
    *, hazard_id: int, actor, reason: str, occurred_at: datetime, temporary_measures: str = "", comment: str = ""
) -> Hazard:
    """The district refers a case it cannot solve locally to the party committee and government."""
    require(reason=("提请协调的原因", reason))

    def check(hazard: Hazard) -> None:
        if not (_clean(temporary_measures) or hazard.temporary_measures):
            raise TransitionRefused(
                "提请协调前必须落实临时(强化)防范措施（严防带病作业）。",
                code=errors.MISSING_TEMPORARY_MEASURES,
                fields={"temporary_measures": "请填写已落实的临时防范措施"},
            )

    def move(hazard: Hazard) -> None:
        hazard.escalate(temporary_measures=_clean(temporary_measures) or hazard.temporary_measures)

    return _perform(
        hazard_id=hazard_id,
        actor=actor,
        action="escalate",
        occurred_at=occurred_at,
        comment=comment,
        check=check,
        move=move,
        payload={"reason": _clean(reason), "temporary_measures": _clean(temporary_measures)},
    )


@for_writers
@transaction.atomic
def hazard_record_coordination(
    *,
    hazard_id: int,
    actor,
    decision: str,
    units_charged: str,
    back_to: str,
    occurred_at: datetime,
    deadline: date | None = None,
    deadline_working_days: int | None = None,
    comment: str = "",
) -> Hazard:
    """The party committee records its decision, the units charged and a new deadline (date or N working days)."""
    given = _DeadlineInput(deadline, deadline_working_days, occurred_at)
    require(
        decision=("协调决定", decision),
        units_charged=("责任单位", units_charged),
        deadline=("新的整改时限", given.spec()),
        back_to=("后续状态", back_to),
    )
    if back_to not in (HazardState.ASSIGNED, HazardState.TEMPORARY_MEASURES):
        raise TransitionRefused(
            "协调后只能回到“整改中”或“临时防范中”。", code=errors.INVALID_VALUE, fields={"back_to": "无效的后续状态"}
        )
    return given.announce(
        _perform(
            hazard_id=hazard_id,
            actor=actor,
            action="record_coordination",
            occurred_at=occurred_at,
            comment=comment,
            check=lambda h: given.resolve(),
            move=lambda h: h.record_coordination(to=back_to, **given.fields()),
            payload=lambda h: {
                "decision": _clean(decision),
                "units_charged": _clean(units_charged),
                **given.resolved.payload(),
                "back_to": back_to,
            },
        )
    )


@for_writers
@transaction.atomic
def hazard_close_invalid(*, hazard_id: int, actor, reason: str, occurred_at: datetime, comment: str = "") -> Hazard:
    """The district closes a report that is a duplicate or not a hazard; the record is kept."""
    require(reason=("作废原因", reason))
    return _perform(
        hazard_id=hazard_id,
        actor=actor,
        action="close_invalid",
        occurred_at=occurred_at,
        comment=comment,
        move=lambda h: h.close_invalid(),
        payload={"reason": _clean(reason)},
    )


@for_writers
@transaction.atomic
def hazard_change_deadline(
    *,
    hazard_id: int,
    actor,
    reason: str,
    occurred_at: datetime,
    deadline: date | None = None,
    deadline_working_days: int | None = None,
) -> Hazard:
    """The district resets or extends the deadline (a date or N working days from now);
    a major hazard's extension needs temporary measures."""
    given = _DeadlineInput(deadline, deadline_working_days, occurred_at)
    require(deadline=("新的整改时限", given.spec()), reason=("调整原因", reason))

    def check(hazard: Hazard) -> None:
        deadline = given.resolve().date
        extends = hazard.deadline is not None and deadline > hazard.deadline
        if extends and hazard.is_major and not hazard.temporary_measures:
            raise TransitionRefused(
                "重大隐患延期前必须落实临时(强化)防范措施。",
                code=errors.MISSING_TEMPORARY_MEASURES,
                fields={"deadline": "请先落实临时防范措施"},
            )

    return given.announce(
        _perform(
            hazard_id=hazard_id,
            actor=actor,
            action="change_deadline",
            occurred_at=occurred_at,
            check=check,
            move=lambda h: h.change_deadline(**given.fields()),
            comment=reason,
            payload=lambda h: {
                "reason": _clean(reason),
                **given.resolved.payload(),
                "previous_deadline": h.deadline.isoformat() if h.deadline else None,
            },
        )
    )
