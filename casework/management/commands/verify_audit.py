"""Walk every audit hash chain and report the first altered record in each; exit 1 on any break."""

from django.core.management.base import BaseCommand

from casework.audit.chain import verify_all_chains


class Command(BaseCommand):
    help = "校验全部审计链（流转记录与审计事件），报告每条链中第一条被改动、删除或调换顺序的记录。"

    def handle(self, *args, **options):
        statuses = verify_all_chains()
        broken = [s for s in statuses if s.broken]
        for status in statuses:
            if status.broken:
                b = status.broken
                record = f"记录 id={b.record_id}" if b.record_id is not None else "链尾"
                self.stderr.write(f"BROKEN {status.chain} 第 {b.seq} 条（{record}）：{b.reason}")
            else:
                self.stdout.write(f"OK     {status.chain}：{status.records} 条记录，哈希链完整")
        if broken:
            self.stderr.write(f"审计链校验失败：{len(broken)} / {len(statuses)} 条链被改动。")
            raise SystemExit(1)
        self.stdout.write(f"审计链校验通过：{len(statuses)} 条链。")
