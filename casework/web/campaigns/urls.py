"""Campaigns, inspections and school returns. Their names live in the ``casework`` namespace with the
hazards' (``casework:campaign_detail``): config/urls.py includes both lists under it."""

from django.urls import path

from . import views

app_name = "casework"
urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/inspections/new/", views.inspection_create, name="inspection_create"),
    path("campaigns/<int:pk>/returns/", views.return_list, name="return_list"),
    path("campaigns/<int:pk>/returns/open/", views.return_open, name="return_open"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("returns/<int:pk>/", views.return_detail, name="return_detail"),
]
