"""The hazard (隐患): one safety problem at one school or its surroundings, and its evidence."""

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin
from simple_history.models import HistoricalRecords

from casework.rules import lifecycle
from casework.rules.lifecycle import OPEN_STATES, OVERDUE_STATES, HazardState  # noqa: F401 (re-exported)

from .org import OrgUnit, SchoolPlacedMixin


class Severity(models.TextChoices):
    GENERAL = "general", "一般"
    MAJOR = "major", "重大"


class Urgency(models.TextChoices):
    URGENT = "urgent", "紧急"
    PRESSING = "pressing", "较急"
    NORMAL = "normal", "一般"


class KeyPlace(models.TextChoices):
    TEACHING_BUILDING = "teaching_building", "教学楼"
    LABORATORY = "laboratory", "实验室"
    TRAINING_SITE = "training_site", "实习实训场所"
    LIBRARY = "library", "图书馆"
    DORMITORY = "dormitory", "学生宿舍"
    CANTEEN = "canteen", "食堂"
    AUDITORIUM = "auditorium", "礼堂"
    GATE = "gate", "校门"
    SURROUNDINGS = "surroundings", "周边"
    OTHER = "other", "其他"


class Category(models.TextChoices):
    """Seed 004's seven inspection categories, plus seed 000's surroundings and stability items."""

    LAB_CHEMICALS = "lab_chemicals", "实验室及危险化学品"
    FIRE = "fire", "消防"
    SECURITY = "security", "治安防控"
    FOOD = "food", "食品"
    BUS_TRAFFIC = "bus_traffic", "校车及交通"
    BUILDING = "building", "建筑与施工"
    INTERNSHIP = "internship", "实习实训"
    SURROUNDINGS = "surroundings", "周边治安"
    STABILITY = "stability", "涉校不稳定因素"
    OTHER = "other", "其他"


class DeadlineBasis(models.TextChoices):
    DATE = "date", "指定日期"
    WORKING_DAYS = "working_days", "工作日"


# The transition methods (assign, verify, …) come from the lifecycle table: django-fsm checks each one's source
# states and sets its target; the services call them and own the lock, the checks and the save.
class Hazard(lifecycle.fsm_transitions("state"), FSMModelMixin, SchoolPlacedMixin, models.Model):
    # Where: the school and, denormalised for one-equality scoping, its district and city.
    school = models.ForeignKey(
        OrgUnit,
        verbose_name="学校",
        on_delete=models.PROTECT,
        related_name="hazards",
        limit_choices_to={"kind": "school"},
    )
    district = models.ForeignKey(OrgUnit, verbose_name="辖市区", on_delete=models.PROTECT, related_name="+")
    city = models.ForeignKey(OrgUnit, verbose_name="市", on_delete=models.PROTECT, related_name="+")
    key_place = models.CharField("重点部位", max_length=30, choices=KeyPlace.choices)
    category = models.CharField("类别", max_length=30, choices=Category.choices)

    title = models.CharField("隐患名称", max_length=200)
    description = models.TextField("隐患描述")
    severity = models.CharField("等级", max_length=10, choices=Severity.choices, default=Severity.GENERAL)
    urgency = models.CharField("轻重缓急", max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    sensitive = models.BooleanField("涉密/敏感", default=False, help_text="仅公安、市级管理员和审计可见")

    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报告人", on_delete=models.PROTECT, related_name="reported_hazards"
    )
    reported_at = models.DateTimeField("发现时间")

    state = FSMField("状态", default=HazardState.REPORTED, choices=HazardState.choices, protected=True)

    # The rectification plan (五落实: 措施、责任、资金、时限、预案); set by assignment.
    responsible_person = models.CharField("责任人", max_length=100, blank=True)
    responsible_phone = models.CharField("责任人电话", max_length=40, blank=True)
    measures = models.TextField("整改措施", blank=True)
    funding = models.CharField("整改资金", max_length=200, blank=True)
    contingency_plan = models.TextField("应急预案", blank=True)
    deadline = models.DateField("整改时限", null=True, blank=True)
    deadline_basis = models.CharField(
        "时限给定方式", max_length=20, choices=DeadlineBasis.choices, default=DeadlineBasis.DATE
    )
    deadline_working_days = models.PositiveIntegerField("工作日数", null=True, blank=True)

    temporary_measures = models.TextField("临时(强化)防范措施", blank=True)
    rectification = models.TextField("整改情况", blank=True)
    verification_result = models.TextField("验收意见", blank=True)

    # Where it was found, when it came from an inspection's failed checklist item (casework.models.campaign).
    inspection = models.ForeignKey(
        "casework.Inspection",
        verbose_name="来源检查",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
    )
    checklist_item = models.ForeignKey(
        "casework.ChecklistItem",
        verbose_name="检查条目",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
    )

    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "隐患"
        verbose_name_plural = "隐患"
        ordering = ["-reported_at", "-id"]
        indexes = [
            # The ledger: scope first (district/school), then the common filters and the sort.
            models.Index(fields=["district", "state", "-reported_at"], name="hazard_district_state"),
            models.Index(fields=["school", "-reported_at"], name="hazard_school_reported"),
            models.Index(fields=["city", "-reported_at"], name="hazard_city_reported"),
            models.Index(fields=["state", "deadline"], name="hazard_state_deadline"),
            # The ledger's page at province scale (issue 10): each scope in each sort order, so a page is
            # an index walk of LIMIT rows, never a sort of the whole scope.
            models.Index(fields=["district", "-reported_at", "-id"], name="hazard_district_reported"),
            models.Index(fields=["district", "deadline", "-id"], name="hazard_district_deadline"),
            models.Index(fields=["city", "deadline", "-id"], name="hazard_city_deadline"),
            # The ledger's capped count under "overdue" (a state and a passed deadline, officers excluding
            # sensitive rows): an index-only range instead of a bitmap AND of two indexes and ~800 heap pages.
            models.Index(fields=["district", "state", "deadline", "sensitive"], name="hazard_district_state_deadline"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("casework:hazard_detail", args=[self.pk])

    # ---- derived facts -------------------------------------------------------------------
    @property
    def is_major(self) -> bool:
        return self.severity == Severity.MAJOR

    def is_overdue(self, today: date | None = None) -> bool:
        return lifecycle.is_overdue(self.state, self.deadline, today or timezone.localdate())

    def missing_plan_fields(self) -> list[str]:
        """The plan points still empty: three for a general hazard, all five for a major one."""
        required = {"measures": "整改措施", "responsible_person": "责任人", "deadline": "整改时限"}
        if self.is_major:
            required |= {"funding": "整改资金", "contingency_plan": "应急预案"}
        return [label for name, label in required.items() if not getattr(self, name)]


def evidence_upload_to(instance: "Evidence", filename: str) -> str:
    # Random names: the uploaded file name never reaches the file system.
    return f"{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """A photo or PDF attached to a hazard, checked by content, fingerprinted with SHA-256."""

    hazard = models.ForeignKey(Hazard, on_delete=models.PROTECT, related_name="evidence")
    transition = models.ForeignKey(
        "casework.HazardTransition", null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField("文件", upload_to=evidence_upload_to)
    original_name = models.CharField("原文件名", max_length=255)
    content_type = models.CharField("类型", max_length=50)
    size = models.PositiveIntegerField("大小")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
