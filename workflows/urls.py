from django.urls import path

from . import views
from .task_views import TaskView

app_name = "workflows"
urlpatterns = [
    path("", views.home, name="home"),
    path("inbox/", views.inbox, name="inbox"),
    path("queue/", views.queue, name="queue"),
    path("archive/", views.archive, name="archive"),
    path("<int:task_pk>/", views.task_detail, name="task"),
    path("<int:task_pk>/open/", TaskView.as_view(), name="task_open"),
    path("<int:task_pk>/take/", views.take, name="take"),
    path("<int:task_pk>/release/", views.release, name="release"),
    path("<int:task_pk>/reassign/", views.reassign, name="reassign"),
]
