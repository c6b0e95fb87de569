"""python manage.py generate_province --schools N --hazards M [--seed S]: a province of data, in bulk."""

from django.core.management.base import BaseCommand, CommandError

from casework.audit.chain import verify_hazard_chains
from tools.bench.generate import generate_province


class Command(BaseCommand):
    help = "生成省级规模的测试数据（批量写入：隐患、历史、哈希链流转记录、单位和用户）"

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, default=300)
        parser.add_argument("--hazards", type=int, default=10000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--days", type=int, default=365, help="隐患上报时间分布在最近多少天内")
        parser.add_argument("--verify", action="store_true", help="生成后逐条校验哈希链（百万级需数分钟）")

    def handle(self, *args, schools, hazards, seed, days, verify, **options):
        if schools < 1 or hazards < 0:
            raise CommandError("学校数须至少为 1，隐患数不能为负。")
        p = generate_province(
            schools=schools, hazards=hazards, seed=seed, days=days, progress=lambda msg: self.stdout.write(msg)
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"完成：{len(p.schools)} 校，{p.hazards} 条隐患，{p.transitions} 条流转记录，"
                f"用时 {p.seconds['total']:.1f} 秒（其中隐患 {p.seconds['hazards']:.1f} 秒）"
            )
        )
        if verify:
            breaks = verify_hazard_chains()
            if breaks:
                raise CommandError(f"哈希链校验失败：{breaks[0]}")
            self.stdout.write(self.style.SUCCESS("哈希链校验通过。"))
