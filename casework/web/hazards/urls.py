from django.urls import path

from . import views

app_name = "casework"
urlpatterns = [
    path("", views.home, name="home"),
    path("hazards/", views.ledger, name="ledger"),
    path("hazards/export.xlsx", views.ledger_export, name="ledger_export"),
    path("hazards/new/", views.hazard_report, name="hazard_report"),
    path("hazards/<int:pk>/", views.hazard_detail, name="hazard_detail"),
    path("hazards/<int:pk>/<slug:action>/", views.hazard_action, name="hazard_action"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence_file"),
]
