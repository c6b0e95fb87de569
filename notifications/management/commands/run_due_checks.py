"""Run the registered due checks (deadline reminders, …) once. Safe to run twice or in parallel."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from notifications.due import registered_checks, run_due_checks


class Command(BaseCommand):
    help = "执行到期检查（整改时限临近、超期等提醒），可重复执行，不会重复提醒"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="check as of this day (YYYY-MM-DD); default today, Asia/Shanghai")
        parser.add_argument("--only", action="append", help="run only this check (repeatable)")

    def handle(self, *args, date=None, only=None, **options):
        today = None
        if date:
            try:
                today = _parse(date)
            except ValueError:
                raise CommandError("日期格式应为 YYYY-MM-DD") from None
        names = registered_checks()
        unknown = [n for n in only or () if n not in names]
        if unknown:
            raise CommandError(f"未知的检查：{', '.join(unknown)}（可用：{', '.join(sorted(names))}）")
        results = run_due_checks(today=today, only=only)
        for name, count in results.items():
            self.stdout.write(f"{name}: {'失败，见日志' if count < 0 else f'新提醒 {count} 条'}")
        if any(count < 0 for count in results.values()):
            raise CommandError("有检查执行失败")


def _parse(value: str) -> date:
    return date.fromisoformat(value)
