"""Operators see deliveries (the failed ones first of all) and can requeue them; nothing is deleted here.

Titles and bodies are not shown: they may name sensitive hazards; the recipient's inbox shows them.
"""

from django.contrib import admin, messages

from .models import ChannelPreference, Delivery, DeliveryAttempt
from .services import deliveries_requeue


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ["number", "worker", "started_at", "finished_at", "outcome", "error"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "recipient",
        "event",
        "channel",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    ]
    list_filter = ["status", "channel"]
    search_fields = ["notification__recipient__username", "idempotency_key"]
    fields = [
        "recipient",
        "event",
        "channel",
        "address",
        "status",
        "attempts",
        "next_attempt_at",
        "lease_until",
        "last_error",
        "sent_at",
        "idempotency_key",
        "created_at",
    ]
    readonly_fields = fields
    inlines = [DeliveryAttemptInline]
    actions = ["requeue"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("notification__recipient")

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff and super().has_view_permission(request, obj)

    @admin.display(description="接收人")
    def recipient(self, obj):
        return obj.notification.recipient

    @admin.display(description="事件")
    def event(self, obj):
        return obj.notification.event

    @admin.action(description="重新投递所选的失败通知")
    def requeue(self, request, queryset):
        count = deliveries_requeue(actor=request.user, delivery_ids=queryset.values_list("pk", flat=True))
        messages.success(request, f"已重新排队 {count} 条。")

    def get_actions(self, request):
        # Our own action needs only view access; the admin would otherwise demand change permission.
        return {name: value for name, value in super().get_actions(request).items() if name == "requeue"}


@admin.register(ChannelPreference)
class ChannelPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "channel", "enabled", "address", "updated_at"]
    list_filter = ["channel", "enabled"]
    search_fields = ["user__username"]
