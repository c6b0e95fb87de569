from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from casework.errors import TransitionRefused
from casework.services.deadlines import holiday_overrides_import, holiday_workbook_template


class Command(BaseCommand):
    help = (
        "Import holidays and make-up workdays from an Excel sheet (columns 日期, 类型 放假/上班, 名称, 依据) "
        "as the city_admin named by --user; all rows or, on any error, none. --template FILE writes an empty sheet."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx file to import (or to write, with --template)")
        parser.add_argument("--user", help="username of the city_admin who imports (recorded in the history)")
        parser.add_argument("--template", action="store_true", help="write an empty import sheet to FILE instead")

    def handle(self, *args, file, user=None, template=False, **options):
        path = Path(file)
        if template:
            path.write_bytes(holiday_workbook_template())
            self.stdout.write(f"已生成导入模板：{path}")
            return
        if not user:
            raise CommandError("请用 --user 指定执行导入的市级管理员用户名。")
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"用户不存在：{user}")
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            with path.open("rb") as handle:
                result = holiday_overrides_import(actor=actor, file=handle, filename=path.name)
        except TransitionRefused as refused:
            raise CommandError(refused.message) from None
        self.stdout.write(f"导入完成。{result.summary()}")
