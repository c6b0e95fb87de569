from django.core.management.base import BaseCommand

from casework.demo.changzhou import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Load the Changzhou demo data (idempotent) and print the demo accounts."

    def handle(self, *args, **options):
        accounts, created = seed_demo()
        self.stdout.write(f"演示数据已就绪：新建隐患 {created} 条。所有演示账号的密码：{DEMO_PASSWORD}")
        self.stdout.write(f"{'用户名':<22}{'角色':<14}单位")
        for a in accounts:
            self.stdout.write(f"{a.username:<24}{a.role:<12}{a.unit}")
