"""Listed supervision (挂牌督办): a major hazard under formal supervision by the district or the city.

A listing carries its own decision (文号, date), its required completion date and the five-point plan,
the school's periodic progress reports (进展报告), the authority's reminders (催办), the missed report
periods the due checks found, and its delisting (摘牌) decision. Every event is also appended to the
hazard's hash-chained transition log, so the hazard's timeline and the audit chain include it.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from .hazard import OPEN_STATES, Hazard
from .org import OrgUnit


class ListingLevel(models.TextChoices):
    DISTRICT = "district", "区级"
    CITY = "city", "市级"


class ListingState(models.TextChoices):
    ACTIVE = "active", "督办中"
    DELISTED = "delisted", "已摘牌"


class Listing(FSMModelMixin, models.Model):
    hazard = models.ForeignKey(Hazard, verbose_name="隐患", on_delete=models.PROTECT, related_name="listings")
    level = models.CharField("督办层级", max_length=10, choices=ListingLevel.choices)
    authority = models.ForeignKey(
        OrgUnit, verbose_name="挂牌单位", on_delete=models.PROTECT, related_name="listings_issued"
    )
    # Denormalised from the hazard, like the hazard's own: the dashboard groups by district.
    district = models.ForeignKey(OrgUnit, verbose_name="辖市区", on_delete=models.PROTECT, related_name="+")
    city = models.ForeignKey(OrgUnit, verbose_name="市", on_delete=models.PROTECT, related_name="+")

    decision_number = models.CharField("挂牌文号", max_length=100)
    listed_on = models.DateField("挂牌日期")
    required_by = models.DateField("要求完成时限")
    # The five-point plan (五落实: 措施、责任、资金、时限、预案); 时限 is ``required_by``.
    measures = models.TextField("整改措施")
    responsible_person = models.CharField("责任人", max_length=100)
    funding = models.CharField("整改资金", max_length=200)
    contingency_plan = models.TextField("应急预案")
    supervising_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="督办责任人",
        on_delete=models.PROTECT,
        related_name="supervised_listings",
    )
    progress_interval_days = models.PositiveIntegerField(
        "进展报告周期（天）", default=7, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )

    state = FSMField("状态", default=ListingState.ACTIVE, choices=ListingState.choices, protected=True)
    listed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="挂牌人", on_delete=models.PROTECT, related_name="+"
    )

    # Raised to the level above when past its required date (district listing → city dashboard), once.
    raised_at = models.DateTimeField("上提时间", null=True, blank=True)
    raised_to = models.ForeignKey(
        OrgUnit, verbose_name="上提至", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    delisting_decision_number = models.CharField("摘牌文号", max_length=100, blank=True)
    delisted_on = models.DateField("摘牌日期", null=True, blank=True)
    delisting_reason = models.TextField("摘牌理由", blank=True)
    delisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="摘牌人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "挂牌督办"
        verbose_name_plural = "挂牌督办"
        ordering = ["required_by", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["hazard", "level"],
                condition=models.Q(state="active"),
                name="listing_one_active_per_level",
            ),
            models.CheckConstraint(
                condition=models.Q(required_by__gte=models.F("listed_on")),
                name="listing_required_after_listed",
            ),
        ]
        indexes = [
            models.Index(fields=["district", "state", "required_by"], name="listing_district_state"),
            models.Index(fields=["city", "state", "required_by"], name="listing_city_state"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}挂牌 {self.decision_number}（#{self.hazard_id}）"

    def get_absolute_url(self) -> str:
        return reverse("listings:detail", args=[self.pk])

    # ---- derived facts -------------------------------------------------------------------
    @property
    def is_active(self) -> bool:
        return self.state == ListingState.ACTIVE

    def days_left(self, today: date | None = None) -> int:
        """Days until the required date; negative when past it."""
        return (self.required_by - (today or timezone.localdate())).days

    def is_overdue(self, today: date | None = None) -> bool:
        """Past the required date and the fix not yet reported (as for the hazard's own deadline)."""
        return self.is_active and self.hazard.state in OPEN_STATES and self.days_left(today) < 0

    def due_dates(self, until: date) -> list[date]:
        """The progress-report due dates (every interval from the listing date) up to ``until``."""
        step = timedelta(days=self.progress_interval_days)
        dates, due = [], self.listed_on + step
        while due <= until:
            dates.append(due)
            due += step
        return dates

    def period_of(self, due_on: date) -> tuple[date, date]:
        """The window a report must fall in to count for the period ending ``due_on``."""
        start = due_on - timedelta(days=self.progress_interval_days)
        # The listing day itself belongs to the first period; later periods start the day after a due date.
        return (start if start == self.listed_on else start + timedelta(days=1)), due_on

    def next_report_due(self, today: date | None = None) -> date:
        today = today or timezone.localdate()
        step = self.progress_interval_days
        elapsed = max((today - self.listed_on).days, 0)
        periods = -(-elapsed // step) if elapsed else 1  # ceiling: the period today falls in
        return self.listed_on + timedelta(days=periods * step)

    def report_missing_since(self, last_report_day: date | None, today: date | None = None) -> date | None:
        """The latest lapsed due date when no report has come since its period began, else None."""
        today = today or timezone.localdate()
        if not self.is_active or self.hazard.state not in OPEN_STATES:
            return None
        lapsed = self.due_dates(until=today - timedelta(days=1))
        if not lapsed:
            return None
        start, _ = self.period_of(lapsed[-1])
        return lapsed[-1] if last_report_day is None or last_report_day < start else None

    # ---- transitions (the services in casework.services.listings call these) -------------
    @transition(field=state, source=ListingState.ACTIVE, target=ListingState.DELISTED)
    def delist(self, *, by, decision_number: str, delisted_on: date, reason: str):
        self.delisted_by = by
        self.delisting_decision_number = decision_number
        self.delisted_on = delisted_on
        self.delisting_reason = reason


class ListingProgressReport(models.Model):
    """A progress report (进展报告) from the school: what was done, how far, with evidence."""

    listing = models.ForeignKey(
        Listing, verbose_name="挂牌督办", on_delete=models.PROTECT, related_name="progress_reports"
    )
    work_done = models.TextField("进展情况")
    percent_complete = models.PositiveSmallIntegerField(
        "完成比例（%）", validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报告人", on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField("报告时间")
    # The hazard's transition record of this report; its evidence hangs there.
    transition = models.OneToOneField("casework.HazardTransition", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "进展报告"
        verbose_name_plural = "进展报告"
        ordering = ["-reported_at", "-id"]
        indexes = [models.Index(fields=["listing", "-reported_at"], name="progress_listing_time")]
        constraints = [
            models.CheckConstraint(condition=models.Q(percent_complete__lte=100), name="progress_percent_max_100"),
        ]

    def __str__(self) -> str:
        return f"{self.listing} · {self.percent_complete}%"


class ListingReminder(models.Model):
    """A reminder (催办) from the listing authority, sent to the school and the district."""

    listing = models.ForeignKey(Listing, verbose_name="挂牌督办", on_delete=models.PROTECT, related_name="reminders")
    message = models.TextField("催办内容")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="催办人", on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField("催办时间")
    transition = models.OneToOneField("casework.HazardTransition", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "催办记录"
        verbose_name_plural = "催办记录"
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.listing} · 催办 {self.sent_at:%Y-%m-%d}"


class MissedProgressReport(models.Model):
    """A report period that ended without a report, found by the due check (once per period)."""

    listing = models.ForeignKey(
        Listing, verbose_name="挂牌督办", on_delete=models.PROTECT, related_name="missed_reports"
    )
    due_on = models.DateField("应报日期")
    detected_at = models.DateTimeField("发现时间")

    class Meta:
        verbose_name = "逾期未报进展"
        verbose_name_plural = "逾期未报进展"
        ordering = ["-due_on"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "due_on"], name="missed_report_once_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.listing} · {self.due_on} 未报"
