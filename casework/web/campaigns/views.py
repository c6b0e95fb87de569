"""Campaign pages: thin views that scope through casework.access, validate a form and call one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from casework.access import (
    INSPECTION_ROLES,
    campaign_get_for_user_or_404,
    campaigns_visible_to,
    can_confirm_return,
    can_fill_return,
    can_manage_campaigns,
    can_record_inspection,
    can_see_sensitive,
    hazards_visible_to,
    inspecting_membership,
    inspection_get_for_user_or_404,
    inspections_visible_to,
    memberships_of,
    org_units_visible_to,
    return_get_for_user_or_404,
    returns_visible_to,
    roles_of,
)
from casework.errors import TransitionRefused
from casework.models import InspectionKind, KeyPlace, OrgKind, ResultOutcome, Role
from casework.reports.links import campaign_report_links
from casework.selectors.campaigns import (
    campaign_checklist,
    campaign_progress,
    current_phase,
    return_hazard_counts,
    return_side_for,
)
from casework.services import campaigns as svc

from .forms import CampaignForm, InspectionHeaderForm, PolicePartForm, SchoolPartForm, SendBackForm


def _refused(request, form, exc: TransitionRefused) -> None:
    messages.error(request, exc.message)
    if form is not None:
        for name, text in exc.fields.items():
            form.add_error(name if name in form.fields else None, text)


@login_required
def campaign_list(request):
    campaigns = campaigns_visible_to(request.user).prefetch_related("phases")
    rows = [(c, current_phase(c)) for c in campaigns]
    return render(
        request, "casework/campaign_list.html", {"rows": rows, "can_create": can_manage_campaigns(request.user)}
    )


@login_required
def campaign_create(request):
    if not can_manage_campaigns(request.user):
        raise Http404
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        phases = [svc.PhaseInput(d[f"phase_{i}_name"], d[f"phase_{i}_due"]) for i in range(1, form.PHASES + 1)]
        try:
            campaign = svc.campaign_create(
                actor=request.user,
                name=d["name"],
                issuing_document=d["issuing_document"],
                document_number=d["document_number"],
                issued_by=d["issued_by"],
                description=d["description"],
                starts_on=d["starts_on"],
                ends_on=d["ends_on"],
                statistics_cutoff=d["statistics_cutoff"],
                report_due=d["report_due"],
                phases=phases,
                checklist_category_ids=[c.pk for c in d["checklist_categories"]] or None,
            )
        except TransitionRefused as exc:
            _refused(request, form, exc)
        else:
            messages.success(request, "专项整治已创建。")
            return redirect(campaign)
    return render(request, "casework/campaign_form.html", {"form": form})


def _inspection_kinds(user) -> list[str]:
    roles = roles_of(user)
    return [k for k in InspectionKind.values if roles & INSPECTION_ROLES[k]]


def _inspectable_schools(user, campaign) -> list:
    kinds = _inspection_kinds(user)
    schools = (
        org_units_visible_to(user)
        .filter(kind=OrgKind.SCHOOL, city_id=campaign.city_id)
        .select_related("district")
        .order_by("district__name", "name")
    )
    result = []
    for school in schools:
        for kind in kinds:
            try:
                inspecting_membership(user, school, kind)
            except TransitionRefused:
                continue
            result.append(school)
            break
    return result


@login_required
def campaign_detail(request, pk: int):
    campaign = campaign_get_for_user_or_404(request.user, pk)
    inspections = (
        inspections_visible_to(request.user)
        .filter(campaign=campaign)
        .select_related("school", "district")
        .order_by("-inspected_on", "-id")
    )
    own_schools = [m.org_unit for m in memberships_of(request.user) if m.role == Role.SCHOOL_STAFF]
    return render(
        request,
        "casework/campaign_detail.html",
        {
            "campaign": campaign,
            "phases": campaign.phases.all(),
            "phase": current_phase(campaign),
            "progress": campaign_progress(request.user, campaign),
            "inspections": inspections[:200],
            "can_inspect": bool(_inspection_kinds(request.user)) and campaign.active,
            "own_schools": own_schools,
            "categories": campaign.checklist_categories.all(),
            "report_links": campaign_report_links(request.user, campaign),
        },
    )


def _results_from(post, checklist) -> list[svc.ResultInput]:
    results = []
    for _category, items in checklist:
        for item in items:
            outcome = post.get(f"outcome_{item.pk}", "")
            if outcome:
                results.append(
                    svc.ResultInput(item.pk, outcome, post.get(f"note_{item.pk}", ""), post.get(f"place_{item.pk}", ""))
                )
    return results


@login_required
def inspection_create(request, pk: int):
    campaign = campaign_get_for_user_or_404(request.user, pk)
    kinds = _inspection_kinds(request.user)
    if not kinds:
        raise Http404
    schools = _inspectable_schools(request.user, campaign)
    checklist = campaign_checklist(campaign)
    form = InspectionHeaderForm(
        request.POST or None, schools=schools, kinds=kinds, initial={"school": request.GET.get("school")}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        common = {
            "actor": request.user,
            "campaign_id": campaign.pk,
            "school_id": int(d["school"]),
            "kind": d["kind"],
            "inspectors": d["inspectors"],
            "inspected_on": d["inspected_on"],
            "key_places": d["key_places"],
        }
        try:
            if request.POST.get("action") == "plan":
                inspection = svc.inspection_plan(**common)
                messages.success(
                    request,
                    "检查已安排。"
                    + ("明查暗访在录入结果前学校不可见。" if d["kind"] == InspectionKind.UNANNOUNCED_VISIT else ""),
                )
            else:
                inspection = svc.inspection_conduct(
                    **common, results=_results_from(request.POST, checklist), summary=d["summary"]
                )
                messages.success(request, f"检查结果已录入，生成隐患 {inspection.hazards.count()} 条。")
        except TransitionRefused as exc:
            _refused(request, form, exc)
        else:
            return redirect(inspection)
    return render(
        request,
        "casework/inspection_form.html",
        {
            "campaign": campaign,
            "form": form,
            "checklist": checklist,
            "outcomes": ResultOutcome.choices,
            "key_places": KeyPlace.choices,
            "post": request.POST,
            "inspection": None,
        },
    )


@login_required
def inspection_detail(request, pk: int):
    inspection = inspection_get_for_user_or_404(request.user, pk)
    results = inspection.results.select_related("item", "item__category", "item__parent", "hazard")
    visible_hazards = set(hazards_visible_to(request.user).filter(inspection=inspection).values_list("pk", flat=True))
    recordable = can_record_inspection(request.user, inspection)
    checklist = campaign_checklist(inspection.campaign) if recordable else []
    if request.method == "POST":
        if not recordable:
            raise Http404
        try:
            svc.inspection_record(
                actor=request.user,
                inspection_id=inspection.pk,
                results=_results_from(request.POST, checklist),
                summary=request.POST.get("summary", ""),
                key_places=request.POST.getlist("key_places") or None,
            )
        except TransitionRefused as exc:
            _refused(request, None, exc)
        else:
            messages.success(request, "检查结果已录入。")
            return redirect(inspection)
    return render(
        request,
        "casework/inspection_detail.html",
        {
            "inspection": inspection,
            "results": results,
            "visible_hazards": visible_hazards,
            "recordable": recordable,
            "checklist": checklist,
            "outcomes": ResultOutcome.choices,
            "key_places": KeyPlace.choices,
            "post": request.POST,
        },
    )


@login_required
@require_POST
def return_open(request, pk: int):
    """The school staff opens (or finds) its return for the campaign."""
    campaign = campaign_get_for_user_or_404(request.user, pk)
    try:
        school_return = svc.return_start(
            actor=request.user, campaign_id=campaign.pk, school_id=int(request.POST.get("school", 0) or 0)
        )
    except TransitionRefused as exc:
        messages.error(request, exc.message)
        return redirect(campaign)
    return redirect(school_return)


@login_required
def return_detail(request, pk: int):
    school_return = return_get_for_user_or_404(request.user, pk)
    user = request.user
    fill, confirm = can_fill_return(user, school_return), can_confirm_return(user, school_return)
    school_form = SchoolPartForm(instance=school_return) if fill else None
    police_form = PolicePartForm(instance=school_return) if confirm else None
    send_back_form = SendBackForm() if confirm else None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action in ("save", "submit") and fill:
                school_form = SchoolPartForm(request.POST, instance=school_return)
                if school_form.is_valid():
                    fields = {n: school_form.cleaned_data[n] for n in school_form.Meta.fields}
                    service = svc.return_save if action == "save" else svc.return_submit
                    service(actor=user, return_id=school_return.pk, fields=fields)
                    messages.success(request, "已保存。" if action == "save" else "已提交，待属地派出所确认。")
                    return redirect(school_return)
            elif action == "confirm" and confirm:
                police_form = PolicePartForm(request.POST, instance=school_return)
                if police_form.is_valid():
                    fields = {n: police_form.cleaned_data[n] for n in police_form.Meta.fields}
                    svc.return_confirm(actor=user, return_id=school_return.pk, fields=fields)
                    messages.success(request, "派出所已确认。")
                    return redirect(school_return)
            elif action == "send_back" and confirm:
                send_back_form = SendBackForm(request.POST)
                if send_back_form.is_valid():
                    svc.return_send_back(
                        actor=user, return_id=school_return.pk, reason=send_back_form.cleaned_data["reason"]
                    )
                    messages.success(request, "已退回学校修改。")
                    return redirect(school_return)
            else:
                raise Http404
        except TransitionRefused as exc:
            _refused(request, school_form if action in ("save", "submit") else police_form, exc)
        school_return.refresh_from_db()
    return render(
        request,
        "casework/return_detail.html",
        {
            "r": school_return,
            "counts": return_hazard_counts(user, school_return),
            "counts_police_side": return_side_for(user) == "police",
            "show_sensitive": can_see_sensitive(user),
            "school_form": school_form,
            "police_form": police_form,
            "send_back_form": send_back_form,
            "history": school_return.history.select_related("history_user").order_by("history_date"),
            "report_links": campaign_report_links(
                user, school_return.campaign, school=school_return.school, district=school_return.district
            ),
        },
    )


@login_required
def return_list(request, pk: int):
    campaign = campaign_get_for_user_or_404(request.user, pk)
    returns = (
        returns_visible_to(request.user)
        .filter(campaign=campaign)
        .select_related("school", "district", "police_station")
        .order_by("district__name", "school__name")
    )
    return render(
        request,
        "casework/return_list.html",
        {"campaign": campaign, "returns": returns, "report_links": campaign_report_links(request.user, campaign)},
    )
