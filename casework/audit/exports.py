"""The review rendered to PDF (WeasyPrint, a real CJK font) and Excel (openpyxl): pure functions to bytes.

Every export names who exported it and when, on every page (PDF) and on every sheet (Excel).
"""

from __future__ import annotations

import io
from datetime import datetime

from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from .review import Review, local

TIME = "%Y-%m-%d %H:%M"


def exporter_line(exporter, exported_at: datetime) -> str:
    name = exporter.get_full_name() or exporter.username
    return f"导出人：{name}（{exporter.username}） 导出时间：{local(exported_at):%Y-%m-%d %H:%M:%S}（北京时间）"


def render_review_pdf(review: Review, *, exporter, exported_at: datetime) -> bytes:
    from weasyprint import HTML

    line = exporter_line(exporter, exported_at)
    html = render_to_string(
        "audit/review_pdf.html",
        {
            "review": review,
            "exporter_line": line,
            # Repeated in every page's footer through CSS: keep it a plain CSS string.
            "exporter_css": "".join(ch for ch in line if ch not in '"\\<>\n'),
        },
    )
    return HTML(string=html).write_pdf()


def _t(moment) -> str:
    return local(moment).strftime(TIME) if moment else ""


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list], stamp: str, first: bool = False):
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    ws.append([stamp])
    ws["A1"].font = Font(italic=True, color="555555")
    ws.append(header)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEF1F4")
    for row in rows:
        ws.append(["" if v is None else v for v in row])
    for column in ws.columns:
        width = max((len(str(c.value)) for c in column[1:] if c.value is not None), default=8)
        ws.column_dimensions[column[0].column_letter].width = min(max(width * 1.6, 8), 60)
        for c in column[1:]:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A3"
    return ws


def render_review_xlsx(review: Review, *, exporter, exported_at: datetime) -> bytes:
    stamp = exporter_line(exporter, exported_at)
    wb = Workbook()
    _sheet(
        wb,
        "概要",
        ["项目", "内容"],
        [
            ["倒查对象", f"{review.kind_label}：{review.subject_label}"],
            ["期间", f"{review.start_day:%Y-%m-%d} 至 {review.end_day:%Y-%m-%d}"],
            ["涉及隐患", len(review.hazards)],
            [
                "说明",
                "依据不可篡改的流转记录（哈希链）与修改历史生成，非当前数据。"
                + ("隐患数量超过上限，已截断。" if review.truncated else ""),
            ],
        ],
        stamp,
        first=True,
    )
    decisions, periods, deadlines, reworks, extensions, escalations, reminders = [], [], [], [], [], [], []
    for hr in review.hazards:
        h = f"#{hr.hazard.pk} {hr.hazard.title}"
        for d in hr.decisions:
            r = d.record
            if r:
                decisions.append(
                    [
                        h,
                        r.label,
                        r.actor.get_full_name() or r.actor.username,
                        r.get_actor_role_display(),
                        r.actor_unit.name,
                        _t(r.occurred_at),
                        _t(r.recorded_at),
                        f"{r.get_from_state_display() or '—'} → {r.get_to_state_display()}",
                        "；".join(f"{k}：{v}" for k, v in d.changes),
                        r.comment,
                        "\n".join(d.evidence),
                        "是" if d.late_entry else "",
                    ]
                )
            else:
                who = d.step.who
                decisions.append(
                    [
                        h,
                        d.step.label,
                        (who.username if who else "系统"),
                        "",
                        "",
                        _t(d.step.moment),
                        _t(d.step.row.history_date),
                        "",
                        "；".join(f"{k}：{v}" for k, v in d.changes),
                        "",
                        "",
                        "",
                    ]
                )
        for p in hr.periods:
            w = p.who
            periods.append(
                [
                    h,
                    _t(p.start),
                    _t(p.end) or "至今",
                    w.state_label,
                    w.responsible_person,
                    w.responsible_phone,
                    w.responsible_unit,
                    w.units_charged,
                    f"{w.handler_unit}{w.handler_role_label}",
                    w.assigned_by,
                    w.deadline.isoformat() if w.deadline else "",
                    p.deadline_outcome,
                ]
            )
        for s in hr.deadlines:
            deadlines.append(
                [
                    h,
                    s.deadline.isoformat(),
                    _t(s.start),
                    _t(s.end) or "至今",
                    s.set_by,
                    s.set_how,
                    s.outcome_label,
                    _t(s.completed_at),
                ]
            )
        for r in hr.reworks:
            reworks.append([h, _t(r.occurred_at), r.actor.username, r.payload.get("reason", ""), r.comment])
        for e in hr.extensions:
            extensions.append(
                [
                    h,
                    _t(e.record.occurred_at),
                    e.record.actor.username,
                    e.previous_deadline,
                    e.deadline,
                    e.reason,
                    e.temporary_measures or "（无）",
                    "重大" if e.major else "一般",
                ]
            )
        for e in hr.escalations:
            d = e.decision
            escalations.append(
                [
                    h,
                    _t(e.record.occurred_at),
                    e.record.actor.username,
                    e.record.payload.get("reason", ""),
                    e.record.payload.get("temporary_measures", ""),
                    d.payload.get("decision", "") if d else "尚未作出决定",
                    d.payload.get("units_charged", "") if d else "",
                    d.payload.get("deadline", "") if d else "",
                    _t(d.occurred_at) if d else "",
                ]
            )
        for m in hr.reminders:
            n = m.notification
            reminders.append(
                [
                    h,
                    _t(n.created_at),
                    n.recipient.username,
                    n.event,
                    n.title,
                    m.deadline.isoformat() if m.deadline else "",
                    m.status_label,
                    (m.acted_by.label + " " + _t(m.acted_by.occurred_at)) if m.acted_by else "",
                ]
            )
    _sheet(
        wb,
        "决策记录",
        [
            "隐患",
            "操作",
            "操作人",
            "角色",
            "单位",
            "发生时间",
            "录入时间",
            "状态变化",
            "内容",
            "说明",
            "佐证材料 SHA-256",
            "补录",
        ],
        decisions,
        stamp,
    )
    _sheet(
        wb,
        "责任时段",
        [
            "隐患",
            "起",
            "止",
            "状态",
            "责任人",
            "电话",
            "责任单位",
            "协调确定的责任单位",
            "待办单位",
            "交办人",
            "整改时限",
            "时限结果",
        ],
        periods,
        stamp,
    )
    _sheet(
        wb,
        "整改时限",
        ["隐患", "时限", "生效", "失效", "设定人", "设定方式", "结果", "逾期后完成时间"],
        deadlines,
        stamp,
    )
    _sheet(wb, "返工", ["隐患", "时间", "验收人", "不通过原因", "说明"], reworks, stamp)
    _sheet(
        wb,
        "延期",
        ["隐患", "时间", "操作人", "原时限", "新时限", "理由", "当时的临时防范措施", "等级"],
        extensions,
        stamp,
    )
    _sheet(
        wb,
        "提请协调",
        ["隐患", "时间", "提请人", "原因", "临时措施", "协调决定", "责任单位", "新时限", "决定时间"],
        escalations,
        stamp,
    )
    _sheet(wb, "提醒", ["隐患", "发送时间", "接收人", "事件", "标题", "应在此前处理", "结果", "响应"], reminders, stamp)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
