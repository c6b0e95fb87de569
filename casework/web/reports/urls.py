from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("render/", views.render_download, name="render"),
    path("statistics/", views.statistics, name="statistics"),
]
