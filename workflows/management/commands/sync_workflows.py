from django.core.management.base import BaseCommand
from django.db import transaction

from casework.models import Hazard
from casework.services.transitions import lock_hazard
from workflows.models import HazardProcess
from workflows.sync import sync_hazard_process


class Command(BaseCommand):
    help = "Give every hazard its flow process and align open tasks with the state (idempotent)."

    def handle(self, *args, **options):
        started = 0
        for pk in Hazard.objects.order_by("pk").values_list("pk", flat=True).iterator():
            with transaction.atomic():
                hazard = lock_hazard(pk)  # same lock order as the transition services
                had = HazardProcess.objects.filter(hazard_id=pk).exists()
                sync_hazard_process(hazard)
                started += not had
        self.stdout.write(f"流程已同步；新建流程 {started} 个。")
