"""What a person reads: one presenter for record names, payload keys and values, choices and moments.

Nothing a user reads shows a raw key, an internal id or a code: a record's payload is printed with the
labels of ``PAYLOAD_FIELDS``, its choices as their Chinese labels, its units, people and checklist items by
name; moments in Asia/Shanghai to the minute.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from casework.audit.chain import chain_owner
from casework.models import (
    Category,
    ChecklistItem,
    DeadlineBasis,
    HazardState,
    KeyPlace,
    ListingLevel,
    OrgUnit,
    Severity,
    Urgency,
)
from casework.rules.campaigns import step_label
from casework.rules.lifecycle import record_label

SHANGHAI = ZoneInfo("Asia/Shanghai")

__all__ = [
    "PAYLOAD_FIELDS",
    "chain_labels",
    "change_reason_label",
    "local_moment",
    "payload_lines",
    "person_name",
    "record_label",
]


@dataclass(frozen=True)
class Field:
    label: str
    # How a value reads: a TextChoices class, or one of "text", "bool", "date", "unit", "user", "item", "hidden".
    kind: object = "text"


PAYLOAD_FIELDS: dict[str, Field] = {
    "title": Field("隐患名称"),
    "severity": Field("等级", Severity),
    "urgency": Field("轻重缓急", Urgency),
    "category": Field("类别", Category),
    "key_place": Field("重点部位", KeyPlace),
    "sensitive": Field("涉密/敏感", "bool"),
    "school": Field("学校", "unit"),
    "inspection": Field("来源检查", "hidden"),  # the checklist item says what was found
    "checklist_item": Field("检查条目", "item"),
    "responsible_person": Field("责任人"),
    "responsible_phone": Field("责任人电话"),
    "measures": Field("措施"),
    "funding": Field("整改资金"),
    "contingency_plan": Field("应急预案"),
    "deadline": Field("整改时限", "date"),
    "deadline_basis": Field("时限给定方式", DeadlineBasis),
    "deadline_working_days": Field("工作日数"),
    "deadline_warning": Field("时限提示"),
    "previous_deadline": Field("原整改时限", "date"),
    "description": Field("整改情况"),
    "result": Field("验收意见"),
    "reason": Field("原因"),
    "rework": Field("返工", "bool"),
    "temporary_measures": Field("临时防范措施"),
    "decision": Field("协调决定"),
    "units_charged": Field("责任单位"),
    "back_to": Field("后续状态", HazardState),
    "evidence": Field("佐证材料", "hidden"),  # listed with the files themselves
    # Listed supervision (挂牌督办).
    "listing": Field("挂牌督办", "hidden"),  # the level names it; the page links it
    "level": Field("督办层级", ListingLevel),
    "decision_number": Field("文号"),
    "listed_on": Field("挂牌日期", "date"),
    "required_by": Field("要求完成时限", "date"),
    "supervising_officer": Field("督办责任人", "user"),
    "progress_interval_days": Field("进展报告周期（天）"),
    "work_done": Field("工作进展"),
    "percent_complete": Field("完成比例（%）"),
    "message": Field("催办内容"),
    "delisted_on": Field("摘牌日期", "date"),
    "due_on": Field("应报日期", "date"),
    "raised_to": Field("上提至", "unit"),
}


def local_moment(moment: datetime | None) -> str:
    """A moment as people read it: Asia/Shanghai, to the minute."""
    if moment is None:
        return ""
    return timezone.localtime(moment, SHANGHAI).strftime("%Y-%m-%d %H:%M")


def person_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _names(payloads: Iterable[dict], kind: str, model) -> dict:
    ids = {p[k] for p in payloads for k, f in PAYLOAD_FIELDS.items() if f.kind == kind and isinstance(p.get(k), int)}
    if not ids:
        return {}
    if kind == "user":
        return {u.pk: person_name(u) for u in model.objects.filter(pk__in=ids)}
    if kind == "item":
        return {i.pk: f"{i.label} {i.text}".strip() for i in model.objects.filter(pk__in=ids)}
    return dict(model.objects.filter(pk__in=ids).values_list("pk", "name"))


class PayloadReader:
    """Reads many payloads with one query per kind of referenced row (units, people, checklist items)."""

    def __init__(self, payloads: Iterable[dict]):
        payloads = [p or {} for p in payloads]
        self.names = {
            "unit": _names(payloads, "unit", OrgUnit),
            "user": _names(payloads, "user", get_user_model()),
            "item": _names(payloads, "item", ChecklistItem),
        }

    def value(self, key: str, value) -> str | None:
        """The value as it reads, or None when it is not shown."""
        spec = PAYLOAD_FIELDS.get(key)
        kind = spec.kind if spec else "text"
        if kind == "hidden" or value in (None, "", [], {}):
            return None
        if isinstance(kind, type) and issubclass(kind, models.Choices):
            return kind(value).label if value in kind.values else str(value)
        if kind == "bool" or isinstance(value, bool):
            return "是" if value else "否"
        if kind == "date" and isinstance(value, str):
            try:
                return date.fromisoformat(value).strftime("%Y-%m-%d")
            except ValueError:
                return value
        if kind in self.names:
            return self.names[kind].get(value, "（已不存在）")
        return str(value)

    def lines(self, payload: dict, *, skip: Iterable[str] = ()) -> list[tuple[str, str]]:
        """A record's content as (label, text) lines, in the record's order."""
        out = []
        for key, value in (payload or {}).items():
            if key in skip:
                continue
            text = self.value(key, value)
            if text is not None:
                spec = PAYLOAD_FIELDS.get(key)
                out.append((spec.label if spec else "其他", text))
        return out


def payload_lines(payload: dict, *, skip: Iterable[str] = ()) -> list[tuple[str, str]]:
    """One record's content as (label, text) lines."""
    return PayloadReader([payload]).lines(payload, skip=skip)


def change_reason_label(reason: str | None) -> str:
    """A history row's reason (a record or step name, maybe with its text: "return_send_back: 缺照片") as it reads."""
    if not reason:
        return ""
    name, _, rest = reason.partition(":")
    label = step_label(name) or (record_label(name) if record_label(name) != name else None)
    if label is None:
        return reason if not name.isascii() else "修改"
    return f"{label}：{rest.strip()}" if rest.strip() else label


def chain_labels(keys: Iterable[str]) -> dict[str, str]:
    """The hash chains by what they record: "天宁区 · 隐患流转记录", "常州市 · 审计事件"."""
    owners = {key: chain_owner(key) for key in keys}
    names = dict(OrgUnit.objects.filter(pk__in={i for _, i in owners.values() if i}).values_list("pk", "name"))
    what = {"hazards": "隐患流转记录", "audit_events": "审计事件"}
    return {key: f"{names.get(unit_id, '未归属单位')} · {what[kind]}" for key, (kind, unit_id) in owners.items()}
