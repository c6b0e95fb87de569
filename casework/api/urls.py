"""The API's routes. New resources (listings, campaigns, inspections) register a viewset here."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from .campaigns import views as campaign_views
from .hazards import views
from .listings import views as listing_views

app_name = "api"

router = SimpleRouter()
router.register("org-units", views.OrgUnitViewSet, basename="org-unit")
router.register("hazards", views.HazardViewSet, basename="hazard")
router.register("notifications", views.NotificationViewSet, basename="notification")
router.register("auth/tokens", views.DeviceTokenViewSet, basename="device-token")
router.register("listings", listing_views.ListingViewSet, basename="listing")
router.register("campaigns", campaign_views.CampaignViewSet, basename="campaign")
router.register("inspections", campaign_views.InspectionViewSet, basename="inspection")
router.register("school-returns", campaign_views.SchoolReturnViewSet, basename="school-return")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI sets inline style attributes; scripts stay 'self' only (the split view serves its init script).
    path(
        "docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path("evidence/<int:pk>/file/", views.EvidenceFileView.as_view(), name="evidence-file"),
    path("", include(router.urls)),
]
