"""python manage.py bench: every hot path against its raw-SQL floor (see tools/bench/run.py)."""

from django.core.management.base import BaseCommand

from casework.models import Hazard
from tools.bench.generate import generate_province
from tools.bench.run import render_table, run_bench


class Command(BaseCommand):
    help = "性能基准：流转、台账页、Excel 导出、附件2 及其 PDF，各与同次测得的 SQL 底线对比"

    def add_arguments(self, parser):
        parser.add_argument(
            "--hazards", type=int, default=0, help="库中隐患少于此数时先运行 generate_province 补足（0：不生成）"
        )
        parser.add_argument("--schools", type=int, default=300)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--repeats", type=int, default=7)
        parser.add_argument("--clients", type=int, default=4, help="并发流转的客户端数（仅 PostgreSQL）")
        parser.add_argument("--per-client", type=int, default=20)
        parser.add_argument("--export-rows", type=int, default=50000, help="Excel 导出较大一档的行数上限")

    def handle(self, *args, hazards, schools, seed, repeats, clients, per_client, export_rows, **options):
        have = Hazard.objects.count()
        if hazards > have:
            self.stdout.write(f"库中有 {have} 条隐患，生成 {hazards - have} 条（{schools} 所学校）…")
            generate_province(
                schools=schools, hazards=hazards - have, seed=seed, progress=lambda m: self.stdout.write(m)
            )
        report = run_bench(
            repeats=repeats,
            clients=clients,
            per_client=per_client,
            export_rows=export_rows,
            say=lambda m: self.stderr.write(m),
        )
        self.stdout.write(render_table(report))
