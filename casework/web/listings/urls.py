from django.urls import path

from . import views

app_name = "listings"
urlpatterns = [
    path("", views.listing_ledger, name="ledger"),
    path("export.xlsx", views.listing_export, name="export"),
    path("new/", views.listing_create, name="create"),
    path("<int:pk>/", views.listing_detail, name="detail"),
    path("<int:pk>/progress/", views.listing_progress, name="progress"),
    path("<int:pk>/remind/", views.listing_remind, name="remind"),
    path("<int:pk>/delist/", views.listing_delist, name="delist"),
]
