"""Thin views: authenticate, scope through casework.access, call a selector or a service, render."""
from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render

from .access import can, hazard_get_for_user_or_404, hazards_visible_to, org_units_visible_to
from .models import Category, Evidence, HazardState, KeyPlace, OrgKind, Severity
from .selectors.ledger import SORTS, LedgerFilters, ledger_for
from .services.transitions import SOURCES


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def ledger_filters_from(params) -> LedgerFilters:
    """Read the ledger's filters from a query string; a malformed value is ignored, not a 500."""
    def choice(name, choices):
        value = params.get(name, "")
        return value if value in choices.values else ""

    return LedgerFilters(
        district=_int(params.get("district")),
        school=_int(params.get("school")),
        category=choice("category", Category),
        key_place=choice("key_place", KeyPlace),
        severity=choice("severity", Severity),
        state=choice("state", HazardState),
        overdue=params.get("overdue") in ("1", "on", "true"),
        q=params.get("q", "").strip()[:100],
        reported_from=_date(params.get("reported_from")),
        reported_to=_date(params.get("reported_to")),
        sort=params.get("sort") if params.get("sort") in SORTS else "reported",
    )


@login_required
def home(request):
    return redirect("casework:ledger")


@login_required
def ledger(request):
    filters = ledger_filters_from(request.GET)
    page = Paginator(ledger_for(request.user, filters), 50).get_page(request.GET.get("page"))
    units = org_units_visible_to(request.user)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "casework/ledger.html", {
        "page": page,
        "filters": filters,
        "query": query.urlencode(),
        "districts": units.filter(kind=OrgKind.DISTRICT).order_by("name"),
        "schools": units.filter(kind=OrgKind.SCHOOL).order_by("name"),
        "categories": Category.choices,
        "key_places": KeyPlace.choices,
        "severities": Severity.choices,
        "states": HazardState.choices,
    })


@login_required
def hazard_detail(request, pk: int):
    hazard = hazard_get_for_user_or_404(request.user, pk)
    transitions = hazard.transitions.select_related("actor", "actor_unit").prefetch_related("evidence")
    history = hazard.history.select_related("history_user").order_by("history_date")
    actions = [name for name in SOURCES if can(request.user, name, hazard)]
    return render(request, "casework/hazard_detail.html", {
        "hazard": hazard,
        "transitions": transitions,
        "history": history,
        "evidence": hazard.evidence.all(),
        "available_actions": actions,
    })


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
