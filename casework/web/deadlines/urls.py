from django.urls import path

from . import views

app_name = "deadlines"
urlpatterns = [
    path("statistics/time-to-fix/", views.time_to_fix, name="time_to_fix"),
    path("deadlines/preview/", views.deadline_preview, name="preview"),
]
