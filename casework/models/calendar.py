"""The working-day calendar's local knowledge: holidays and make-up workdays city_admin maintains."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class HolidayOverride(models.Model):
    """One day whose status city_admin states: a holiday (放假) or a make-up workday (调休上班).

    It wins over the ``chinese-calendar`` package, and for a year the package does not cover it is
    the only source: any override in such a year marks the year as maintained (no warning). Nothing
    is deleted; a correction is an edit, which the history keeps.
    """

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("上班", help_text="勾选：调休上班；不勾选：放假休息")
    name = models.CharField("名称", max_length=60, help_text="如：春节、国庆节、春节调休上班")
    source = models.CharField(
        "依据", max_length=200, blank=True, help_text="如：国务院办公厅关于2027年部分节假日安排的通知"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="最后修改人", on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField("最后修改时间", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "节假日调整"
        verbose_name_plural = "节假日调整"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}（{'上班' if self.is_workday else '放假'}）"
