"""Listed supervision (挂牌督办) in the API: inputs checked for type and size only (the services in
casework.services.listings check role, scope, state and content), outputs read through casework.access."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.access import can_on_listing, hazards_visible_to
from casework.api.hazards.serializers import (
    MAX_ID,
    EvidenceSerializer,
    OccurredAtField,
    OptionalDateField,
    TransitionInput,
    files,
    text,
)
from casework.models import Evidence, Listing, ListingLevel, ListingProgressReport, ListingReminder, ListingState
from casework.services.listings import MAX_INTERVAL_DAYS

LISTING_ACTIONS = {"listing_progress": "progress", "listing_reminder": "remind", "delist": "delist"}
LISTING_ACTION_CHOICES = list(LISTING_ACTIONS.values())


DecisionDateField = OptionalDateField  # 挂牌日期, 摘牌日期: the service refuses one missing, future or out of order


# ---- input -----------------------------------------------------------------------------------
class ListingQuery(serializers.Serializer):
    level = serializers.ChoiceField(choices=ListingLevel.choices, required=False)
    state = serializers.ChoiceField(choices=ListingState.choices, required=False, help_text="缺省为全部（含已摘牌）")
    district = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    overdue = serializers.BooleanField(required=False, default=False, help_text="只看已超过要求完成时限的")
    raised = serializers.BooleanField(required=False, default=False, help_text="只看已上提的")


class ListingCreateInput(serializers.Serializer):
    hazard = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="重大隐患的编号")
    level = serializers.ChoiceField(choices=ListingLevel.choices)
    decision_number = text(100, help_text="挂牌文号")
    listed_on = DecisionDateField(help_text="挂牌日期（不晚于今天）")
    required_by = DecisionDateField(help_text="要求完成时限（不早于挂牌日期）")
    measures = text()
    responsible_person = text(100)
    funding = text(200)
    contingency_plan = text()
    supervising_officer = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        default=None,
        help_text="督办责任人（挂牌单位的在岗人员）的用户编号",
    )
    progress_interval_days = serializers.IntegerField(
        min_value=1, max_value=MAX_INTERVAL_DAYS, default=7, help_text="进展报告周期（天）"
    )
    occurred_at = OccurredAtField()
    comment = text()

    def validate_hazard(self, value):
        user = self.context["request"].user
        if not hazards_visible_to(user).filter(pk=value).exists():
            raise serializers.ValidationError("隐患不存在或不在您的范围内。")
        return value

    def service_kwargs(self) -> dict:
        from django.utils import timezone

        data = dict(self.validated_data)
        data["hazard_id"] = data.pop("hazard")
        data["supervising_officer_id"] = data.pop("supervising_officer")
        data["occurred_at"] = data.get("occurred_at") or timezone.now()
        return data


class ProgressInput(TransitionInput):
    work_done = text(help_text="进展情况")
    percent_complete = serializers.IntegerField(min_value=0, max_value=100, help_text="完成比例（%）")
    evidence = files()


class RemindInput(TransitionInput):
    message = text(help_text="催办内容")


class DelistInput(TransitionInput):
    decision_number = text(100, help_text="摘牌文号")
    delisted_on = DecisionDateField(help_text="摘牌日期（不早于挂牌日期，不晚于今天）")
    reason = text(help_text="摘牌理由")


# ---- output ----------------------------------------------------------------------------------
class ListingSerializer(serializers.ModelSerializer):
    hazard_title = serializers.CharField(source="hazard.title", read_only=True)
    hazard_state = serializers.CharField(source="hazard.state", read_only=True)
    school = serializers.IntegerField(source="hazard.school_id", read_only=True)
    school_name = serializers.CharField(source="hazard.school.name", read_only=True)
    district_name = serializers.CharField(source="district.name", read_only=True)
    authority_name = serializers.CharField(source="authority.name", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    supervising_officer_name = serializers.CharField(source="supervising_officer.username", read_only=True)
    is_overdue = serializers.SerializerMethodField()
    next_report_due = serializers.SerializerMethodField()

    class Meta:
        model = Listing
        fields = [
            "id",
            "hazard",
            "hazard_title",
            "hazard_state",
            "school",
            "school_name",
            "level",
            "level_display",
            "authority",
            "authority_name",
            "district",
            "district_name",
            "decision_number",
            "listed_on",
            "required_by",
            "state",
            "state_display",
            "supervising_officer",
            "supervising_officer_name",
            "progress_interval_days",
            "is_overdue",
            "next_report_due",
            "raised_at",
            "delisted_on",
        ]

    def get_is_overdue(self, listing) -> bool:
        return listing.is_overdue()

    def get_next_report_due(self, listing) -> str | None:
        return listing.next_report_due().isoformat() if listing.is_active else None


class ListingDetailSerializer(ListingSerializer):
    listed_by = serializers.CharField(source="listed_by.username", read_only=True)
    delisted_by = serializers.CharField(source="delisted_by.username", read_only=True, allow_null=True, default=None)
    available_actions = serializers.SerializerMethodField(
        help_text="当前用户此刻可办理的操作（progress、remind、delist）"
    )

    class Meta(ListingSerializer.Meta):
        fields = ListingSerializer.Meta.fields + [
            "measures",
            "responsible_person",
            "funding",
            "contingency_plan",
            "listed_by",
            "raised_to",
            "delisting_decision_number",
            "delisting_reason",
            "delisted_by",
            "created_at",
            "updated_at",
            "available_actions",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=LISTING_ACTION_CHOICES)))
    def get_available_actions(self, listing) -> list[str]:
        user = self.context["request"].user
        return [name for action, name in LISTING_ACTIONS.items() if can_on_listing(user, action, listing)]


class ProgressReportSerializer(serializers.ModelSerializer):
    reported_by_name = serializers.CharField(source="reported_by.username", read_only=True)
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = ListingProgressReport
        fields = [
            "id",
            "listing",
            "work_done",
            "percent_complete",
            "reported_by",
            "reported_by_name",
            "reported_at",
            "transition",
            "evidence",
        ]

    @extend_schema_field(EvidenceSerializer(many=True))
    def get_evidence(self, report) -> list:
        rows = Evidence.objects.filter(transition_id=report.transition_id).order_by("id")
        return EvidenceSerializer(rows, many=True).data


class ReminderSerializer(serializers.ModelSerializer):
    sent_by_name = serializers.CharField(source="sent_by.username", read_only=True)

    class Meta:
        model = ListingReminder
        fields = ["id", "listing", "message", "sent_by", "sent_by_name", "sent_at", "transition"]
