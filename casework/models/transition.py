"""The event log: one append-only, hash-chained record per transition or recorded decision."""

from django.conf import settings
from django.db import models

from casework.rules.lifecycle import record_label

from .hazard import Hazard, HazardState
from .org import OrgUnit, Role


class AppendOnlyError(Exception):
    """Audit records are never changed or removed; a correction is a new record."""


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk changes are refused too: QuerySet.update() and .delete() bypass the model's save and delete."""

    noun = "记录"

    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.noun}只能追加，不能修改。")

    def delete(self):
        raise AppendOnlyError(f"{self.noun}只能追加，不能删除。")


class TransitionQuerySet(AppendOnlyQuerySet):
    noun = "流转记录"


class AuditChainHead(models.Model):
    """The tip of one hash chain. Chains are per district: no global sequence in the hot path."""

    chain = models.CharField(max_length=80, unique=True)
    seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = "审计链"
        verbose_name_plural = "审计链"

    def __str__(self) -> str:
        return f"{self.chain} #{self.seq}"


class HazardTransition(models.Model):
    hazard = models.ForeignKey(Hazard, verbose_name="隐患", on_delete=models.PROTECT, related_name="transitions")
    district = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("操作", max_length=40)
    from_state = models.CharField("原状态", max_length=20, choices=HazardState.choices, blank=True)
    to_state = models.CharField("新状态", max_length=20, choices=HazardState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, related_name="+"
    )
    actor_role = models.CharField("角色", max_length=20, choices=Role.choices)
    actor_unit = models.ForeignKey(OrgUnit, verbose_name="操作单位", on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField("发生时间")
    recorded_at = models.DateTimeField("录入时间")
    comment = models.TextField("说明", blank=True)
    payload = models.JSONField("内容", default=dict, blank=True)
    # Tamper evidence: each record's hash covers its content and the previous record's hash.
    seq = models.PositiveBigIntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = TransitionQuerySet.as_manager()

    class Meta:
        verbose_name = "流转记录"
        verbose_name_plural = "流转记录"
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["hazard", "occurred_at"], name="transition_hazard_time"),
            models.Index(fields=["district", "occurred_at"], name="transition_district_time"),
            models.Index(fields=["actor", "occurred_at"], name="transition_actor_time"),
            # The party committee's scope: the district's escalated hazards (casework.access).
            models.Index(
                fields=["district", "hazard"], name="transition_escalations", condition=models.Q(name="escalate")
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["district", "seq"], name="transition_unique_chain_position"),
        ]

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.name} {self.from_state}→{self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("流转记录只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("流转记录只能追加，不能删除。")

    @property
    def label(self) -> str:
        return record_label(self.name)
