"""Thin views of the accountability review: read-only, scoped through casework.access, and logged."""

from datetime import date, timedelta
from functools import wraps

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from casework.access import can_review_accountability, hazard_get_for_user_or_404, org_units_visible_to
from casework.audit.chain import verify_all_chains
from casework.audit.events import audit_event_record
from casework.audit.exports import render_review_pdf, render_review_xlsx
from casework.audit.findings import all_findings
from casework.audit.review import SHANGHAI, SUBJECT_KINDS, build_review, hazard_as_of
from casework.models import AuditEventKind, OrgKind
from casework.presenters import chain_labels
from casework.security import log_security_event
from casework.web.params import BadParameter, date_param, int_param, moment_param


def audit_view(view):
    """Auditors and the city admin only; GET only (nothing here writes but the audit log)."""

    @wraps(view)
    @login_required
    @require_GET
    def wrapped(request, *args, **kwargs):
        if not can_review_accountability(request.user):
            raise PermissionDenied("仅审计人员和市级管理员可以进行倒查。")
        return view(request, *args, **kwargs)

    return wrapped


def _period(params) -> tuple[date, date]:
    today = timezone.localdate()
    end = date_param(params.get("end"), today)
    start = date_param(params.get("start"), end - timedelta(days=365))
    return (start, end) if start <= end else (end, start)


def people_visible_to(user):
    """The people a reviewer may review: anyone holding a role in a unit the reviewer can see."""
    units = org_units_visible_to(user)
    return get_user_model().objects.filter(memberships__org_unit__in=units).distinct().order_by("username")


def _subject(request):
    kind = request.GET.get("kind", "")
    if kind not in SUBJECT_KINDS:
        raise Http404
    pk = int_param(request.GET.get("id", ""))
    if pk is None:
        raise Http404
    if kind == "hazard":
        return kind, hazard_get_for_user_or_404(request.user, pk)
    if kind == "person":
        return kind, get_object_or_404(people_visible_to(request.user), pk=pk)
    unit_kind = OrgKind.SCHOOL if kind == "school" else OrgKind.DISTRICT
    return kind, get_object_or_404(org_units_visible_to(request.user), pk=pk, kind=unit_kind)


def _review(request):
    kind, subject = _subject(request)
    start, end = _period(request.GET)
    return build_review(request.user, kind, subject, start, end)


def _params(review) -> dict:
    return {
        "kind": review.kind,
        "id": review.subject.pk,
        "start": review.start_day.isoformat(),
        "end": review.end_day.isoformat(),
    }


@audit_view
def index(request):
    units = org_units_visible_to(request.user)
    start, end = _period(request.GET)
    return render(
        request,
        "audit/index.html",
        {
            "districts": units.filter(kind=OrgKind.DISTRICT).order_by("name"),
            "schools": units.filter(kind=OrgKind.SCHOOL).order_by("name"),
            "people": people_visible_to(request.user),
            "start": start,
            "end": end,
        },
    )


@audit_view
def review(request):
    result = _review(request)
    audit_event_record(
        actor=request.user,
        kind=AuditEventKind.REVIEW_VIEWED,
        subject=f"{result.kind}:{result.subject.pk}",
        params=_params(result),
    )
    return render(request, "audit/review.html", {"review": result, "query": request.GET.urlencode()})


def _export(request, kind: str, render_bytes, content_type: str, suffix: str):
    result = _review(request)
    exported_at = timezone.now()
    # Logged before the bytes are made: an export is on record even if the download then fails.
    audit_event_record(
        actor=request.user,
        kind=kind,
        subject=f"{result.kind}:{result.subject.pk}",
        params=_params(result) | {"exported_at": exported_at.isoformat()},
    )
    log_security_event(
        "export", request=request, obj=f"{result.kind}:{result.subject.pk}", kind=kind, params=_params(result)
    )
    body = render_bytes(result, exporter=request.user, exported_at=exported_at)
    response = HttpResponse(body, content_type=content_type)
    stamp = timezone.localtime(exported_at, SHANGHAI).strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = (
        f'attachment; filename="review-{result.kind}-{result.subject.pk}-{stamp}.{suffix}"'
    )
    return response


@audit_view
def review_pdf(request):
    return _export(request, AuditEventKind.REVIEW_EXPORTED_PDF, render_review_pdf, "application/pdf", "pdf")


@audit_view
def review_xlsx(request):
    return _export(
        request,
        AuditEventKind.REVIEW_EXPORTED_XLSX,
        render_review_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    )


@audit_view
def findings(request):
    start, end = _period(request.GET)
    audit_event_record(
        actor=request.user,
        kind=AuditEventKind.FINDINGS_VIEWED,
        subject="findings",
        params={"start": start.isoformat(), "end": end.isoformat()},
    )
    return render(
        request,
        "audit/findings.html",
        {
            "findings": all_findings(request.user, start, end),
            "start": start,
            "end": end,
        },
    )


@audit_view
def chains(request):
    statuses = verify_all_chains()
    audit_event_record(
        actor=request.user,
        kind=AuditEventKind.CHAINS_VERIFIED,
        subject="chains",
        params={"broken": [s.chain for s in statuses if s.broken]},
    )
    labels = chain_labels(s.chain for s in statuses)
    rows = [{"label": labels[s.chain], "records": s.records, "broken": s.broken} for s in statuses]
    return render(request, "audit/chains.html", {"statuses": rows})


@login_required
@require_GET
def hazard_as_of_view(request, pk: int):
    """The hazard as it stood at a past moment: for anyone who may see the hazard."""
    hazard = hazard_get_for_user_or_404(request.user, pk)
    try:
        moment = moment_param(request.GET.get("at", ""), tz=SHANGHAI) or timezone.now()
    except BadParameter:  # a malformed moment shows the hazard as it stands now
        moment = timezone.now()
    view = hazard_as_of(hazard, moment)
    audit_event_record(
        actor=request.user,
        kind=AuditEventKind.HAZARD_AS_OF_VIEWED,
        subject=f"hazard:{hazard.pk}",
        params={"at": moment.isoformat()},
    )
    return render(
        request,
        "audit/as_of.html",
        {
            "hazard": hazard,
            "view": view,
            "at_value": timezone.localtime(moment, SHANGHAI).strftime("%Y-%m-%dT%H:%M"),
            "can_review": can_review_accountability(request.user),
        },
    )
