"""The flow's process: one per hazard. It routes tasks; the hazard's state stays in casework."""

from django.db import models
from viewflow.workflow.models import Process

from casework.models import Hazard


class HazardProcess(Process):
    hazard = models.OneToOneField(
        Hazard, verbose_name="隐患", on_delete=models.PROTECT, related_name="workflow_process"
    )

    class Meta:
        verbose_name = "隐患整改流程"
        verbose_name_plural = "隐患整改流程"

    def __str__(self) -> str:
        return f"隐患整改流程 #{self.pk}（隐患 #{self.hazard_id}）"
