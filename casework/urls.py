from django.urls import path

from . import views

app_name = "casework"
urlpatterns = [
    path("", views.home, name="home"),
    path("hazards/", views.ledger, name="ledger"),
    path("hazards/<int:pk>/", views.hazard_detail, name="hazard_detail"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence_file"),
]
