"""Deadlines given as a date or as N working days, and the holiday overrides city_admin maintains.

A deadline given in working days is resolved once, when it is set (assignment, coordination,
change of deadline), from the local date (Asia/Shanghai) of that transition's moment; the hazard
stores the resulting date, the basis and N. See ``casework.workdays`` for how days are counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from casework import errors
from casework.access import ensure_can_maintain_calendar
from casework.errors import TransitionRefused
from casework.locks import lock_object
from casework.models import DeadlineBasis, HolidayOverride
from casework.workdays import MAX_WORKING_DAYS, WorkingCalendar


# ---- deadlines -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ResolvedDeadline:
    date: date
    basis: str
    working_days: int | None
    warning: str = ""

    def payload(self) -> dict:
        """What the transition record keeps about the deadline."""
        values = {
            "deadline": self.date.isoformat(),
            "deadline_basis": self.basis,
            "deadline_working_days": self.working_days,
        }
        if self.warning:
            values["deadline_warning"] = self.warning
        return values


@dataclass(frozen=True)
class DeadlineSpec:
    """A deadline as given: a date, or N working days from the moment it is set."""

    date: date | None = None
    working_days: int | None = None

    @classmethod
    def of(
        cls,
        *,
        deadline: date | None = None,
        deadline_working_days: int | None = None,
        field: str = "deadline",
        label: str = "整改时限",
    ) -> DeadlineSpec | None:
        """Check the two keywords; ``None`` when neither is given (the caller decides if required)."""
        if deadline is not None and deadline_working_days is not None:
            raise TransitionRefused(
                f"{label}请填写具体日期或工作日数，二者只能选其一。",
                code=errors.INVALID_VALUE,
                fields={field: "日期和工作日数只能选其一"},
            )
        if deadline_working_days is not None:
            n = deadline_working_days
            if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_WORKING_DAYS:
                raise TransitionRefused(
                    f"工作日数应为 1 至 {MAX_WORKING_DAYS} 之间的整数。",
                    code=errors.INVALID_VALUE,
                    fields={"deadline_working_days": f"请填写 1 至 {MAX_WORKING_DAYS} 之间的整数"},
                )
            return cls(working_days=n)
        if deadline is not None:
            if isinstance(deadline, datetime) or not isinstance(deadline, date):
                raise TransitionRefused(f"{label}应为日期。", code=errors.INVALID_VALUE, fields={field: "请填写日期"})
            return cls(date=deadline)
        return None

    def resolve(self, moment: datetime, calendar: WorkingCalendar | None = None) -> ResolvedDeadline:
        """The date this spec names when set at ``moment`` (its local date is day 0)."""
        if self.date is not None:
            return ResolvedDeadline(date=self.date, basis=DeadlineBasis.DATE, working_days=None)
        calendar = calendar or WorkingCalendar()
        end = calendar.add_working_days(local_date(moment), self.working_days)
        return ResolvedDeadline(
            date=end, basis=DeadlineBasis.WORKING_DAYS, working_days=self.working_days, warning=calendar.warning()
        )


def local_date(moment: datetime) -> date:
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return timezone.localdate(moment)


def deadline_preview(*, start: date, working_days: int) -> ResolvedDeadline:
    """For forms: the date N working days after ``start``, with the warning if a year is uncovered."""
    spec = DeadlineSpec.of(deadline_working_days=working_days)
    calendar = WorkingCalendar()
    end = calendar.add_working_days(start, spec.working_days)
    return ResolvedDeadline(
        date=end, basis=DeadlineBasis.WORKING_DAYS, working_days=spec.working_days, warning=calendar.warning()
    )


# ---- holiday overrides ---------------------------------------------------------------------------
@transaction.atomic
def holiday_override_set(
    *, actor, day: date, is_workday: bool, name: str, source: str = "", reason: str = ""
) -> HolidayOverride:
    """city_admin states that ``day`` is a holiday or a make-up workday (creates or corrects the row)."""
    ensure_can_maintain_calendar(actor)
    override, _ = _set(actor=actor, day=day, is_workday=is_workday, name=name, source=source, reason=reason or "manual")
    return override


def _set(*, actor, day, is_workday, name, source, reason) -> tuple[HolidayOverride, str]:
    name = (name or "").strip()
    source = (source or "").strip()
    if not isinstance(day, date) or isinstance(day, datetime):
        raise TransitionRefused("请填写日期。", code=errors.MISSING_FIELD, fields={"date": "请填写日期"})
    if not name:
        raise TransitionRefused("缺少必填内容：名称。", code=errors.MISSING_FIELD, fields={"name": "请填写名称"})
    override = lock_object(HolidayOverride.objects.filter(date=day))
    if override is not None:
        if (override.is_workday, override.name, override.source) == (bool(is_workday), name, source):
            return override, "unchanged"
        outcome = "updated"
    else:
        override = HolidayOverride(date=day, created_by=actor)
        outcome = "created"
    override.is_workday = bool(is_workday)
    override.name = name
    override.source = source
    override.updated_by = actor
    override._history_user = actor
    override._change_reason = reason
    try:
        with transaction.atomic():
            override.save()
    except IntegrityError:
        # Someone else created the same date meanwhile: the caller may retry; nothing half-written.
        raise TransitionRefused(f"{day:%Y-%m-%d} 已被他人同时录入，请刷新后重试。", code=errors.INVALID_VALUE) from None
    return override, outcome


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary(self) -> str:
        return f"共 {self.total} 行：新增 {self.created} 条，修改 {self.updated} 条，未变 {self.unchanged} 条。"


IMPORT_HEADERS = ("日期", "类型", "名称", "依据")
HOLIDAY_WORDS = {"放假", "休息", "假日", "节假日", "休"}
WORKDAY_WORDS = {"上班", "调休上班", "补班", "工作日", "班"}
MAX_IMPORT_ROWS = 2000
_DATE_TEXT = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


@dataclass(frozen=True)
class ImportRow:
    line: int
    day: date
    is_workday: bool
    name: str
    source: str


def _cell_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        m = _DATE_TEXT.match(value)
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
    return None


def parse_holiday_workbook(file) -> list[ImportRow]:
    """Read the sheet (columns 日期, 类型 放假/上班, 名称, 依据); refuse with every bad row at once."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception:
        raise TransitionRefused(
            "无法读取该文件，请上传 Excel（.xlsx）文件。",
            code=errors.INVALID_VALUE,
            fields={"file": "请上传 .xlsx 文件"},
        ) from None
    try:
        rows = list(workbook.active.iter_rows(values_only=True, max_row=MAX_IMPORT_ROWS + 2))
    finally:
        workbook.close()
    if not rows:
        raise TransitionRefused("文件是空的。", code=errors.INVALID_VALUE, fields={"file": "文件没有内容"})
    header = [str(c).strip() if c is not None else "" for c in rows[0]]
    missing = [h for h in IMPORT_HEADERS[:3] if h not in header]
    if missing:
        raise TransitionRefused(
            f"第 1 行应为表头：{'、'.join(IMPORT_HEADERS)}（缺少：{'、'.join(missing)}）。",
            code=errors.INVALID_VALUE,
            fields={"file": "表头不正确"},
        )
    col = {h: header.index(h) for h in IMPORT_HEADERS if h in header}
    if len(rows) > MAX_IMPORT_ROWS + 1:
        raise TransitionRefused(
            f"一次最多导入 {MAX_IMPORT_ROWS} 行。", code=errors.INVALID_VALUE, fields={"file": "行数过多"}
        )

    def cell(row, name):
        i = col.get(name)
        return row[i] if i is not None and i < len(row) else None

    parsed: list[ImportRow] = []
    problems: list[str] = []
    seen: dict[date, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in row):
            continue
        raw_day, raw_kind, raw_name = cell(row, "日期"), cell(row, "类型"), cell(row, "名称")
        day = _cell_date(raw_day)
        kind = str(raw_kind).strip() if raw_kind is not None else ""
        name = str(raw_name).strip() if raw_name is not None else ""
        source = str(cell(row, "依据") or "").strip()
        row_problems = []
        if day is None:
            row_problems.append(f"日期无法识别（{raw_day if raw_day is not None else '空'}）")
        elif day in seen:
            row_problems.append(f"日期 {day:%Y-%m-%d} 与第 {seen[day]} 行重复")
        if kind in HOLIDAY_WORDS:
            is_workday = False
        elif kind in WORKDAY_WORDS:
            is_workday = True
        else:
            is_workday = None
            row_problems.append(f"类型应为“放假”或“上班”（{kind or '空'}）")
        if not name:
            row_problems.append("缺少名称")
        if len(name) > 60 or len(source) > 200:
            row_problems.append("名称或依据过长")
        if row_problems:
            problems.append(f"第 {line} 行：" + "；".join(row_problems))
            continue
        seen[day] = line
        parsed.append(ImportRow(line=line, day=day, is_workday=is_workday, name=name, source=source))
    if problems:
        shown = problems[:20] + ([f"……另有 {len(problems) - 20} 行有误"] if len(problems) > 20 else [])
        raise TransitionRefused(
            "导入失败，未做任何修改。" + " ".join(shown), code=errors.INVALID_VALUE, fields={"file": "\n".join(shown)}
        )
    if not parsed:
        raise TransitionRefused("文件中没有可导入的行。", code=errors.INVALID_VALUE, fields={"file": "没有数据行"})
    return parsed


@transaction.atomic
def holiday_overrides_import(*, actor, file, filename: str = "") -> ImportResult:
    """city_admin imports a year's holiday notice from Excel: all rows or, on any error, none."""
    ensure_can_maintain_calendar(actor)
    rows = parse_holiday_workbook(file)
    result = ImportResult()
    reason = f"import:{filename}"[:100] if filename else "import"
    # Lock in date order, like every multi-row write.
    for row in sorted(rows, key=lambda r: r.day):
        _, outcome = _set(
            actor=actor, day=row.day, is_workday=row.is_workday, name=row.name, source=row.source, reason=reason
        )
        setattr(result, outcome, getattr(result, outcome) + 1)
    return result


def holiday_workbook_template() -> bytes:
    """An empty import sheet (the header only) and a sheet that explains the columns."""
    from io import BytesIO

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "节假日安排"
    sheet.append(list(IMPORT_HEADERS))
    for column, width in (("A", 14), ("B", 10), ("C", 16), ("D", 48)):
        sheet.column_dimensions[column].width = width
    notes = workbook.create_sheet("填写说明")
    for line in (
        "每行一天，只填与“周一至周五上班、周末休息”不同的日子，以及法定节假日本身。",
        "日期：如 2027-01-01；类型：放假 或 上班（调休上班）；"
        "名称：如 元旦、春节、春节调休上班；依据：通知文号（可空）。",
        "同一日期已录入的，导入时按本表修改；任一行有误则整表不导入。",
    ):
        notes.append([line])
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
