from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from casework.web.campaigns import urls as campaign_urls
from casework.web.hazards import urls as hazard_urls

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("notifications/", include("notifications.urls")),
    path("tasks/", include("workflows.urls")),
    path("", include("casework.web.deadlines.urls")),
    path("listings/", include("casework.web.listings.urls")),
    path("reports/", include("casework.web.reports.urls")),
    path("audit/", include("casework.web.audit.urls")),
    path("api/", include("casework.api.urls")),
    # One namespace, two areas: casework:hazard_detail and casework:campaign_detail.
    path("", include((hazard_urls.urlpatterns + campaign_urls.urlpatterns, "casework"))),
]

handler404 = "casework.api.errors.not_found"
