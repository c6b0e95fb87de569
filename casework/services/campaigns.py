"""Campaigns, inspections and the school's return: one service per command, each one transaction.

Each service checks the actor's role and scope through casework.access, locks the row it changes,
validates its input (a refusal raises ``TransitionRefused`` and changes nothing), saves with
history (simple-history, with the actor and a change reason) and queues its notifications.
A failed checklist item becomes exactly one hazard, reported through ``hazard_report`` in the
same transaction as the inspection's results.
"""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from casework import errors
from casework.access import (
    campaign_managing_membership,
    inspecting_membership,
    return_police_membership,
    return_school_membership,
)
from casework.errors import TransitionRefused
from casework.locks import lock_object
from casework.models import (
    Campaign,
    CampaignPhase,
    ChecklistCategory,
    ChecklistItem,
    Inspection,
    InspectionKind,
    InspectionResult,
    KeyPlace,
    Membership,
    OrgKind,
    OrgUnit,
    Presence,
    PresenceOrNA,
    ResultOutcome,
    Role,
    SchoolReturn,
    YesNo,
)
from casework.models.campaign import RETURN_POLICE_FIELDS
from casework.rules.campaigns import INSPECTION_STEPS, RETURN_STEPS, Step
from notifications.services import notify

from .guards import for_writers
from .records import save_with_history
from .transitions import _check_occurred_at, _clean, hazard_report, require


def _check_step(obj, step: Step) -> None:
    """Refuse a step the record's status does not allow (casework.rules.campaigns)."""
    if not step.allowed_from(obj.status):
        raise TransitionRefused(
            f"报表当前状态为“{obj.get_status_display()}”，{step.refused}。", code=errors.WRONG_STATE
        )


def _save(obj, *, actor, reason: str) -> None:
    save_with_history(obj, actor=actor, reason=reason)


def _users(query) -> list:
    return [m.user for m in Membership.objects.filter(query, active=True).select_related("user") if m.user.is_active]


# ---- campaigns ------------------------------------------------------------------------------------
@dataclass
class PhaseInput:
    name: str
    due_date: date | None
    description: str = ""


@for_writers
@transaction.atomic
def campaign_create(
    *,
    actor,
    name: str,
    issuing_document: str,
    starts_on: date | None,
    ends_on: date | None,
    phases: Sequence[PhaseInput] = (),
    statistics_cutoff: date | None = None,
    report_due: date | None = None,
    document_number: str = "",
    issued_by: str = "",
    description: str = "",
    checklist_category_ids: Iterable[int] | None = None,
    code: str = "",
) -> Campaign:
    """The city administrator opens a campaign with its document, period, phases and report dates."""
    membership = campaign_managing_membership(actor)
    city = membership.org_unit
    require(
        name=("名称", name),
        issuing_document=("印发文件", issuing_document),
        starts_on=("开始日期", starts_on),
        ends_on=("结束日期", ends_on),
    )
    if ends_on < starts_on:
        raise TransitionRefused(
            "结束日期不能早于开始日期。", code=errors.INVALID_VALUE, fields={"ends_on": "早于开始日期"}
        )
    for label, name_, value in (
        ("统计截止日期", "statistics_cutoff", statistics_cutoff),
        ("报表报送截止日期", "report_due", report_due),
    ):
        if value is not None and value < starts_on:
            raise TransitionRefused(
                f"{label}不能早于开始日期。", code=errors.INVALID_VALUE, fields={name_: "早于开始日期"}
            )
    if statistics_cutoff and report_due and report_due < statistics_cutoff:
        raise TransitionRefused(
            "报表报送截止日期不能早于统计截止日期。",
            code=errors.INVALID_VALUE,
            fields={"report_due": "早于统计截止日期"},
        )
    phases = [p for p in phases if _clean(p.name) or p.due_date]
    for i, phase in enumerate(phases, start=1):
        require(
            **{
                f"phase_{i}_name": (f"第{i}阶段名称", phase.name),
                f"phase_{i}_due": (f"第{i}阶段完成期限", phase.due_date),
            }
        )
        if not starts_on <= phase.due_date:
            raise TransitionRefused(
                f"第{i}阶段的完成期限早于开始日期。",
                code=errors.INVALID_VALUE,
                fields={f"phase_{i}_due": "早于开始日期"},
            )
        if i > 1 and phase.due_date < phases[i - 2].due_date:
            raise TransitionRefused(
                f"第{i}阶段的完成期限早于上一阶段。",
                code=errors.INVALID_VALUE,
                fields={f"phase_{i}_due": "早于上一阶段"},
            )
    code = _clean(code) or f"c-{timezone.localdate():%Y%m%d}-{uuid.uuid4().hex[:8]}"
    if Campaign.objects.filter(code=code).exists():
        raise TransitionRefused("代码已被使用。", code=errors.INVALID_VALUE, fields={"code": "代码重复"})
    campaign = Campaign(
        city=city,
        code=code,
        name=_clean(name),
        issuing_document=_clean(issuing_document),
        document_number=_clean(document_number),
        issued_by=_clean(issued_by),
        description=_clean(description),
        starts_on=starts_on,
        ends_on=ends_on,
        statistics_cutoff=statistics_cutoff,
        report_due=report_due,
        created_by=actor,
    )
    _save(campaign, actor=actor, reason="campaign_create")
    for i, phase in enumerate(phases, start=1):
        _save(
            CampaignPhase(
                campaign=campaign,
                position=i,
                name=_clean(phase.name),
                due_date=phase.due_date,
                description=_clean(phase.description),
            ),
            actor=actor,
            reason="campaign_create",
        )
    categories = ChecklistCategory.objects.filter(active=True)
    if checklist_category_ids is not None:
        categories = categories.filter(pk__in=list(checklist_category_ids))
    campaign.checklist_categories.set(categories)
    recipients = _users(_role_in_city_q(Role.DISTRICT_OFFICER, city) | _role_in_city_q(Role.SUPERVISOR, city))
    notify(
        recipients=[u for u in recipients if u.pk != actor.pk],
        event="campaign.created",
        title=f"新的专项整治：{campaign.name}",
        body=campaign.issuing_document,
        url=campaign.get_absolute_url(),
    )
    return campaign


def _role_in_city_q(role: str, city: OrgUnit) -> Q:
    return Q(role=role) & (Q(org_unit_id=city.pk) | Q(org_unit__city_id=city.pk))


# ---- inspections ----------------------------------------------------------------------------------
def _lock_campaign(campaign_id: int, school: OrgUnit) -> Campaign:
    campaign = Campaign.objects.filter(pk=campaign_id, active=True).first()
    if campaign is None or campaign.city_id != school.city_id:
        raise TransitionRefused(
            "专项整治不存在或不在您的管辖范围内。", code=errors.OUT_OF_SCOPE, fields={"campaign": "请选择专项整治"}
        )
    return campaign


def _check_key_places(key_places: Iterable[str]) -> list[str]:
    places = []
    for place in key_places or ():
        if place not in KeyPlace.values:
            raise TransitionRefused(
                "重点场所的取值无效。", code=errors.INVALID_VALUE, fields={"key_places": "无效的重点场所"}
            )
        if place not in places:
            places.append(place)
    return places


@for_writers
@transaction.atomic
def inspection_plan(
    *,
    actor,
    campaign_id: int,
    school_id: int,
    kind: str,
    inspectors: str,
    inspected_on: date | None,
    key_places: Iterable[str] = (),
) -> Inspection:
    """Schedule an inspection of a school; an unannounced visit stays hidden from the school until recorded."""
    school = OrgUnit.objects.filter(pk=school_id, kind=OrgKind.SCHOOL).first()
    if school is None:
        raise TransitionRefused("学校不存在。", code=errors.OUT_OF_SCOPE, fields={"school": "请选择学校"})
    membership = inspecting_membership(actor, school, kind)
    campaign = _lock_campaign(campaign_id, school)
    require(inspectors=("检查人员", inspectors), inspected_on=("检查日期", inspected_on))
    inspection = Inspection(
        campaign=campaign,
        school=school,
        district_id=school.district_id,
        city_id=school.city_id,
        kind=kind,
        inspectors=_clean(inspectors),
        inspected_on=inspected_on,
        key_places=_check_key_places(key_places),
        created_by=actor,
        created_by_unit=membership.org_unit,
    )
    _save(inspection, actor=actor, reason="inspection_plan")
    if kind == InspectionKind.SELF_INSPECTION:
        return inspection
    if kind == InspectionKind.SUPERVISION_INSPECTION:
        # 集中督查 is announced: the school hears of it. 明查暗访 is not: nobody at the school is told.
        notify(
            recipients=_users(_school_staff_q(school)),
            event="inspection.planned",
            title=f"{campaign.name}：{inspection.get_kind_display()}安排",
            body=f"{school.name} · {inspected_on}",
            url=inspection.get_absolute_url(),
        )
    return inspection


def _school_staff_q(school: OrgUnit) -> Q:
    return Q(role=Role.SCHOOL_STAFF, org_unit_id=school.pk)


@dataclass
class ResultInput:
    item_id: int
    outcome: str
    note: str = ""
    key_place: str = ""


def _campaign_items(campaign: Campaign) -> dict[int, ChecklistItem]:
    items = ChecklistItem.objects.filter(
        active=True, category__active=True, category__in=campaign.checklist_categories.all()
    ).select_related("category", "parent")
    return {item.pk: item for item in items}


def _occurred_on(inspected_on: date, occurred_at: datetime | None) -> datetime:
    if occurred_at is not None:
        return occurred_at
    # The hazard was found on the day of the inspection; today, the inspection's time is now.
    if inspected_on >= timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.combine(inspected_on, time(12, 0)))


@for_writers
@transaction.atomic
def inspection_record(
    *,
    actor,
    inspection_id: int,
    results: Sequence[ResultInput],
    summary: str = "",
    key_places: Iterable[str] | None = None,
    occurred_at: datetime | None = None,
) -> Inspection:
    """Record an inspection's results; each failed item becomes exactly one hazard (reported), in this transaction."""
    inspection = lock_object(Inspection.objects.filter(pk=inspection_id), related=("school", "campaign"))
    if inspection is None:
        raise TransitionRefused("检查不存在或不在您的管辖范围内。", code=errors.OUT_OF_SCOPE)
    inspecting_membership(actor, inspection.school, inspection.kind)
    if not INSPECTION_STEPS["inspection_record"].allowed_from(inspection.status):
        raise TransitionRefused("该检查的结果已录入，不能重复录入。", code=errors.WRONG_STATE)
    if inspection.inspected_on > timezone.localdate():
        raise TransitionRefused(
            "检查日期在将来，不能录入结果。", code=errors.INVALID_TIME, fields={"inspected_on": "不能是将来的日期"}
        )
    if not results:
        raise TransitionRefused(
            "请至少填写一个检查条目的结果。", code=errors.MISSING_FIELD, fields={"results": "没有检查结果"}
        )
    items = _campaign_items(inspection.campaign)
    places = _check_key_places(key_places) if key_places is not None else list(inspection.key_places)
    seen: set[int] = set()
    problems: dict[str, str] = {}
    for r in results:
        field = f"item_{r.item_id}"
        if r.item_id not in items:
            problems[field] = "该条目不属于本专项整治的检查表"
        elif r.item_id in seen:
            problems[field] = "同一条目只能有一个结果"
        elif r.outcome not in ResultOutcome.values:
            problems[field] = "无效的检查结果"
        elif r.outcome == ResultOutcome.FAIL and not _clean(r.note):
            problems[field] = "不合格项请写明存在的问题"
        elif r.key_place and r.key_place not in KeyPlace.values:
            problems[field] = "无效的重点部位"
        seen.add(r.item_id)
    if problems:
        raise TransitionRefused("检查结果有误，请按提示修改。", code=errors.INVALID_VALUE, fields=problems)
    found_at = _check_occurred_at(_occurred_on(inspection.inspected_on, occurred_at), after=None)

    for r in results:
        item = items[r.item_id]
        result = InspectionResult(
            inspection=inspection, item=item, outcome=r.outcome, note=_clean(r.note), key_place=r.key_place
        )
        if r.outcome == ResultOutcome.FAIL:
            place = r.key_place or item.key_place or (places[0] if len(places) == 1 else KeyPlace.OTHER)
            result.hazard = hazard_report(
                actor=actor,
                school_id=inspection.school_id,
                occurred_at=found_at,
                title=f"{item.category.name} {item.label}：{item.text}"[:200],
                description=_clean(r.note),
                category=item.effective_hazard_category,
                key_place=place,
                inspection_id=inspection.pk,
                checklist_item_id=item.pk,
            )
        _save(result, actor=actor, reason="inspection_record")

    inspection.status = INSPECTION_STEPS["inspection_record"].target
    inspection.summary = _clean(summary)
    inspection.key_places = places
    inspection.recorded_by = actor
    inspection.recorded_at = timezone.now()
    _save(inspection, actor=actor, reason="inspection_record")
    if inspection.kind != InspectionKind.SELF_INSPECTION:
        failed = sum(r.outcome == ResultOutcome.FAIL for r in results)
        notify(
            recipients=[u for u in _users(_school_staff_q(inspection.school)) if u.pk != actor.pk],
            event="inspection.recorded",
            title=f"{inspection.get_kind_display()}结果：{inspection.school.name}发现{failed}项问题",
            body=inspection.campaign.name,
            url=inspection.get_absolute_url(),
        )
    return inspection


@for_writers
@transaction.atomic
def inspection_conduct(
    *,
    actor,
    campaign_id: int,
    school_id: int,
    kind: str,
    inspectors: str,
    inspected_on: date | None,
    results: Sequence[ResultInput],
    summary: str = "",
    key_places: Iterable[str] = (),
    occurred_at: datetime | None = None,
) -> Inspection:
    """Schedule and record an inspection in one go (a self-inspection, or a visit entered afterwards)."""
    inspection = inspection_plan(
        actor=actor,
        campaign_id=campaign_id,
        school_id=school_id,
        kind=kind,
        inspectors=inspectors,
        inspected_on=inspected_on,
        key_places=key_places,
    )
    return inspection_record(
        actor=actor,
        inspection_id=inspection.pk,
        results=results,
        summary=summary,
        key_places=key_places,
        occurred_at=occurred_at,
    )


# ---- the school's return (附件1) -------------------------------------------------------------------
YES_NO_FIELDS = (
    "task_force_established",
    "holiday_duty_roster",
    "leader_on_duty",
    "gate_patrol_rules_sound",
    "video_retention_30_days",
    "tech_systems_working",
    "electrical_fire_campaign",
    "chemicals_three_precautions",
    "holiday_activities_led_by_leader",
)
PRESENCE_FIELDS = (
    "perimeter_intrusion_alarm",
    "key_area_intrusion_alarm",
    "panic_button_gate",
    "barriers",
    "anti_ramming_facilities",
    "bollards",
)
PRESENCE_OR_NA_FIELDS = ("panic_button_dormitory",)
COUNT_FIELDS = (
    "guards_count",
    "certified_guards_count",
    "overage_guards_count",
    "camera_count",
    "holiday_activities_count",
    "holiday_activities_people",
)
TEXT_FIELDS = (
    "task_force_head",
    "electrical_fire_rectification",
    "school_bus_hazards",
    "holiday_safety_education",
    "work_report",
    "principal_name",
)
SCHOOL_FIELDS = YES_NO_FIELDS + PRESENCE_FIELDS + PRESENCE_OR_NA_FIELDS + COUNT_FIELDS + TEXT_FIELDS + ("filled_on",)
POLICE_REQUIRED = (
    "surrounding_order_problems",
    "surrounding_problems_rectified",
    "instability_factors",
    "police_chief_name",
)


def _label(name: str) -> str:
    return SchoolReturn._meta.get_field(name).verbose_name


def _clean_return_fields(fields: dict, allowed: Sequence[str]) -> dict:
    """Check the types and choices of the given form fields; unknown or other-side fields are refused."""
    extra = set(fields) - set(allowed)
    if extra:
        raise TransitionRefused(
            "包含不属于您填写部分的内容。",
            code=errors.FORBIDDEN_ROLE,
            fields=dict.fromkeys(sorted(extra), "不能由您填写"),
        )
    cleaned, problems = {}, {}
    for name, value in fields.items():
        value = _clean(value)
        if name in YES_NO_FIELDS or name == "surrounding_problems_rectified":
            choices = YesNo
        elif name in PRESENCE_FIELDS:
            choices = Presence
        elif name in PRESENCE_OR_NA_FIELDS:
            choices = PresenceOrNA
        else:
            choices = None
        if choices is not None:
            value = value or ""
            if value and value not in choices.values:
                problems[name] = f"{_label(name)}的取值无效"
        elif name in COUNT_FIELDS:
            if value in (None, ""):
                value = None
            else:
                try:
                    value = int(value)
                except (TypeError, ValueError):
                    value = -1
                if value < 0:
                    problems[name] = f"{_label(name)}应为不小于0的整数"
        elif name == "filled_on":
            value = value or None
        else:
            value = value or ""
        cleaned[name] = value
    counts = {**cleaned}
    guards, certified, overage = (
        counts.get(n) for n in ("guards_count", "certified_guards_count", "overage_guards_count")
    )
    if isinstance(guards, int) and guards >= 0:
        for name, value in (("certified_guards_count", certified), ("overage_guards_count", overage)):
            if isinstance(value, int) and value > guards:
                problems[name] = f"{_label(name)}不能超过保安员人数"
    if problems:
        raise TransitionRefused("报表内容有误，请按提示修改。", code=errors.INVALID_VALUE, fields=problems)
    return cleaned


def _lock_return(return_id: int) -> SchoolReturn:
    obj = lock_object(SchoolReturn.objects.filter(pk=return_id), related=("school", "campaign"))
    if obj is None:
        raise TransitionRefused("报表不存在或不在您的管辖范围内。", code=errors.OUT_OF_SCOPE)
    return obj


@for_writers
@transaction.atomic
def return_start(*, actor, campaign_id: int, school_id: int) -> SchoolReturn:
    """The school opens its return for a campaign (or gets the one it already has)."""
    school = OrgUnit.objects.filter(pk=school_id, kind=OrgKind.SCHOOL).first()
    if school is None:
        raise TransitionRefused("学校不存在。", code=errors.OUT_OF_SCOPE, fields={"school": "请选择学校"})
    return_school_membership(actor, school)
    campaign = _lock_campaign(campaign_id, school)
    existing = SchoolReturn.objects.filter(campaign=campaign, school=school).first()
    if existing is not None:
        return existing
    obj = SchoolReturn(
        campaign=campaign,
        school=school,
        district_id=school.district_id,
        city_id=school.city_id,
        police_station_id=school.police_station_id,
        created_by=actor,
    )
    _save(obj, actor=actor, reason="return_start")
    return obj


@for_writers
@transaction.atomic
def return_save(*, actor, return_id: int, fields: dict) -> SchoolReturn:
    """The school saves its part of the return (a draft: nothing is required yet)."""
    obj = _lock_return(return_id)
    return_school_membership(actor, obj.school)
    _check_step(obj, RETURN_STEPS["return_save"])
    for name, value in _clean_return_fields(fields, SCHOOL_FIELDS).items():
        setattr(obj, name, value)
    _save(obj, actor=actor, reason="return_save")
    return obj


def _missing(obj: SchoolReturn, names: Sequence[str]) -> dict[str, str]:
    return {name: f"请填写{_label(name)}" for name in names if getattr(obj, name) in (None, "")}


@for_writers
@transaction.atomic
def return_submit(
    *, actor, return_id: int, fields: dict | None = None, occurred_at: datetime | None = None
) -> SchoolReturn:
    """The school submits its completed part, signed by the principal, for its police station to confirm.

    ``occurred_at``: when it was submitted on paper, if entered afterwards (never in the future).
    """
    submitted_at = _check_occurred_at(occurred_at or timezone.now(), after=None)
    obj = _lock_return(return_id)
    return_school_membership(actor, obj.school)
    _check_step(obj, RETURN_STEPS["return_submit"])
    for name, value in _clean_return_fields(fields or {}, SCHOOL_FIELDS).items():
        setattr(obj, name, value)
    if not obj.filled_on:
        obj.filled_on = timezone.localdate()
    required = [n for n in SCHOOL_FIELDS if n != "filled_on"]
    missing = _missing(obj, required)
    if missing:
        labels = "、".join(_label(n) for n in missing)
        raise TransitionRefused(f"缺少必填内容：{labels}。", code=errors.MISSING_FIELD, fields=missing)
    obj.status = RETURN_STEPS["return_submit"].target
    obj.submitted_by = actor
    obj.submitted_at = submitted_at
    _save(obj, actor=actor, reason="return_submit")
    if obj.school.police_station_id:
        notify(
            recipients=_users(Q(role=Role.POLICE_STATION, org_unit_id=obj.school.police_station_id)),
            event="return.submitted",
            title=f"{obj.school.name}报表待派出所确认",
            body=obj.campaign.name,
            url=obj.get_absolute_url(),
        )
    return obj


@for_writers
@transaction.atomic
def return_confirm(*, actor, return_id: int, fields: dict, occurred_at: datetime | None = None) -> SchoolReturn:
    """The school's own police station fills its part (sensitive items apart) and confirms, signed by the chief."""
    obj = _lock_return(return_id)
    membership = return_police_membership(actor, obj.school)
    _check_step(obj, RETURN_STEPS["return_confirm"])
    for name, value in _clean_return_fields(fields, RETURN_POLICE_FIELDS).items():
        setattr(obj, name, value)
    missing = _missing(obj, POLICE_REQUIRED)
    if missing:
        labels = "、".join(_label(n) for n in missing)
        raise TransitionRefused(f"缺少必填内容：{labels}。", code=errors.MISSING_FIELD, fields=missing)
    confirmed_at = _check_occurred_at(occurred_at or timezone.now(), after=obj.submitted_at)
    obj.police_station = membership.org_unit
    obj.status = RETURN_STEPS["return_confirm"].target
    obj.confirmed_by = actor
    obj.confirmed_at = confirmed_at
    _save(obj, actor=actor, reason="return_confirm")
    notify(
        recipients=_users(
            Q(role=Role.SCHOOL_STAFF, org_unit_id=obj.school_id)
            | Q(role=Role.DISTRICT_OFFICER, org_unit_id=obj.district_id)
        ),
        event="return.confirmed",
        title=f"{obj.school.name}报表已由派出所确认",
        body=obj.campaign.name,
        url=obj.get_absolute_url(),
    )
    return obj


@for_writers
@transaction.atomic
def return_send_back(*, actor, return_id: int, reason: str) -> SchoolReturn:
    """The police station returns a submitted form to the school for correction, with the reason."""
    obj = _lock_return(return_id)
    return_police_membership(actor, obj.school)
    _check_step(obj, RETURN_STEPS["return_send_back"])
    require(reason=("退回原因", reason))
    obj.status = RETURN_STEPS["return_send_back"].target
    _save(obj, actor=actor, reason=f"return_send_back: {_clean(reason)}"[:100])
    notify(
        recipients=_users(Q(role=Role.SCHOOL_STAFF, org_unit_id=obj.school_id)),
        event="return.sent_back",
        title=f"报表被派出所退回：{_clean(reason)}"[:200],
        body=obj.campaign.name,
        url=obj.get_absolute_url(),
    )
    return obj
