"""The API's routes. New resources (listings, campaigns, inspections) register a viewset here."""
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from . import views

app_name = "api"

router = SimpleRouter()
router.register("org-units", views.OrgUnitViewSet, basename="org-unit")
router.register("hazards", views.HazardViewSet, basename="hazard")
router.register("notifications", views.NotificationViewSet, basename="notification")
router.register("auth/tokens", views.DeviceTokenViewSet, basename="device-token")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("evidence/<int:pk>/file/", views.EvidenceFileView.as_view(), name="evidence-file"),
    path("", include(router.urls)),
]
