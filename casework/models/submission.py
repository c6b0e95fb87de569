"""One-time form tokens: a form posted twice (a double click, a resend) performs its action once."""

from django.conf import settings
from django.db import models


class FormSubmission(models.Model):
    token = models.CharField("表单令牌", max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField("操作", max_length=40)
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)

    class Meta:
        verbose_name = "表单提交"
        verbose_name_plural = "表单提交"

    def __str__(self) -> str:
        return f"{self.action} {self.token}"
