"""The view behind each human node: it opens the casework form of the task's action.

The form calls the casework service; the service's after-transition hook completes this task
and lets the flow open the next one (see ``workflows.sync``).
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.views import View

from casework.access import hazard_get_for_user_or_404

from .nodes import primary_action
from .tasks import hazard_of, task_get_for_user_or_404


class TaskView(LoginRequiredMixin, View):
    def get(self, request, *args, **kwargs):
        task = task_get_for_user_or_404(request.user, kwargs["task_pk"])
        hazard = hazard_get_for_user_or_404(request.user, hazard_of(task).pk)
        return redirect("casework:hazard_action", pk=hazard.pk, action=primary_action(task.flow_task.name))
