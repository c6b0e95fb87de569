"""Thin views: authenticate, scope through casework.access, call a selector or a service, render."""

import html

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from casework.access import (
    acting_membership,
    action_allowed_from,
    can,
    hazard_get_for_user_or_404,
    hazards_visible_to,
    listing_levels_for,
    listings_visible_to,
    org_units_visible_to,
    schools_reportable_by,
)
from casework.errors import TransitionRefused
from casework.models import (
    AuditEventKind,
    Category,
    Evidence,
    HazardState,
    KeyPlace,
    ListingState,
    OrgKind,
    Severity,
)
from casework.presenters import PayloadReader
from casework.rules.lifecycle import ACTIONS, DEADLINE_ACTIONS, HAZARD_ACTIONS, LISTABLE_STATES
from casework.security import record_export
from casework.selectors.ledger import SORTS, LedgerFilters, ledger_for, ledger_page
from casework.selectors.ledger_export import write_ledger_xlsx
from casework.services.submissions import DuplicateSubmission, form_submission_claim
from casework.services.transitions import wrong_state_message
from casework.web.params import choice_param, date_param, flag_param, int_param

from .forms import ACTION_FORMS, FIELD_ALIASES, ReportForm


def ledger_filters_from(params) -> LedgerFilters:
    """Read the ledger's filters from a query string; a malformed value is ignored, not a 500."""
    return LedgerFilters(
        district=int_param(params.get("district")),
        school=int_param(params.get("school")),
        category=choice_param(params.get("category"), Category),
        key_place=choice_param(params.get("key_place"), KeyPlace),
        severity=choice_param(params.get("severity"), Severity),
        state=choice_param(params.get("state"), HazardState),
        overdue=flag_param(params.get("overdue")),
        listed=flag_param(params.get("listed")),
        q=params.get("q", "").strip()[:100],
        reported_from=date_param(params.get("reported_from")),
        reported_to=date_param(params.get("reported_to")),
        reporter=params.get("reporter", "").strip()[:150],
        sort=choice_param(params.get("sort"), SORTS, default="reported"),
    )


@login_required
def home(request):
    # The per-role home page (tasks and deadlines) belongs to the workflows app, which knows the tasks.
    return redirect("workflows:home")


@login_required
def ledger(request):
    filters = ledger_filters_from(request.GET)
    page = ledger_page(ledger_for(request.user, filters), request.GET.get("page"))
    units = org_units_visible_to(request.user)
    query = request.GET.copy()
    query.pop("page", None)
    districts = list(units.filter(kind=OrgKind.DISTRICT).order_by("name").values_list("pk", "name"))
    schools = _school_choices(units, filters)
    return render(
        request,
        "casework/ledger.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "districts": districts,
            "district_options": _options(districts, filters.district),
            "schools": schools,
            "school_options": _options(schools, filters.school),
            "categories": Category.choices,
            "key_places": KeyPlace.choices,
            "severities": Severity.choices,
            "states": HazardState.choices,
            "sorts": [(key, label) for key, label in SORT_CHOICES],
        },
    )


# A city holds thousands of schools: listing them all in the filter made the page ~150 KB and most of its
# rendering time (issue 10). Beyond this many, the school list waits for a district to be chosen.
SCHOOL_CHOICES_MAX = 400


def _school_choices(units, filters: LedgerFilters) -> list[tuple[int, str]]:
    """(pk, name) of the schools the filter lists: one query of at most SCHOOL_CHOICES_MAX + 1 rows."""
    schools = units.filter(kind=OrgKind.SCHOOL).order_by("name")
    if filters.district:
        schools = schools.filter(district_id=filters.district)
    choices = list(schools.values_list("pk", "name")[: SCHOOL_CHOICES_MAX + 1])
    return choices if len(choices) <= SCHOOL_CHOICES_MAX else []


def _options(choices, selected) -> str:
    """The <option>s of a filter over org units (integer keys, escaped names), built in one pass: a template
    loop over a district's 300 schools was about half of the ledger page's rendering time (issue 10)."""
    return mark_safe(
        "".join(
            f'<option value="{int(pk)}"{" selected" if pk == selected else ""}>{html.escape(str(name))}</option>'
            for pk, name in choices
        )
    )


SORT_CHOICES = [
    ("reported", "上报时间（新→旧）"),
    ("reported_asc", "上报时间（旧→新）"),
    ("deadline", "整改时限（近→远）"),
    ("deadline_desc", "整改时限（远→近）"),
    ("state", "状态"),
]


@login_required
@require_GET
def ledger_export(request):
    """The filtered ledger as Excel, streamed from a write-only workbook; the filters head the sheet."""
    filters = ledger_filters_from(request.GET)
    # Logged before the bytes are made: an export is on record even if the download then fails.
    record_export(
        "export", kind=AuditEventKind.LEDGER_EXPORTED, subject="hazard-ledger", params=filters, request=request
    )
    out = write_ledger_xlsx(ledger_for(request.user, filters), filters, user=request.user)
    name = f"隐患台账-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(
        out,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# ---- the transition forms ----------------------------------------------------------------------
def _submit(request, form, *, action: str):
    """Claim the form's one-time token and perform the action in one transaction.

    Returns the service's result, or None with the form carrying the refusal (every typed field kept).
    Raises DuplicateSubmission when this very form was already performed.
    """
    try:
        with transaction.atomic():
            form_submission_claim(token=form.cleaned_data["form_token"], actor=request.user, action=action)
            return form.perform()
    except TransitionRefused as refusal:
        for name, message in refusal.fields.items():
            name = FIELD_ALIASES.get(name, name)
            if name in form.fields and name not in form.errors:
                form.add_error(name, message)
        form.add_error(None, refusal.message)
        return None


WEEKDAYS = "一二三四五六日"


def _announce_deadline(request, hazard) -> None:
    """After a deadline was set: the resulting date (and its basis), and the uncovered-year warning."""
    if hazard.deadline is None:
        return
    text = f"整改时限为 {hazard.deadline:%Y-%m-%d}（星期{WEEKDAYS[hazard.deadline.weekday()]}）"
    if hazard.deadline_working_days:
        text += f"，即 {hazard.deadline_working_days} 个工作日内"
    messages.info(request, text + "。")
    warning = getattr(hazard, "deadline_warning", "")
    if warning:
        messages.warning(request, warning)


def _refusal_before_form(user, action: str, hazard) -> str | None:
    """Why the user cannot open this form now (wrong state, role or scope), or None."""
    if not action_allowed_from(action, hazard.state):
        return wrong_state_message(hazard, action)
    try:
        acting_membership(user, action, hazard)
    except TransitionRefused as refusal:
        return refusal.message
    return None


@login_required
def hazard_report(request):
    """Report a hazard: school, what and where (key place), photos."""
    if not schools_reportable_by(request.user).exists():
        return render(
            request, "casework/action_form.html", {"refusal": "您的角色不能上报隐患。", "title": "上报隐患"}, status=403
        )
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            try:
                hazard = _submit(request, form, action="report")
            except DuplicateSubmission:
                messages.info(request, "该表单已提交过，未重复上报。")
                return redirect("casework:ledger")
            if hazard is not None:
                messages.success(request, f"已上报隐患 #{hazard.pk}。")
                return redirect(hazard)
    else:
        form = ReportForm(user=request.user)
    return render(request, "casework/action_form.html", {"form": form, "title": form.title}, status=_status(form))


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


@login_required
def hazard_action(request, pk: int, action: str):
    """One form per transition; the service decides, the form shows its refusal in Chinese."""
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        raise Http404
    hazard = hazard_get_for_user_or_404(request.user, pk)
    context = {"hazard": hazard, "action": action, "title": ACTIONS[action].label}
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, hazard=hazard, user=request.user)
        if form.is_valid():
            try:
                result = _submit(request, form, action=action)
            except DuplicateSubmission:
                messages.info(request, "该表单已提交过，未重复办理。")
                return redirect(hazard)
            if result is not None:
                messages.success(request, f"已{ACTIONS[action].label}。")
                if action in DEADLINE_ACTIONS:
                    _announce_deadline(request, result)
                return redirect(hazard)
        return render(
            request, "casework/action_form.html", {**context, "form": form, "title": form.title}, status=_status(form)
        )
    refusal = _refusal_before_form(request.user, action, hazard)
    if refusal:
        return render(request, "casework/action_form.html", {**context, "refusal": refusal}, status=403)
    form = form_class(hazard=hazard, user=request.user)
    return render(request, "casework/action_form.html", {**context, "form": form, "title": form.title})


@login_required
def hazard_detail(request, pk: int):
    hazard = hazard_get_for_user_or_404(request.user, pk)
    transitions = list(hazard.transitions.select_related("actor", "actor_unit").prefetch_related("evidence"))
    reader = PayloadReader(t.payload for t in transitions)
    history = hazard.history.select_related("history_user").order_by("history_date")
    actions = [(name, ACTIONS[name].label) for name in HAZARD_ACTIONS if can(request.user, name, hazard)]
    return render(
        request,
        "casework/hazard_detail.html",
        {
            "hazard": hazard,
            "transitions": [(t, reader.lines(t.payload, skip=TIMELINE_SKIP)) for t in transitions],
            "history": history,
            "evidence": hazard.evidence.all(),
            "available_actions": actions,
            **_listing_context(request.user, hazard),
        },
    )


def _listing_context(user, hazard) -> dict:
    """The hazard's listed supervisions (挂牌督办) and whether the user may list it (casework.access decides)."""
    listings = list(
        listings_visible_to(user).filter(hazard=hazard).select_related("authority").order_by("-listed_on", "-pk")
    )
    for item in listings:
        item.hazard = hazard
    can_list = False
    if hazard.is_major and hazard.state in LISTABLE_STATES:
        taken = {item.level for item in listings if item.state == ListingState.ACTIVE}
        can_list = any(level not in taken for level in listing_levels_for(user, hazard))
    return {"listings": listings, "can_list": can_list}


# The hazard's own title and school head the page; the rework flag is the record's name already.
TIMELINE_SKIP = ("title", "school", "rework")


@login_required
def evidence_file(request, pk: int):
    """Evidence is served only to users who may see its hazard."""
    evidence = get_object_or_404(Evidence.objects.select_related("hazard"), pk=pk)
    if not hazards_visible_to(request.user).filter(pk=evidence.hazard_id).exists():
        raise Http404
    response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response
