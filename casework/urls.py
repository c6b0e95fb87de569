from django.urls import path

from . import views, views_campaigns

app_name = "casework"
urlpatterns = [
    path("", views.home, name="home"),
    path("hazards/", views.ledger, name="ledger"),
    path("hazards/<int:pk>/", views.hazard_detail, name="hazard_detail"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence_file"),
    # Campaigns, inspections and school returns (casework/views_campaigns.py).
    path("campaigns/", views_campaigns.campaign_list, name="campaign_list"),
    path("campaigns/new/", views_campaigns.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views_campaigns.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/inspections/new/", views_campaigns.inspection_create, name="inspection_create"),
    path("campaigns/<int:pk>/returns/", views_campaigns.return_list, name="return_list"),
    path("campaigns/<int:pk>/returns/open/", views_campaigns.return_open, name="return_open"),
    path("inspections/<int:pk>/", views_campaigns.inspection_detail, name="inspection_detail"),
    path("returns/<int:pk>/", views_campaigns.return_detail, name="return_detail"),
]
