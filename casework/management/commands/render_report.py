"""Render one of the seed's report forms as of a moment, to PDF or Excel.

    python manage.py render_report --form district --unit 天宁区 --campaign 2 \\
        --as-of 2019-07-31T23:59:59+08:00 [--known-at 2019-08-07T12:00:00+08:00] \\
        [--side education|police] --format pdf --out 天宁区.pdf

Run on the server by an operator: it counts every hazard of the unit (the education side without
the sensitive ones), as casework.access.hazards_for_side decides.
"""

import getpass
from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from casework.access import ReportSide, hazards_for_side
from casework.models import AuditEventKind, Campaign, OrgUnit
from casework.reports import pdf, xlsx
from casework.reports.asof import Moment
from casework.reports.layouts import FORM_UNIT_KINDS, build_report, default_as_of, report_params
from casework.security import record_export

RENDERERS = {"pdf": pdf.render, "xlsx": xlsx.render}


def parse_moment(value: str, option: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} 的时间格式无效：{value}（例：2019-07-31T23:59:59+08:00）") from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    return moment


def resolve_unit(value: str, form: str) -> OrgUnit:
    kind = FORM_UNIT_KINDS[form]
    units = OrgUnit.objects.filter(kind=kind)
    found = list(units.filter(pk=int(value))) if value.isdigit() else list(units.filter(name=value))
    if not found:
        raise CommandError(f"找不到{dict(OrgUnit._meta.get_field('kind').choices)[kind]}：{value}")
    if len(found) > 1:
        listed = "、".join(f"{u.pk}（{u.district or u.city or ''}）" for u in found)
        raise CommandError(f"名称“{value}”不唯一，请用编号：{listed}")
    return found[0]


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no account name in a bare container
        return ""


class Command(BaseCommand):
    help = "按截至时点生成学校报表（附件1）、区汇总表（附件2）或市汇总表，输出 PDF 或 Excel。"

    def add_arguments(self, parser):
        parser.add_argument("--form", required=True, choices=sorted(FORM_UNIT_KINDS))
        parser.add_argument("--unit", required=True, help="学校、区或市的编号或名称")
        parser.add_argument("--campaign", required=True, type=int, help="专项整治编号")
        parser.add_argument("--as-of", help="统计截至时点（默认：该专项整治统计截止日 23:59:59）")
        parser.add_argument("--known-at", help="数据录入截至时点（默认：现在）")
        parser.add_argument("--side", default=ReportSide.EDUCATION, choices=ReportSide.values)
        parser.add_argument("--format", required=True, choices=sorted(RENDERERS))
        parser.add_argument("--out", required=True, help="输出文件")

    def handle(self, *args, form, unit, campaign, as_of, known_at, side, format, out, **options):
        try:
            campaign_obj = Campaign.objects.get(pk=campaign)
        except Campaign.DoesNotExist:
            raise CommandError(f"找不到专项整治：{campaign}") from None
        org_unit = resolve_unit(unit, form)
        if campaign_obj.city_id and org_unit.kind != "city" and org_unit.city_id != campaign_obj.city_id:
            raise CommandError(f"{org_unit} 不属于该专项整治的城市。")
        moment = Moment.at(
            parse_moment(as_of, "--as-of") if as_of else default_as_of(campaign_obj),
            parse_moment(known_at, "--known-at") if known_at else None,
        )
        if moment.known_at > timezone.now():
            raise CommandError("--known-at 不能晚于现在。")
        report = build_report(
            form=form,
            unit=org_unit,
            campaign=campaign_obj,
            moment=moment,
            side=side,
            hazards=hazards_for_side(side),
            units=OrgUnit.objects.all(),
        )
        # An operator's copy leaves the service too: logged (with the operating-system account) like a download.
        record_export(
            "report_rendered",
            kind=AuditEventKind.REPORT_RENDERED,
            subject=f"org_unit:{org_unit.pk}",
            params=report_params(report, campaign=campaign_obj, fmt=format)
            | {"operator": _operator(), "out": str(out), "via": "render_report"},
        )
        data = RENDERERS[format](report)
        Path(out).write_bytes(data)
        self.stdout.write(
            f"{report.title} · {org_unit} · 截至 {timezone.localtime(moment.as_of).isoformat()} · "
            f"录入截至 {timezone.localtime(moment.known_at).isoformat()} · 指纹 {report.fingerprint} → {out}"
        )
