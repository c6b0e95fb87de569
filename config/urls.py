from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("notifications/", include("notifications.urls")),
    path("tasks/", include("workflows.urls")),
    path("", include("casework.deadline_urls")),
    path("listings/", include("casework.listing_urls")),
    path("reports/", include("casework.reports.urls")),
    path("audit/", include("casework.audit.urls")),
    path("api/", include("casework.api.urls")),
    path("", include("casework.urls")),
]

handler404 = "casework.api.errors.not_found"
