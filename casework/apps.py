from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "casework"
    verbose_name = "隐患整改"

    def ready(self):
        from . import security  # noqa: F401 — connects the security-log receivers
