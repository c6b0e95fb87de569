from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .models import Delivery, DeliveryStatus, Notification
from .services import (
    PreferenceRefused,
    channel_preferences_of,
    channel_preferences_update,
    notification_mark_read,
    notifications_mark_all_read,
)


@login_required
def inbox(request):
    page = Paginator(Notification.objects.filter(recipient=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def mark_read(request, pk: int):
    notification_mark_read(user=request.user, notification_id=pk)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    count = notifications_mark_all_read(user=request.user)
    messages.success(request, f"已将 {count} 条通知标为已读。")
    return redirect("notifications:inbox")


@login_required
def channel_settings(request):
    """The user's own channels: which, and where to reach them. Only the user's own rows."""
    errors = {}
    if request.method == "POST":
        choices = {
            row["name"]: (
                request.POST.get(f"{row['name']}-enabled") == "on",
                request.POST.get(f"{row['name']}-address", ""),
            )
            for row in channel_preferences_of(request.user)
            if not row["always"]
        }
        try:
            channel_preferences_update(user=request.user, choices=choices)
        except PreferenceRefused as refused:
            errors = refused.fields
            messages.error(request, "未保存：" + str(refused))
        else:
            messages.success(request, "通知渠道设置已保存。")
            return redirect("notifications:settings")
    rows = channel_preferences_of(request.user)
    if errors:  # show what the user typed, not what is stored
        for row in rows:
            if not row["always"]:
                row["enabled"] = request.POST.get(f"{row['name']}-enabled") == "on"
                row["address"] = request.POST.get(f"{row['name']}-address", "")
                row["error"] = errors.get(row["name"], "")
    failed = (
        Delivery.objects.filter(notification__recipient=request.user, status=DeliveryStatus.FAILED)
        .select_related("notification")
        .order_by("-created_at")[:20]
    )
    return render(
        request, "notifications/settings.html", {"rows": rows, "failed": failed}, status=400 if errors else 200
    )
