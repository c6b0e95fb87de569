"""Report pages: pick a campaign and a cut-off, download the forms, read the statistics.

Thin: every queryset comes from casework.access (``report_units_for``, ``hazards_for_report``,
``report_campaigns_for``); the figures from casework.reports; rendering is a pure function.
"""

from urllib.parse import quote, urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from casework.access import (
    ReportSide,
    can_render_reports,
    hazards_for_report,
    report_campaigns_for,
    report_sides_for,
    report_units_for,
)
from casework.models import AuditEventKind, OrgKind
from casework.reports import pdf, xlsx
from casework.reports.asof import Moment
from casework.reports.layouts import FORM_UNIT_KINDS, build_report, campaign_period, default_as_of, report_params
from casework.reports.statistics import campaign_statistics, listing_statistics
from casework.security import record_export
from casework.web.params import BadParameter, moment_param

RENDERERS = {
    "pdf": (pdf.render, "application/pdf"),
    "xlsx": (xlsx.render, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def _choices(request):
    """The campaign, moment and side the request asks for, within what the user may use."""
    if not can_render_reports(request.user):
        raise PermissionDenied
    campaigns = report_campaigns_for(request.user)
    campaign_id = request.GET.get("campaign")
    campaign = (
        get_object_or_404(campaigns, pk=campaign_id) if campaign_id and campaign_id.isdigit() else campaigns.first()
    )
    if campaign_id and not campaign_id.isdigit():
        raise Http404
    side = request.GET.get("side") or ReportSide.EDUCATION
    if side not in report_sides_for(request.user):
        raise PermissionDenied
    if campaign is None:
        return campaigns, None, None, side
    as_of = moment_param(request.GET.get("as_of", ""), end_of_day=True) or default_as_of(campaign)
    known_at = moment_param(request.GET.get("known_at", ""), end_of_day=False) or timezone.now()
    if known_at > timezone.now():
        raise BadParameter("数据录入截至时点不能晚于现在。")
    return campaigns, campaign, Moment.at(as_of, known_at), side


def _bad(request, error: BadParameter):
    return render(request, "reports/error.html", {"message": str(error)}, status=400)


@login_required
def index(request):
    try:
        campaigns, campaign, moment, side = _choices(request)
    except BadParameter as e:
        return _bad(request, e)
    units = report_units_for(request.user).order_by("name")
    query = {}
    if campaign is not None:
        query = {
            "campaign": campaign.pk,
            "as_of": timezone.localtime(moment.as_of).isoformat(),
            "known_at": timezone.localtime(moment.known_at).isoformat(),
            "side": side,
        }
    groups = []
    for form, kind, label in (
        ("city", OrgKind.CITY, "市汇总表"),
        ("district", OrgKind.DISTRICT, "附件2 区汇总表"),
        ("school", OrgKind.SCHOOL, "附件1 学校报表"),
    ):
        rows = [
            (
                unit,
                {
                    fmt: reverse("reports:render")
                    + "?"
                    + urlencode(query | {"form": form, "unit": unit.pk, "format": fmt})
                    for fmt in RENDERERS
                },
            )
            for unit in units.filter(kind=kind)
        ]
        if rows:
            groups.append((label, rows))
    return render(
        request,
        "reports/index.html",
        {
            "campaigns": campaigns,
            "campaign": campaign,
            "moment": moment,
            "side": side,
            "sides": [(v, label) for v, label in ReportSide.choices if v in report_sides_for(request.user)],
            "groups": groups,
            "statistics_query": urlencode(query),
        },
    )


@login_required
def render_download(request):
    try:
        _campaigns, campaign, moment, side = _choices(request)
    except BadParameter as e:
        return _bad(request, e)
    form = request.GET.get("form", "")
    fmt = request.GET.get("format", "")
    unit_id = request.GET.get("unit", "")
    if campaign is None or form not in FORM_UNIT_KINDS or fmt not in RENDERERS or not unit_id.isdigit():
        raise Http404
    units = report_units_for(request.user)
    unit = get_object_or_404(units, pk=unit_id, kind=FORM_UNIT_KINDS[form])
    report = build_report(
        form=form,
        unit=unit,
        campaign=campaign,
        moment=moment,
        side=side,
        hazards=hazards_for_report(request.user, side),
        units=units,
    )
    record_export(
        "report_rendered",
        kind=AuditEventKind.REPORT_RENDERED,
        subject=f"org_unit:{unit.pk}",
        params=report_params(report, campaign=campaign, fmt=fmt),
        request=request,
    )
    renderer, content_type = RENDERERS[fmt]
    response = HttpResponse(renderer(report), content_type=content_type)
    filename = f"{report.file_stem()}.{fmt}"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["X-Report-Fingerprint"] = report.fingerprint
    return response


@login_required
def statistics(request):
    try:
        campaigns, campaign, moment, side = _choices(request)
    except BadParameter as e:
        return _bad(request, e)
    tables = listed = None
    if campaign is not None:
        listed = listing_statistics(hazards=hazards_for_report(request.user, side))
        tables = campaign_statistics(
            hazards=hazards_for_report(request.user, side),
            units=report_units_for(request.user),
            moment=moment,
            period=campaign_period(campaign),
        )
    return render(
        request,
        "reports/statistics.html",
        {
            "campaigns": campaigns,
            "campaign": campaign,
            "moment": moment,
            "side": side,
            "sides": [(v, label) for v, label in ReportSide.choices if v in report_sides_for(request.user)],
            "tables": tables,
            "listed": listed,
        },
    )
