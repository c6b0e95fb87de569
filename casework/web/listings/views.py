"""Listed supervision pages (挂牌督办): thin views over casework.access, the listing selectors and services."""

import tempfile

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from casework.access import (
    LISTING_AUTHORITY_ROLES,
    can_on_listing,
    hazards_visible_to,
    is_read_only,
    listing_get_for_user_or_404,
    listing_levels_for,
    memberships_of,
    org_units_visible_to,
)
from casework.errors import TransitionRefused
from casework.models import AuditEventKind, ListingLevel, ListingState, OrgKind, Severity
from casework.presenters import change_reason_label
from casework.rules.lifecycle import OPEN_STATES
from casework.security import record_export
from casework.selectors.listings import ListingFilters, listing_ledger_for, listing_rows, listing_summary
from casework.services import listings as svc
from casework.web.params import choice_param, flag_param, int_param

from .forms import DelistForm, ListingForm, ProgressForm, ReminderForm


def listing_filters_from(params) -> ListingFilters:
    """Read the filters from a query string; a malformed value is ignored, not a 500."""
    return ListingFilters(
        district=int_param(params.get("district")),
        level=choice_param(params.get("level"), ListingLevel),
        state=choice_param(params.get("state", ListingState.ACTIVE), ListingState),
        overdue=flag_param(params.get("overdue")),
        raised=flag_param(params.get("raised")),
    )


def _occurred_at(form):
    return form.cleaned_data.get("occurred_at") or timezone.now()


# ---- the ledger and dashboard ---------------------------------------------------------------------------
@login_required
def listing_ledger(request):
    filters = listing_filters_from(request.GET)
    today = timezone.localdate()
    rows = listing_rows(listing_ledger_for(request.user, filters, today=today), today=today)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    raised = [r for r in rows if r.listing.raised_at and r.listing.is_active]
    city_view = any(m.org_unit.kind == OrgKind.CITY for m in memberships_of(request.user))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "listings/ledger.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "summary": listing_summary(rows),
            "raised": raised if city_view else [],
            "districts": org_units_visible_to(request.user).filter(kind=OrgKind.DISTRICT).order_by("name"),
            "levels": ListingLevel.choices,
            "states": ListingState.choices,
            "can_list": _can_list_somewhere(request.user),
        },
    )


EXPORT_COLUMNS = [
    "编号",
    "隐患编号",
    "隐患名称",
    "辖市区",
    "学校",
    "督办层级",
    "挂牌单位",
    "挂牌文号",
    "挂牌日期",
    "要求完成时限",
    "剩余/逾期",
    "隐患状态",
    "督办责任人",
    "报告周期（天）",
    "最近进展报告",
    "最近完成比例（%）",
    "进展逾期未报",
    "催办次数",
    "上提市级",
    "督办状态",
    "摘牌文号",
    "摘牌日期",
]


@login_required
def listing_export(request):
    """The ledger as Excel (write-only workbook, spooled to a temporary file, streamed back)."""
    filters = listing_filters_from(request.GET)
    record_export(
        "export", kind=AuditEventKind.LISTINGS_EXPORTED, subject="listing-ledger", params=filters, request=request
    )
    today = timezone.localdate()
    rows = listing_rows(listing_ledger_for(request.user, filters, today=today).iterator(chunk_size=500), today=today)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("挂牌督办台账")
    sheet.append(EXPORT_COLUMNS)
    for row in rows:
        item, hazard = row.listing, row.listing.hazard
        sheet.append(
            [
                item.pk,
                hazard.pk,
                hazard.title,
                item.district.name,
                hazard.school.name,
                item.get_level_display(),
                item.authority.name,
                item.decision_number,
                item.listed_on,
                item.required_by,
                row.status,
                hazard.get_state_display(),
                item.supervising_officer.get_full_name() or item.supervising_officer.username,
                item.progress_interval_days,
                row.last_report_day,
                item.last_report_percent,
                f"应于 {row.missing_since:%Y-%m-%d} 报送" if row.missing_since else "",
                item.reminders_sent,
                timezone.localtime(item.raised_at).strftime("%Y-%m-%d") if item.raised_at else "",
                item.get_state_display(),
                item.delisting_decision_number,
                item.delisted_on,
            ]
        )
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 — FileResponse closes it
    workbook.save(spool)
    spool.seek(0)
    filename = f"挂牌督办台账-{today:%Y%m%d}.xlsx"
    return FileResponse(
        spool,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# ---- one listing ---------------------------------------------------------------------------------------
def _detail(request, listing, *, forms=None, status=200):
    forms = forms or {}
    today = timezone.localdate()
    reports = listing.progress_reports.select_related("reported_by", "transition").prefetch_related(
        "transition__evidence"
    )
    last = reports.first()
    last_day = timezone.localdate(last.reported_at) if last else None
    active_open = listing.is_active and listing.hazard.state in OPEN_STATES
    return render(
        request,
        "listings/detail.html",
        {
            "listing": listing,
            "hazard": listing.hazard,
            "today": today,
            "days_left": listing.days_left(today),
            "overdue_days": -listing.days_left(today),
            "overdue": listing.is_overdue(today),
            "missing_since": listing.report_missing_since(last_day, today),
            "next_due": listing.next_report_due(today) if active_open else None,
            "reports": reports,
            "missed": listing.missed_reports.all(),
            "reminders": listing.reminders.select_related("sent_by"),
            "history": [
                (h, change_reason_label(h.history_change_reason))
                for h in listing.history.select_related("history_user").order_by("history_date")
            ],
            "can_progress": can_on_listing(request.user, "listing_progress", listing),
            "can_remind": can_on_listing(request.user, "listing_reminder", listing),
            "can_delist": can_on_listing(request.user, "delist", listing),
            "progress_form": forms.get("progress") or ProgressForm(),
            "reminder_form": forms.get("reminder") or ReminderForm(),
            "delist_form": forms.get("delist") or DelistForm(),
        },
        status=status,
    )


@login_required
def listing_detail(request, pk: int):
    return _detail(request, listing_get_for_user_or_404(request.user, pk))


def _refused(request, listing, name, form, refusal: TransitionRefused):
    messages.error(request, refusal.message)
    for field, text in refusal.fields.items():
        if field in form.fields:
            form.add_error(field, text)
    return _detail(request, listing, forms={name: form}, status=400)


@login_required
@require_POST
def listing_progress(request, pk: int):
    listing = listing_get_for_user_or_404(request.user, pk)
    form = ProgressForm(request.POST)
    if not form.is_valid():
        return _detail(request, listing, forms={"progress": form}, status=400)
    try:
        svc.listing_report_progress(
            listing_id=listing.pk,
            actor=request.user,
            work_done=form.cleaned_data["work_done"],
            percent_complete=form.cleaned_data["percent_complete"],
            occurred_at=_occurred_at(form),
            evidence=request.FILES.getlist("evidence"),
        )
    except TransitionRefused as refusal:
        return _refused(request, listing, "progress", form, refusal)
    messages.success(request, "督办进展已报送。")
    return redirect(listing)


@login_required
@require_POST
def listing_remind(request, pk: int):
    listing = listing_get_for_user_or_404(request.user, pk)
    form = ReminderForm(request.POST)
    if not form.is_valid():
        return _detail(request, listing, forms={"reminder": form}, status=400)
    try:
        svc.listing_remind(
            listing_id=listing.pk,
            actor=request.user,
            message=form.cleaned_data["message"],
            occurred_at=_occurred_at(form),
        )
    except TransitionRefused as refusal:
        return _refused(request, listing, "reminder", form, refusal)
    messages.success(request, "催办已发送至学校和区教育局。")
    return redirect(listing)


@login_required
@require_POST
def listing_delist(request, pk: int):
    listing = listing_get_for_user_or_404(request.user, pk)
    form = DelistForm(request.POST)
    if not form.is_valid():
        return _detail(request, listing, forms={"delist": form}, status=400)
    data = form.cleaned_data
    try:
        svc.listing_delist(
            listing_id=listing.pk,
            actor=request.user,
            decision_number=data["decision_number"],
            delisted_on=data["delisted_on"],
            reason=data["reason"],
            occurred_at=_occurred_at(form),
        )
    except TransitionRefused as refusal:
        return _refused(request, listing, "delist", form, refusal)
    messages.success(request, "已摘牌。")
    return redirect(listing)


# ---- listing a hazard -------------------------------------------------------------------------------------
def _authority_memberships(user):
    return [m for m in memberships_of(user) if m.role in LISTING_AUTHORITY_ROLES.values()]


def _can_list_somewhere(user) -> bool:
    return not is_read_only(user) and bool(_authority_memberships(user))


@login_required
def listing_create(request):
    """List a major hazard: the hazards offered are the user's own listable ones; the service decides."""
    if not _can_list_somewhere(request.user):
        raise PermissionDenied("仅区教育局安全干部或市级管理员可以挂牌督办。")
    candidates = (
        hazards_visible_to(request.user)
        .filter(severity=Severity.MAJOR, state__in=OPEN_STATES)
        .select_related("school", "district")
        .order_by("-reported_at")
    )
    hazards = [h for h in candidates if listing_levels_for(request.user, h)]
    levels = {
        level
        for level, role in LISTING_AUTHORITY_ROLES.items()
        if any(m.role == role for m in memberships_of(request.user))
    }
    units = [m.org_unit_id for m in _authority_memberships(request.user)]
    officers = (
        get_user_model()
        .objects.filter(memberships__org_unit_id__in=units, memberships__active=True, is_active=True)
        .distinct()
        .order_by("username")
    )
    form_kwargs = {"hazards": hazards, "levels": levels, "officers": officers}
    if request.method != "POST":
        hazard_id = int_param(request.GET.get("hazard"))
        initial = {
            "hazard": hazard_id,
            "level": ListingLevel.DISTRICT if ListingLevel.DISTRICT in levels else ListingLevel.CITY,
        }
        chosen = next((h for h in hazards if h.pk == hazard_id), None)
        if chosen is not None:  # start from the hazard's own plan
            initial |= {
                "measures": chosen.measures,
                "responsible_person": chosen.responsible_person,
                "funding": chosen.funding,
                "contingency_plan": chosen.contingency_plan,
                "required_by": chosen.deadline,
            }
        return render(request, "listings/form.html", {"form": ListingForm(initial=initial, **form_kwargs)})
    form = ListingForm(request.POST, **form_kwargs)
    if form.is_valid():
        data = form.cleaned_data
        if not data["hazard"]:
            form.add_error("hazard", "请选择要挂牌的重大隐患")
        else:
            try:
                listing = svc.hazard_list(
                    hazard_id=data["hazard"],
                    actor=request.user,
                    level=data["level"],
                    decision_number=data["decision_number"],
                    listed_on=data["listed_on"],
                    required_by=data["required_by"],
                    measures=data["measures"],
                    responsible_person=data["responsible_person"],
                    funding=data["funding"],
                    contingency_plan=data["contingency_plan"],
                    supervising_officer_id=data["supervising_officer"],
                    progress_interval_days=data["progress_interval_days"],
                    occurred_at=_occurred_at(form),
                    comment=data["comment"],
                )
            except TransitionRefused as refusal:
                messages.error(request, refusal.message)
                for field, text in refusal.fields.items():
                    form.add_error(field if field in form.fields else None, text)
            else:
                messages.success(request, f"已{listing.get_level_display()}挂牌督办。")
                return redirect(listing)
    return render(request, "listings/form.html", {"form": form}, status=400)
