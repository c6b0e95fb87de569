from django.urls import path

from . import deadline_views

app_name = "deadlines"
urlpatterns = [
    path("statistics/time-to-fix/", deadline_views.time_to_fix, name="time_to_fix"),
    path("deadlines/preview/", deadline_views.deadline_preview, name="preview"),
]
