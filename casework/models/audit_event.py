"""Audit events: security-relevant reads and exports (who looked at or took away what, and when).

Append-only and hash-chained like the transition records, on chains of their own (one per city),
so that an export or a review cannot be made to disappear from the record unseen.
"""

from django.conf import settings
from django.db import models

from .org import OrgUnit, Role
from .transition import AppendOnlyError, AppendOnlyQuerySet


class AuditEventKind(models.TextChoices):
    REVIEW_VIEWED = "review.viewed", "查看倒查报告"
    REVIEW_EXPORTED_PDF = "review.exported_pdf", "导出倒查报告（PDF）"
    REVIEW_EXPORTED_XLSX = "review.exported_xlsx", "导出倒查报告（Excel）"
    FINDINGS_VIEWED = "findings.viewed", "查看审计线索"
    HAZARD_AS_OF_VIEWED = "hazard.as_of_viewed", "查看隐患历史时点"
    CHAINS_VERIFIED = "chains.verified", "校验审计链"
    # Exports and rendered reports (issue 8): every copy of case data that leaves the service.
    LEDGER_EXPORTED = "ledger.exported", "导出隐患台账"
    LISTINGS_EXPORTED = "listings.exported", "导出挂牌督办台账"
    REPORT_RENDERED = "report.rendered", "生成报表"


class AuditEventQuerySet(AppendOnlyQuerySet):
    noun = "审计事件"


class AuditEvent(models.Model):
    chain = models.CharField("审计链", max_length=80)
    kind = models.CharField("事件", max_length=40, choices=AuditEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, related_name="+"
    )
    actor_role = models.CharField("角色", max_length=20, choices=Role.choices, blank=True)
    actor_unit = models.ForeignKey(
        OrgUnit, verbose_name="操作单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    occurred_at = models.DateTimeField("时间")
    subject = models.CharField("对象", max_length=200, blank=True)
    params = models.JSONField("参数", default=dict, blank=True)
    # Tamper evidence: each record's hash covers its content and the previous record's hash.
    seq = models.PositiveBigIntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["actor", "occurred_at"], name="auditevent_actor_time"),
            models.Index(fields=["kind", "occurred_at"], name="auditevent_kind_time"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="auditevent_unique_chain_position"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.actor} · {self.occurred_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("审计事件只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计事件只能追加，不能删除。")
