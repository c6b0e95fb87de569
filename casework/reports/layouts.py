"""The seed's two attachments (and the city roll-up), assembled as a layout grid both renderers draw.

A ``Report`` is a title, header lines, a grid of rows of ``Cell`` (text or number, colspan, rowspan,
label or value), footer lines and the moments and fingerprint printed on it. ``pdf.render`` and
``xlsx.render`` walk the same grid, so the PDF and the workbook have the same layout and numbers.
Nothing here queries row by row: the counts come from ``asof.counts_by`` in one grouped query.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time

from django.db.models import QuerySet
from django.utils import timezone

from casework.access import ReportSide
from casework.models import Campaign, Hazard, OrgKind, OrgUnit, SchoolReturn

from .asof import Counts, Moment, Period, counts_by

SIDE_LABELS = {
    ReportSide.EDUCATION: "教育部门报送件（不含涉密/敏感隐患）",
    ReportSide.POLICE: "公安机关报送件（含涉密/敏感隐患）",
}


@dataclass(frozen=True)
class Cell:
    value: str | int | None = ""
    colspan: int = 1
    rowspan: int = 1
    label: bool = False  # a printed caption of the paper form (shaded, centred)
    key: str = ""  # the field it holds, for tests and the workbook
    hint: str = ""  # small print inside an empty value cell, as on the paper form
    height: int = 1  # relative height of the row it starts (report text boxes are tall)

    @property
    def text(self) -> str:
        return "" if self.value is None else str(self.value)


@dataclass
class Report:
    kind: str  # school | district | city
    title: str
    attachment: str  # 附件1 / 附件2 / ""
    columns: list[float]  # relative column widths
    header: list[tuple[str, str]]  # (caption, value) pairs printed above the table
    rows: list[list[Cell]]
    footer: list[str]
    signatures: list[str]
    moment: Moment
    period: Period
    side: str
    unit: OrgUnit
    figures: dict = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.figures)

    @property
    def side_label(self) -> str:
        return SIDE_LABELS[self.side]

    def _period_name(self) -> str:
        return f"（{self.period.name}）" if self.period.name else ""

    def meta_lines(self) -> list[str]:
        """The reproducibility line printed on every rendered report."""
        return [
            f"统计截至：{_moment_text(self.moment.as_of)}　数据录入截至：{_moment_text(self.moment.known_at)}",
            f"统计期间：{self.period.start:%Y-%m-%d} 至 {self.period.end:%Y-%m-%d}{self._period_name()}"
            f"　口径：{self.side_label}",
            f"数据指纹（SHA-256）：{self.fingerprint}",
        ]

    def file_stem(self) -> str:
        return f"{self.title}-{self.unit.name}-{timezone.localdate(self.moment.as_of):%Y%m%d}"


def _moment_text(moment) -> str:
    # Microseconds are printed when present: the printed pair must reproduce the figures exactly.
    local = timezone.localtime(moment)
    return local.strftime("%Y-%m-%d %H:%M:%S" + (".%f" if local.microsecond else "") + " %z")


def fingerprint(figures: Mapping) -> str:
    """SHA-256 over the figures in one canonical spelling: the same figures, the same fingerprint."""
    canonical = json.dumps(figures, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _base_figures(kind: str, unit: OrgUnit, period: Period, side: str) -> dict:
    return {"form": kind, "unit": unit.pk, "period": [period.start.isoformat(), period.end.isoformat()], "side": side}


# ---- 附件1 学校及周边安全排查整改情况报表 -----------------------------------------------------------
# Labels word for word as printed in seed 000 (including its "电器火灾"), row by row; six columns.
def L(text: str, colspan: int = 1, rowspan: int = 1) -> Cell:
    return Cell(text, colspan=colspan, rowspan=rowspan, label=True)


def V(key: str, colspan: int = 1, hint: str = "", height: int = 1) -> Cell:
    return Cell("", colspan=colspan, key=key, hint=hint, height=height)


SCHOOL_FORM_LAYOUT: list[list[Cell]] = [
    [L("是否成立工作专班"), V("task_force_established", 2), L("专班负责人"), V("task_force_head", 2)],
    [
        L("学校假期是否有值班表"),
        V("holiday_duty_roster"),
        L("领导是否带班"),
        V("leader_on_duty"),
        L("门卫、巡查、隐患排查制度是否健全"),
        V("gate_patrol_rules_sound"),
    ],
    [
        L("保安员人数"),
        V("guards_count"),
        L("保安员持证上岗人数"),
        V("certified_guards_count"),
        L("超龄保安员人数"),
        V("overage_guards_count"),
    ],
    [L("视频监控保存天数是否达30天"), V("video_retention_30_days", 2), L("视频探头数量"), V("camera_count", 2)],
    [
        L("围墙周界有无防入侵报警系统"),
        V("perimeter_intrusion_alarm", 2),
        L("重点要害部位有无防入侵报警"),
        V("key_area_intrusion_alarm", 2),
    ],
    [
        L("一键报警有无"),
        L("门卫"),
        V("panic_button_gate"),
        L("学生宿舍（无宿舍填“/”）"),
        V("panic_button_dormitory", 2),
    ],
    [L("技防系统是否全部正常运行"), V("tech_systems_working", 5)],
    [
        L("隔离栏有无"),
        V("barriers"),
        L("硬质防冲撞设施有无"),
        V("anti_ramming_facilities"),
        L("升降柱有无"),
        V("bollards"),
    ],
    [
        L("是否开展电气火灾安全综合治理"),
        V("electrical_fire_campaign", 2),
        L("电器火灾隐患整改情况"),
        V("electrical_fire_rectification", 2),
    ],
    [L("危险化学品安全管理三防措施是否落实"), V("chemicals_three_precautions", 5)],
    [L("校园周边治安乱点情况"), V("surrounding_order_problems", 5, height=2)],
    [L("涉校不稳定因素情况"), V("instability_factors", 5, height=2)],
    [L("校车等安全隐患情况"), V("school_bus_hazards", 5, hint="（无校车等用“/”）", height=2)],
    [L("假期学生安全教育情况"), V("holiday_safety_education", 5, height=2)],
    [L("假期师生团体活动", rowspan=2), L("次数"), L("总人数", 2), L("安全是否由校级领导直接负责", 2)],
    [V("holiday_activities_count"), V("holiday_activities_people", 2), V("holiday_activities_led_by_leader", 2)],
    [L("排查出的总隐患数"), V("total"), L("隐患整改数"), V("rectified"), L("未整改隐患数"), V("unrectified")],
    [L("排查整改工作情况报告"), V("work_report", 5, height=4)],
]
SCHOOL_FORM_FOOTER = (
    "本表由学校和当地派出所共同填写。涉及保密、敏感信息的，经公安机关研判后直接报市公安局，本表不填写。"
)
# Every caption of the form, for tests and for the return's field names.
SCHOOL_FORM_LABELS = [c.value for row in SCHOOL_FORM_LAYOUT for c in row if c.label]
COUNT_KEYS = ("total", "rectified", "unrectified")


RETURN_FIELDS = [c.key for row in SCHOOL_FORM_LAYOUT for c in row if c.key and c.key not in COUNT_KEYS]


def return_values(school_return: SchoolReturn | None) -> dict[str, object]:
    """A return's answers as the form prints them: choices by their label, numbers as numbers, blanks blank."""
    if school_return is None:
        return {}
    values: dict[str, object] = {}
    for name in RETURN_FIELDS + list(RETURN_KEYS_IN_DISTRICT_TABLE):
        value = getattr(school_return, name)
        display = getattr(school_return, f"get_{name}_display", None)
        values[name] = display() if (display and value) else ("" if value is None else value)
    return values


def _fill(layout: list[list[Cell]], values: Mapping[str, object]) -> list[list[Cell]]:
    def filled(cell: Cell) -> Cell:
        if cell.label or not cell.key:
            return cell
        value = values.get(cell.key, "")
        return Cell(
            value if value is not None else "",
            colspan=cell.colspan,
            rowspan=cell.rowspan,
            key=cell.key,
            hint=cell.hint,
            height=cell.height,
        )

    return [[filled(c) for c in row] for row in layout]


def school_form(
    *,
    school: OrgUnit,
    hazards: QuerySet[Hazard],
    moment: Moment,
    period: Period,
    side: str,
    school_return: SchoolReturn | None = None,
) -> Report:
    """附件1 for one school: the return's answers as given, the three hazard counts from the ledger as of the moment."""
    counts = counts_by(
        hazards.filter(school=school), moment, period, by="school", district_id=school.district_id, overdue=False
    ).get(school.pk, Counts())
    values = {
        **return_values(school_return),
        "total": counts.total,
        "rectified": counts.rectified,
        "unrectified": counts.unrectified,
    }
    filled_on = school_return.filled_on if school_return is not None else None
    signatures = [
        f"校长：{school_return.principal_name if school_return else ''}",
        f"所长：{school_return.police_chief_name if school_return else ''}",
    ]
    footer = [SCHOOL_FORM_FOOTER]
    if side == ReportSide.POLICE and school_return is not None and school_return.sensitive_notes:
        # Only the police side's copy carries what the form itself must not (seed 000's footer line).
        footer.append(f"涉及保密、敏感信息（仅公安机关报送件）：{school_return.sensitive_notes}")
    figures = _base_figures("school", school, period, side) | {
        "counts": {"total": counts.total, "rectified": counts.rectified, "unrectified": counts.unrectified}
    }
    return Report(
        kind="school",
        title="学校及周边安全排查整改情况报表",
        attachment="附件1",
        columns=[2.1, 1.2, 1.6, 1.6, 1.6, 1.2],
        header=[("单位名称", school.name), ("填表日期", f"{filled_on or moment.cutoff_date:%Y年%-m月%-d日}")],
        rows=_fill(SCHOOL_FORM_LAYOUT, values),
        footer=footer,
        signatures=signatures,
        moment=moment,
        period=period,
        side=side,
        unit=school,
        figures=figures,
    )


# ---- 附件2 学校及周边安全排查整改情况汇总表（区） ---------------------------------------------------
DISTRICT_COLUMNS = [
    "区域",
    "属地派出所",
    "学校名称",
    "校园周边治安乱点情况",
    "是否整改",
    "校园隐患总数",
    "整改数",
    "涉校不稳定因素情况（未解决）",
]
DISTRICT_KEYS = [
    "district",
    "station",
    "school",
    "surrounding_order_problems",
    "surrounding_problems_rectified",
    "total",
    "rectified",
    "instability_factors_unresolved",
]
RETURN_KEYS_IN_DISTRICT_TABLE = (
    "surrounding_order_problems",
    "surrounding_problems_rectified",
    "instability_factors_unresolved",
)


def district_table(
    *,
    district: OrgUnit,
    schools: QuerySet[OrgUnit],
    hazards: QuerySet[Hazard],
    moment: Moment,
    period: Period,
    side: str,
    returns: Mapping[int, Mapping[str, object]] | None = None,
) -> Report:
    """附件2 for one district: one row per school (its return's answers, its counts as of the moment), and totals.

    ``returns`` maps a school's id to its return's values (``return_values``); a school without a
    return shows blanks.
    """
    returns = returns or {}
    schools = list(
        schools.filter(district=district, kind=OrgKind.SCHOOL)
        .select_related("police_station")
        .order_by("police_station__name", "name")
    )
    # The table prints total and rectified per school: no overdue query.
    counts = counts_by(
        hazards.filter(district=district), moment, period, by="school", district_id=district.pk, overdue=False
    )
    rows = [[Cell(name, label=True) for name in DISTRICT_COLUMNS]]
    figures_rows = []
    for school in schools:
        c = counts.get(school.pk, Counts())
        answers = returns.get(school.pk, {})
        values = {
            "district": district.name,
            "station": school.police_station.name if school.police_station else "",
            "school": school.name,
            "total": c.total,
            "rectified": c.rectified,
            **{k: answers.get(k, "") for k in RETURN_KEYS_IN_DISTRICT_TABLE},
        }
        rows.append([Cell(values[k], key=k) for k in DISTRICT_KEYS])
        figures_rows.append([school.pk, c.total, c.rectified])
    total = Counts.sum(counts.get(s.pk, Counts()) for s in schools)
    rows.append(
        [
            Cell(f"合计（{len(schools)}所学校）", colspan=3, label=True, key="schools"),
            Cell("", colspan=2),
            Cell(total.total, key="total"),
            Cell(total.rectified, key="rectified"),
            Cell("", key="instability_factors_unresolved"),
        ]
    )
    return Report(
        kind="district",
        title="学校及周边安全排查整改情况汇总表（区）",
        attachment="附件2",
        columns=[1.0, 1.6, 2.2, 2.4, 0.9, 1.0, 0.9, 2.2],
        header=[("区域", district.name), ("填表日期", f"{moment.cutoff_date:%Y年%-m月%-d日}")],
        rows=rows,
        footer=[],
        signatures=[],
        moment=moment,
        period=period,
        side=side,
        unit=district,
        figures=_base_figures("district", district, period, side)
        | {"rows": figures_rows, "totals": [total.total, total.rectified]},
    )


# ---- the city roll-up of the districts ---------------------------------------------------------
CITY_COLUMNS = ["区域", "学校数", "校园隐患总数", "整改数", "未整改隐患数", "整改率"]
CITY_KEYS = ["district", "schools", "total", "rectified", "unrectified", "rate"]


def _rate(c: Counts) -> str:
    return "—" if c.rate is None else f"{c.rate * 100:.1f}%"


def city_rollup(
    *,
    city: OrgUnit,
    districts: QuerySet[OrgUnit],
    schools: QuerySet[OrgUnit],
    hazards: QuerySet[Hazard],
    moment: Moment,
    period: Period,
    side: str,
) -> Report:
    """The city's summary: one row per district (the totals of its 附件2), and the city's totals."""
    districts = list(districts.filter(kind=OrgKind.DISTRICT, city=city).order_by("name"))
    counts = counts_by(hazards.filter(city=city), moment, period, by="district", overdue=False)
    school_numbers = _school_numbers(schools.filter(city=city, kind=OrgKind.SCHOOL))
    rows = [[Cell(name, label=True) for name in CITY_COLUMNS]]
    figures_rows = []
    for d in districts:
        c = counts.get(d.pk, Counts())
        values = {
            "district": d.name,
            "schools": school_numbers.get(d.pk, 0),
            "total": c.total,
            "rectified": c.rectified,
            "unrectified": c.unrectified,
            "rate": _rate(c),
        }
        rows.append([Cell(values[k], key=k) for k in CITY_KEYS])
        figures_rows.append([d.pk, c.total, c.rectified])
    total = Counts.sum(counts.get(d.pk, Counts()) for d in districts)
    rows.append(
        [
            Cell("合计", label=True),
            Cell(sum(school_numbers.get(d.pk, 0) for d in districts), key="schools"),
            Cell(total.total, key="total"),
            Cell(total.rectified, key="rectified"),
            Cell(total.unrectified, key="unrectified"),
            Cell(_rate(total), key="rate"),
        ]
    )
    return Report(
        kind="city",
        title="学校及周边安全排查整改情况汇总表（市）",
        attachment="",
        columns=[1.6, 1.0, 1.2, 1.0, 1.2, 1.0],
        header=[("单位", city.name), ("填表日期", f"{moment.cutoff_date:%Y年%-m月%-d日}")],
        rows=rows,
        footer=["各区数据为该区《学校及周边安全排查整改情况汇总表（区）》的合计。"],
        signatures=[],
        moment=moment,
        period=period,
        side=side,
        unit=city,
        figures=_base_figures("city", city, period, side)
        | {"rows": figures_rows, "totals": [total.total, total.rectified]},
    )


def _school_numbers(schools: QuerySet[OrgUnit]) -> dict[int, int]:
    from django.db.models import Count

    return {row["district"]: row["n"] for row in schools.order_by().values("district").annotate(n=Count("id"))}


# ---- campaigns: the period, the default cut-off, the returns as they stood ---------------------------
def campaign_period(campaign: Campaign) -> Period:
    return Period(start=campaign.starts_on, end=campaign.ends_on, name=campaign.name)


def default_as_of(campaign: Campaign) -> datetime:
    """The end of the campaign's statistics cut-off day ("有关统计数据截至7月31日"), or of its last day."""
    day = campaign.statistics_cutoff or campaign.ends_on
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)), timezone.get_current_timezone())


def returns_as_of(campaign: Campaign, school_ids, known_at: datetime) -> dict[int, SchoolReturn]:
    """The schools' returns for the campaign as they stood at known_at (their history), by school id."""
    snapshot = SchoolReturn.history.as_of(known_at).filter(campaign_id=campaign.pk, school_id__in=list(school_ids))
    return {r.school_id: r for r in snapshot}


def build_report(
    *,
    form: str,
    unit: OrgUnit,
    campaign: Campaign,
    moment: Moment,
    side: str,
    hazards: QuerySet[Hazard],
    units: QuerySet[OrgUnit],
) -> Report:
    """One of the three reports for a unit and campaign as of the moment.

    ``hazards`` and ``units`` come from casework.access (what the reader may count and list).
    """
    period = campaign_period(campaign)
    if form == "school":
        school_return = returns_as_of(campaign, [unit.pk], moment.known_at).get(unit.pk)
        return school_form(
            school=unit, hazards=hazards, moment=moment, period=period, side=side, school_return=school_return
        )
    if form == "district":
        schools = units.filter(kind=OrgKind.SCHOOL, district=unit)
        returns = returns_as_of(campaign, schools.values_list("pk", flat=True), moment.known_at)
        return district_table(
            district=unit,
            schools=schools,
            hazards=hazards,
            moment=moment,
            period=period,
            side=side,
            returns={pk: return_values(r) for pk, r in returns.items()},
        )
    if form == "city":
        return city_rollup(
            city=unit, districts=units, schools=units, hazards=hazards, moment=moment, period=period, side=side
        )
    raise ValueError(f"unknown form {form!r}")


FORM_UNIT_KINDS = {"school": OrgKind.SCHOOL, "district": OrgKind.DISTRICT, "city": OrgKind.CITY}


def report_params(report: Report, *, campaign, fmt: str) -> dict:
    """What a rendered report was drawn up from, for the security log and the audit record."""
    return {
        "form": report.kind,
        "format": fmt,
        "unit": report.unit.pk,
        "unit_name": report.unit.name,
        "campaign": campaign.pk,
        "side": report.side,
        "as_of": report.moment.as_of.isoformat(),
        "known_at": report.moment.known_at.isoformat(),
        "fingerprint": report.fingerprint,
    }
