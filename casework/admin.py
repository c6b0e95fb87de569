"""The admin: scoped like every other path; the state is read-only, and nothing is deleted here."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import deadline_admin  # noqa: F401  (registers the holiday overrides' admin)
from .access import campaigns_visible_to, can_manage_campaigns, hazards_visible_to, listings_visible_to
from .access.audit import audit_events_visible_to
from .models import (
    AuditEvent,
    Campaign,
    CampaignPhase,
    ChecklistCategory,
    ChecklistItem,
    Evidence,
    Hazard,
    HazardTransition,
    Listing,
    Membership,
    OrgUnit,
)


class NoDeleteMixin:
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OrgUnit)
class OrgUnitAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "district", "school_kind", "police_station"]
    list_filter = ["kind", "school_kind", "district"]
    search_fields = ["name", "code"]
    raw_id_fields = ["parent", "police_station"]
    exclude = ["city", "district"]


@admin.register(Membership)
class MembershipAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["user", "org_unit", "role", "active"]
    list_filter = ["role", "active"]
    search_fields = ["user__username", "org_unit__name"]
    raw_id_fields = ["user", "org_unit"]


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    can_delete = False
    fields = ["original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Hazard)
class HazardAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["id", "title", "school", "severity", "state", "deadline", "reported_at"]
    list_filter = ["state", "severity", "category", "key_place", "sensitive"]
    search_fields = ["title", "description"]
    date_hierarchy = "reported_at"
    inlines = [EvidenceInline]
    # The state and everything a transition sets are written only by casework.services.
    readonly_fields = [
        "state",
        "school",
        "district",
        "city",
        "reported_by",
        "reported_at",
        "deadline",
        "deadline_basis",
        "deadline_working_days",
        "responsible_person",
        "responsible_phone",
        "measures",
        "funding",
        "contingency_plan",
        "temporary_measures",
        "rectification",
        "verification_result",
        "created_at",
        "inspection",
        "checklist_item",
    ]
    history_list_display = ["state", "deadline"]

    def get_queryset(self, request):
        # Scoped like every other path, superusers included: the admin is not a back door.
        return hazards_visible_to(request.user).select_related("school")

    def has_add_permission(self, request):
        return False  # hazards are reported through the service, which records the report

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        obj._change_reason = "admin_edit"
        super().save_model(request, obj, form, change)


@admin.register(HazardTransition)
class HazardTransitionAdmin(admin.ModelAdmin):
    list_display = ["hazard", "name", "from_state", "to_state", "actor", "occurred_at", "recorded_at"]
    list_filter = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(hazard__in=hazards_visible_to(request.user))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# ---- the checklist catalogue and campaigns: the city administrator edits them here ----------------
class CityAdminOnlyMixin(NoDeleteMixin):
    """Only the city administrator (casework.access) changes the catalogue and campaigns; history keeps every edit."""

    def has_module_permission(self, request):
        return can_manage_campaigns(request.user)

    def has_view_permission(self, request, obj=None):
        return can_manage_campaigns(request.user)

    def has_change_permission(self, request, obj=None):
        return can_manage_campaigns(request.user)

    def has_add_permission(self, request, obj=None):
        return can_manage_campaigns(request.user)

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        obj._change_reason = "admin_edit"
        super().save_model(request, obj, form, change)


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    can_delete = False
    fields = ["number", "position", "text", "parent", "hazard_category", "key_place", "active"]
    raw_id_fields = ["parent"]

    def has_add_permission(self, request, obj=None):
        return can_manage_campaigns(request.user)

    def has_change_permission(self, request, obj=None):
        return can_manage_campaigns(request.user)

    def has_view_permission(self, request, obj=None):
        return can_manage_campaigns(request.user)


@admin.register(ChecklistCategory)
class ChecklistCategoryAdmin(CityAdminOnlyMixin, SimpleHistoryAdmin):
    list_display = ["__str__", "source", "position", "hazard_category", "active"]
    list_filter = ["source", "active"]
    inlines = [ChecklistItemInline]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(CityAdminOnlyMixin, SimpleHistoryAdmin):
    list_display = ["label", "text", "category", "hazard_category", "active"]
    list_filter = ["category", "active"]
    search_fields = ["text"]
    raw_id_fields = ["parent"]


class CampaignPhaseInline(admin.TabularInline):
    model = CampaignPhase
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return can_manage_campaigns(request.user)

    def has_change_permission(self, request, obj=None):
        return can_manage_campaigns(request.user)

    def has_view_permission(self, request, obj=None):
        return can_manage_campaigns(request.user)


@admin.register(Campaign)
class CampaignAdmin(CityAdminOnlyMixin, SimpleHistoryAdmin):
    list_display = ["name", "issuing_document", "starts_on", "ends_on", "statistics_cutoff", "report_due", "active"]
    filter_horizontal = ["checklist_categories"]
    exclude = ["city", "created_by"]
    inlines = [CampaignPhaseInline]

    def get_queryset(self, request):
        return campaigns_visible_to(request.user)

    def has_add_permission(self, request, obj=None):
        return False  # campaigns are created through the service (the "新建专项整治" page)


# ---- listed supervision (挂牌督办): read-only here; the listing services are the only writers -------------


@admin.register(Listing)
class ListingAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["id", "decision_number", "hazard", "level", "district", "state", "required_by", "raised_at"]
    list_filter = ["level", "state", "district"]
    search_fields = ["decision_number", "hazard__title"]
    raw_id_fields = ["hazard"]

    def get_queryset(self, request):
        return listings_visible_to(request.user).select_related("hazard", "district")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: audit events are appended by casework.audit.events and never changed."""

    list_display = ["occurred_at", "kind", "actor", "actor_role", "subject", "chain", "seq"]
    list_filter = ["kind", "actor_role"]
    search_fields = ["subject", "actor__username"]

    def get_queryset(self, request):
        # Scoped like every other path: a city's reviewers read their city's events, nobody else any.
        return audit_events_visible_to(request.user).select_related("actor")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
