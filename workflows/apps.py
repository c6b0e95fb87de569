from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "workflows"
    verbose_name = "任务流程"

    def ready(self):
        # casework calls this after every transition; it never imports workflows itself.
        from casework.services.hooks import register_after_transition

        from . import checks  # noqa: F401 — registers the viewflow version check
        from .sync import after_transition

        register_after_transition("workflows.sync", after_transition)
