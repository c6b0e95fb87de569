from django.core.management.base import BaseCommand
from django.utils import timezone

from casework.services.listing_checks import check_missing_progress_reports, raise_overdue_listings


class Command(BaseCommand):
    help = "Run the due checks (missed listing progress reports, overdue listings raised); safe to run twice."

    def handle(self, *args, **options):
        now = timezone.now()
        missed = check_missing_progress_reports(now)
        raised = raise_overdue_listings(now)
        self.stdout.write(f"督办进展逾期未报：新发现 {missed} 期；逾期挂牌上提市级：{raised} 件。")
