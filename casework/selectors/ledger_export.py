"""The ledger as an Excel sheet: openpyxl's write-only mode, so memory stays flat at any size."""

import tempfile
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from casework.models import Category, HazardState, KeyPlace, OrgUnit, Severity

from .ledger import LedgerFilters

COLUMNS = [
    "编号",
    "辖市区",
    "学校",
    "隐患名称",
    "隐患描述",
    "类别",
    "重点部位",
    "等级",
    "状态",
    "是否逾期",
    "整改时限",
    "责任人",
    "上报人",
    "发现时间",
]
SORT_LABELS = {
    "reported": "上报时间（新→旧）",
    "reported_asc": "上报时间（旧→新）",
    "deadline": "整改时限（近→远）",
    "deadline_desc": "整改时限（远→近）",
    "state": "状态",
}


def describe_filters(filters: LedgerFilters) -> list[tuple[str, str]]:
    """The filters in Chinese, as printed in the sheet's header."""
    out = []
    names = dict(
        OrgUnit.objects.filter(pk__in=[p for p in (filters.district, filters.school) if p]).values_list("pk", "name")
    )
    if filters.district:
        out.append(("辖市区", names.get(filters.district, str(filters.district))))
    if filters.school:
        out.append(("学校", names.get(filters.school, str(filters.school))))
    for name, label, choices in (
        ("category", "类别", Category),
        ("key_place", "重点部位", KeyPlace),
        ("severity", "等级", Severity),
        ("state", "状态", HazardState),
    ):
        value = getattr(filters, name)
        if value:
            out.append((label, choices(value).label))
    if filters.overdue:
        out.append(("逾期", "仅逾期"))
    if getattr(filters, "listed", False):
        out.append(("挂牌督办", "仅挂牌督办中"))
    if filters.q:
        out.append(("关键词", filters.q))
    if filters.reporter:
        out.append(("上报人", filters.reporter))
    if filters.reported_from or filters.reported_to:
        out.append(("上报日期", f"{filters.reported_from or '不限'} 至 {filters.reported_to or '不限'}"))
    out.append(("排序", SORT_LABELS.get(filters.sort, filters.sort)))
    return out


def write_ledger_xlsx(hazards: QuerySet, filters: LedgerFilters, *, user, today: date | None = None):
    """Write the filtered ledger to a temporary file (rewound) and return it; the caller streams it."""
    today = today or timezone.localdate()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("隐患台账")
    bold = Font(bold=True)

    def bold_row(values):
        row = []
        for v in values:
            cell = WriteOnlyCell(ws, value=v)
            cell.font = bold
            row.append(cell)
        return row

    ws.append(bold_row(["学校及周边安全隐患台账"]))
    ws.append(
        ["导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M"), "导出人", user.get_full_name() or user.username]
    )
    conditions = describe_filters(filters)
    ws.append(["筛选条件", "；".join(f"{k}：{v}" for k, v in conditions)])
    ws.append([])
    ws.append(bold_row(COLUMNS))
    rows = hazards.select_related("school", "district", "reported_by").iterator(chunk_size=2000)
    for h in rows:
        ws.append(
            [
                h.pk,
                h.district.name,
                h.school.name,
                h.title,
                h.description,
                h.get_category_display(),
                h.get_key_place_display(),
                h.get_severity_display(),
                h.get_state_display(),
                "是" if h.is_overdue(today) else "否",
                h.deadline,
                h.responsible_person,
                h.reported_by.get_full_name() or h.reported_by.username,
                timezone.localtime(h.reported_at).replace(tzinfo=None),
            ]
        )
    out = tempfile.TemporaryFile()  # noqa: SIM115 — returned open: the response streams and closes it
    wb.save(out)
    out.seek(0)
    return out
