"""Campaigns (专项整治 / 排查整改), the checklist catalogue, inspections and the school's return.

The catalogue is data (loaded by a data migration from the two seed documents, editable by the
city administrator). An inspection of a school within a campaign records one result per checklist
item; each failed item becomes exactly one hazard. The school's return (seed 000, 附件1) is filled
by the school and confirmed by its own police station; its hazard counts are computed from the
ledger, never typed.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .hazard import Category, KeyPlace
from .org import OrgUnit, SchoolPlacedMixin


# ---- the checklist catalogue ----------------------------------------------------------------------
class ChecklistSource(models.TextChoices):
    SEED_004 = "seed_004", "全市学校安全风险隐患专项整治工作方案"
    SEED_000 = "seed_000", "全面开展学校及周边安全排查整改进一步加强学校安全防范工作方案"
    CUSTOM = "custom", "自定义"


class ChecklistCategory(models.Model):
    """A group of checklist items: one of seed 004's seven categories, or a part of seed 000."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=120)
    source = models.CharField("来源文件", max_length=20, choices=ChecklistSource.choices)
    # The number as the document prints it, e.g. "（一）", "三", "附件1".
    number = models.CharField("序号", max_length=20, blank=True)
    position = models.PositiveIntegerField("排序", default=0)
    hazard_category = models.CharField(
        "对应隐患类别",
        max_length=30,
        choices=Category.choices,
        default=Category.OTHER,
        help_text="不合格项生成隐患时使用的类别（条目可单独指定）",
    )
    active = models.BooleanField("启用", default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "检查表类别"
        verbose_name_plural = "检查表类别"
        ordering = ["source", "position", "id"]

    def __str__(self) -> str:
        return f"{self.number}{self.name}" if self.number else self.name


class ChecklistItem(models.Model):
    """One numbered check, word for word from its document; sub-items hang under their item."""

    category = models.ForeignKey(ChecklistCategory, verbose_name="类别", on_delete=models.PROTECT, related_name="items")
    parent = models.ForeignKey(
        "self", verbose_name="上级条目", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # The number as printed: "1", "（1）".
    number = models.CharField("序号", max_length=20)
    position = models.PositiveIntegerField("排序", default=0)
    text = models.TextField("内容")
    hazard_category = models.CharField(
        "对应隐患类别", max_length=30, choices=Category.choices, blank=True, help_text="为空时使用所属类别的隐患类别"
    )
    key_place = models.CharField("默认重点部位", max_length=30, choices=KeyPlace.choices, blank=True)
    active = models.BooleanField("启用", default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "检查条目"
        verbose_name_plural = "检查条目"
        ordering = ["category__source", "category__position", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "parent", "number"], name="checklistitem_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.text[:40]}"

    @property
    def effective_hazard_category(self) -> str:
        return self.hazard_category or self.category.hazard_category

    @property
    def label(self) -> str:
        """The number path as printed: "1（2）" for a sub-item."""
        return f"{self.parent.number}{self.number}" if self.parent_id else self.number


# ---- campaigns ------------------------------------------------------------------------------------
class Campaign(models.Model):
    """A city campaign: its issuing document, period, phases, statistics cut-off and report due date."""

    city = models.ForeignKey(
        OrgUnit,
        verbose_name="市",
        on_delete=models.PROTECT,
        related_name="campaigns",
        limit_choices_to={"kind": "city"},
    )
    code = models.SlugField("代码", max_length=60, unique=True)
    name = models.CharField("名称", max_length=200)
    issuing_document = models.CharField("印发文件", max_length=300)
    document_number = models.CharField("文号", max_length=100, blank=True)
    issued_by = models.CharField("印发单位", max_length=200, blank=True)
    description = models.TextField("说明", blank=True)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    statistics_cutoff = models.DateField("统计截止日期", null=True, blank=True)
    report_due = models.DateField("报表报送截止日期", null=True, blank=True)
    checklist_categories = models.ManyToManyField(
        ChecklistCategory, verbose_name="使用的检查表", blank=True, related_name="campaigns"
    )
    active = models.BooleanField("有效", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[checklist_categories])

    class Meta:
        verbose_name = "专项整治"
        verbose_name_plural = "专项整治"
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("casework:campaign_detail", args=[self.pk])


class CampaignPhase(models.Model):
    """A phase of a campaign (动员部署, 隐患排查, 整改落实, 总结巩固) and the date it is due by."""

    campaign = models.ForeignKey(Campaign, verbose_name="专项整治", on_delete=models.PROTECT, related_name="phases")
    position = models.PositiveIntegerField("阶段序号")
    name = models.CharField("阶段名称", max_length=100)
    due_date = models.DateField("完成期限")
    description = models.TextField("工作要求", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "工作阶段"
        verbose_name_plural = "工作阶段"
        ordering = ["campaign", "position"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "position"], name="campaignphase_unique_position"),
        ]

    def __str__(self) -> str:
        return f"第{self.position}阶段 {self.name}（{self.due_date:%Y-%m-%d}前）"


# ---- inspections ----------------------------------------------------------------------------------
class InspectionKind(models.TextChoices):
    SELF_INSPECTION = "self_inspection", "学校自查"
    SUPERVISION_INSPECTION = "supervision_inspection", "集中督查"
    UNANNOUNCED_VISIT = "unannounced_visit", "明查暗访"


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", "已安排"
    RECORDED = "recorded", "已录入结果"


class Inspection(SchoolPlacedMixin, models.Model):
    """A check of one school within a campaign; an unannounced visit stays hidden from the school until recorded."""

    campaign = models.ForeignKey(
        Campaign, verbose_name="专项整治", on_delete=models.PROTECT, related_name="inspections"
    )
    school = models.ForeignKey(
        OrgUnit,
        verbose_name="学校",
        on_delete=models.PROTECT,
        related_name="inspections",
        limit_choices_to={"kind": "school"},
    )
    # Denormalised like Hazard's, for one-equality scoping.
    district = models.ForeignKey(OrgUnit, verbose_name="辖市区", on_delete=models.PROTECT, related_name="+")
    city = models.ForeignKey(OrgUnit, verbose_name="市", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("检查方式", max_length=30, choices=InspectionKind.choices)
    status = models.CharField("状态", max_length=20, choices=InspectionStatus.choices, default=InspectionStatus.PLANNED)
    inspectors = models.CharField("检查人员", max_length=300)
    inspected_on = models.DateField("检查日期")
    key_places = models.JSONField("检查的重点场所", default=list, blank=True)
    summary = models.TextField("检查情况", blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    created_by_unit = models.ForeignKey(OrgUnit, verbose_name="检查单位", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField("录入时间", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "排查检查"
        verbose_name_plural = "排查检查"
        ordering = ["-inspected_on", "-id"]
        indexes = [
            models.Index(fields=["campaign", "school"], name="inspection_campaign_school"),
            models.Index(fields=["district", "campaign"], name="inspection_district_campaign"),
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.get_kind_display()} {self.inspected_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("casework:inspection_detail", args=[self.pk])

    @property
    def is_recorded(self) -> bool:
        return self.status == InspectionStatus.RECORDED

    def key_place_labels(self) -> list[str]:
        return [KeyPlace(p).label for p in self.key_places if p in KeyPlace.values]


class ResultOutcome(models.TextChoices):
    PASS = "pass", "合格"
    FAIL = "fail", "不合格"
    NOT_APPLICABLE = "not_applicable", "不适用"


class InspectionResult(models.Model):
    """The result of one checklist item in one inspection; a failed one points to its hazard."""

    inspection = models.ForeignKey(Inspection, verbose_name="检查", on_delete=models.PROTECT, related_name="results")
    item = models.ForeignKey(ChecklistItem, verbose_name="检查条目", on_delete=models.PROTECT, related_name="results")
    outcome = models.CharField("结果", max_length=20, choices=ResultOutcome.choices)
    note = models.TextField("说明", blank=True)
    key_place = models.CharField("重点部位", max_length=30, choices=KeyPlace.choices, blank=True)
    hazard = models.OneToOneField(
        "casework.Hazard",
        verbose_name="生成的隐患",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection_result",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "检查结果"
        verbose_name_plural = "检查结果"
        ordering = ["inspection", "item__category__position", "item__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="inspectionresult_unique_item"),
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.get_outcome_display()}"


# ---- the school's return (seed 000, 附件1) ------------------------------------------------------------
class YesNo(models.TextChoices):
    YES = "yes", "是"
    NO = "no", "否"


class Presence(models.TextChoices):
    HAVE = "have", "有"
    NONE = "none", "无"


class PresenceOrNA(models.TextChoices):
    HAVE = "have", "有"
    NONE = "none", "无"
    NOT_APPLICABLE = "na", "/"


class ReturnStatus(models.TextChoices):
    DRAFT = "draft", "填报中"
    SUBMITTED = "submitted", "学校已提交，待派出所确认"
    CONFIRMED = "confirmed", "派出所已确认"


# The fields the police station fills and confirms; the rest is the school's part.
RETURN_POLICE_FIELDS = (
    "surrounding_order_problems",
    "surrounding_problems_rectified",
    "instability_factors",
    "instability_factors_unresolved",
    "sensitive_notes",
    "police_chief_name",
)


class SchoolReturn(SchoolPlacedMixin, models.Model):
    """附件1 学校及周边安全排查整改情况报表: one per school per campaign, filled jointly with its police station.

    The hazard counts (排查出的总隐患数, 隐患整改数, 未整改隐患数) are not fields: they are computed from
    the ledger (casework.selectors.campaigns.school_hazard_counts). Sensitive information goes to
    ``sensitive_notes``, seen by the police side only and never printed on the form.
    """

    campaign = models.ForeignKey(Campaign, verbose_name="专项整治", on_delete=models.PROTECT, related_name="returns")
    school = models.ForeignKey(
        OrgUnit,
        verbose_name="单位名称",
        on_delete=models.PROTECT,
        related_name="school_returns",
        limit_choices_to={"kind": "school"},
    )
    district = models.ForeignKey(OrgUnit, verbose_name="辖市区", on_delete=models.PROTECT, related_name="+")
    city = models.ForeignKey(OrgUnit, verbose_name="市", on_delete=models.PROTECT, related_name="+")
    # The school's local police station when the return was started (属地派出所), kept for the district table.
    police_station = models.ForeignKey(
        OrgUnit, verbose_name="属地派出所", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    status = models.CharField("状态", max_length=20, choices=ReturnStatus.choices, default=ReturnStatus.DRAFT)
    filled_on = models.DateField("填表日期", null=True, blank=True)

    # -- the school's part
    task_force_established = models.CharField("是否成立工作专班", max_length=10, choices=YesNo.choices, blank=True)
    task_force_head = models.CharField("专班负责人", max_length=100, blank=True)
    holiday_duty_roster = models.CharField("学校假期是否有值班表", max_length=10, choices=YesNo.choices, blank=True)
    leader_on_duty = models.CharField("领导是否带班", max_length=10, choices=YesNo.choices, blank=True)
    gate_patrol_rules_sound = models.CharField(
        "门卫、巡查、隐患排查制度是否健全", max_length=10, choices=YesNo.choices, blank=True
    )
    guards_count = models.PositiveIntegerField("保安员人数", null=True, blank=True)
    certified_guards_count = models.PositiveIntegerField("保安员持证上岗人数", null=True, blank=True)
    overage_guards_count = models.PositiveIntegerField("超龄保安员人数", null=True, blank=True)
    video_retention_30_days = models.CharField(
        "视频监控保存天数是否达30天", max_length=10, choices=YesNo.choices, blank=True
    )
    camera_count = models.PositiveIntegerField("视频探头数量", null=True, blank=True)
    perimeter_intrusion_alarm = models.CharField(
        "围墙周界有无防入侵报警系统", max_length=10, choices=Presence.choices, blank=True
    )
    key_area_intrusion_alarm = models.CharField(
        "重点要害部位有无防入侵报警", max_length=10, choices=Presence.choices, blank=True
    )
    panic_button_gate = models.CharField("一键报警有无（门卫）", max_length=10, choices=Presence.choices, blank=True)
    panic_button_dormitory = models.CharField(
        "一键报警有无（学生宿舍，无宿舍填“/”）", max_length=10, choices=PresenceOrNA.choices, blank=True
    )
    tech_systems_working = models.CharField(
        "技防系统是否全部正常运行", max_length=10, choices=YesNo.choices, blank=True
    )
    barriers = models.CharField("隔离栏有无", max_length=10, choices=Presence.choices, blank=True)
    anti_ramming_facilities = models.CharField(
        "硬质防冲撞设施有无", max_length=10, choices=Presence.choices, blank=True
    )
    bollards = models.CharField("升降柱有无", max_length=10, choices=Presence.choices, blank=True)
    electrical_fire_campaign = models.CharField(
        "是否开展电气火灾安全综合治理", max_length=10, choices=YesNo.choices, blank=True
    )
    electrical_fire_rectification = models.TextField("电器火灾隐患整改情况", blank=True)
    chemicals_three_precautions = models.CharField(
        "危险化学品安全管理三防措施是否落实", max_length=10, choices=YesNo.choices, blank=True
    )
    school_bus_hazards = models.TextField("校车等安全隐患情况（无校车等用“/”）", blank=True)
    holiday_safety_education = models.TextField("假期学生安全教育情况", blank=True)
    holiday_activities_count = models.PositiveIntegerField("假期师生团体活动次数", null=True, blank=True)
    holiday_activities_people = models.PositiveIntegerField("假期师生团体活动总人数", null=True, blank=True)
    holiday_activities_led_by_leader = models.CharField(
        "安全是否由校级领导直接负责", max_length=10, choices=YesNo.choices, blank=True
    )
    work_report = models.TextField("排查整改工作情况报告", blank=True)
    principal_name = models.CharField("校长", max_length=50, blank=True)

    # -- the police station's part
    surrounding_order_problems = models.TextField("校园周边治安乱点情况", blank=True)
    surrounding_problems_rectified = models.CharField(
        "是否整改", max_length=10, choices=YesNo.choices, blank=True, help_text="汇总表（区）中校园周边治安乱点是否整改"
    )
    instability_factors = models.TextField("涉校不稳定因素情况", blank=True)
    instability_factors_unresolved = models.TextField("涉校不稳定因素情况（未解决）", blank=True)
    sensitive_notes = models.TextField(
        "涉及保密、敏感信息",
        blank=True,
        help_text="经公安机关研判后直接报市公安局，本表不填写；仅公安、市级管理员和审计可见",
    )
    police_chief_name = models.CharField("所长", max_length=50, blank=True)

    # -- who did what, when
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "学校及周边安全排查整改情况报表"
        verbose_name_plural = "学校及周边安全排查整改情况报表"
        ordering = ["campaign", "district", "school"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "school"], name="schoolreturn_one_per_school"),
        ]

    def __str__(self) -> str:
        return f"{self.school} · {self.campaign}"

    def get_absolute_url(self) -> str:
        return reverse("casework:return_detail", args=[self.pk])

    def is_late(self, today=None) -> bool:
        """Submitted after the report due date, or not submitted and the date has passed."""
        from django.utils import timezone

        due = self.campaign.report_due
        if due is None:
            return False
        if self.submitted_at is not None:
            return timezone.localdate(self.submitted_at) > due
        return (today or timezone.localdate()) > due
