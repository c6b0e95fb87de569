from django.apps import AppConfig


class BenchConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tools.bench"
    label = "bench"
    verbose_name = "性能基准（开发工具）"
