"""Campaigns, inspections and school returns in the API. Inputs check types and sizes; the services in
casework.services.campaigns check role, scope, state and content. Sensitive notes on a return reach
only those who may see sensitive information."""

from django.utils import timezone
from rest_framework import serializers

from casework.access import can_confirm_return, can_fill_return, can_record_inspection, can_see_sensitive
from casework.api.hazards.serializers import MAX_ID, OccurredAtField, OptionalDateField, text
from casework.models import (
    Campaign,
    CampaignPhase,
    Inspection,
    InspectionKind,
    InspectionResult,
    InspectionStatus,
    KeyPlace,
    ResultOutcome,
    SchoolReturn,
)
from casework.models.campaign import RETURN_POLICE_FIELDS
from casework.services.campaigns import SCHOOL_FIELDS, ResultInput

MAX_RESULTS = 500


DayField = OptionalDateField


# ---- campaigns -------------------------------------------------------------------------------
class CampaignPhaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = CampaignPhase
        fields = ["position", "name", "due_date", "description"]


class CampaignSerializer(serializers.ModelSerializer):
    phases = CampaignPhaseSerializer(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "city",
            "code",
            "name",
            "issuing_document",
            "document_number",
            "issued_by",
            "description",
            "starts_on",
            "ends_on",
            "statistics_cutoff",
            "report_due",
            "active",
            "checklist_categories",
            "phases",
            "created_at",
        ]


# ---- inspections -----------------------------------------------------------------------------
class InspectionQuery(serializers.Serializer):
    campaign = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    school = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    kind = serializers.ChoiceField(choices=InspectionKind.choices, required=False)
    status = serializers.ChoiceField(choices=InspectionStatus.choices, required=False)


class ResultItemInput(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="检查条目编号")
    outcome = serializers.ChoiceField(choices=ResultOutcome.choices)
    note = text(help_text="不合格项须写明存在的问题")
    key_place = serializers.ChoiceField(choices=KeyPlace.choices, required=False, allow_blank=True, default="")


class InspectionResultsMixin(serializers.Serializer):
    def results_of(self, data: dict) -> list[ResultInput]:
        return [
            ResultInput(item_id=r["item"], outcome=r["outcome"], note=r["note"], key_place=r["key_place"])
            for r in data.pop("results", [])
        ]


class InspectionCreateInput(InspectionResultsMixin):
    campaign = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    school = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    kind = serializers.ChoiceField(choices=InspectionKind.choices)
    inspectors = text(300)
    inspected_on = DayField(help_text="检查日期")
    key_places = serializers.ListField(
        child=serializers.ChoiceField(choices=KeyPlace.choices),
        required=False,
        default=list,
        max_length=len(KeyPlace.choices),
    )
    results = serializers.ListField(
        child=ResultItemInput(),
        required=False,
        default=list,
        max_length=MAX_RESULTS,
        help_text="同时录入结果（自查或事后补录）；缺省则只安排检查",
    )
    summary = text()
    occurred_at = OccurredAtField(help_text="发现隐患的时间，缺省为检查日期")

    def service_kwargs(self) -> tuple[bool, dict]:
        data = dict(self.validated_data)
        results = self.results_of(data)
        data["campaign_id"] = data.pop("campaign")
        data["school_id"] = data.pop("school")
        if not results:
            for name in ("summary", "occurred_at"):
                data.pop(name, None)
            return False, data
        return True, {**data, "results": results}


class InspectionRecordInput(InspectionResultsMixin):
    results = serializers.ListField(child=ResultItemInput(), required=False, default=list, max_length=MAX_RESULTS)
    summary = text()
    key_places = serializers.ListField(
        child=serializers.ChoiceField(choices=KeyPlace.choices),
        required=False,
        allow_null=True,
        default=None,
        max_length=len(KeyPlace.choices),
        help_text="缺省为安排时的重点场所",
    )
    occurred_at = OccurredAtField(help_text="发现隐患的时间，缺省为检查日期")

    def service_kwargs(self) -> dict:
        data = dict(self.validated_data)
        results = self.results_of(data)
        return {**data, "results": results}


class InspectionResultSerializer(serializers.ModelSerializer):
    item_text = serializers.CharField(source="item.text", read_only=True)

    class Meta:
        model = InspectionResult
        fields = ["id", "item", "item_text", "outcome", "note", "key_place", "hazard"]


class InspectionSerializer(serializers.ModelSerializer):
    school_name = serializers.CharField(source="school.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "campaign",
            "school",
            "school_name",
            "district",
            "kind",
            "kind_display",
            "status",
            "status_display",
            "inspectors",
            "inspected_on",
            "key_places",
            "created_by_unit",
            "recorded_at",
        ]


class InspectionDetailSerializer(InspectionSerializer):
    results = InspectionResultSerializer(many=True, read_only=True)
    can_record = serializers.SerializerMethodField(help_text="当前用户此刻可录入结果")

    class Meta(InspectionSerializer.Meta):
        fields = InspectionSerializer.Meta.fields + ["summary", "created_at", "results", "can_record"]

    def get_can_record(self, inspection) -> bool:
        return can_record_inspection(self.context["request"].user, inspection)


# ---- school returns ------------------------------------------------------------------------
class ReturnQuery(serializers.Serializer):
    campaign = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    school = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    status = serializers.ChoiceField(choices=SchoolReturn._meta.get_field("status").choices, required=False)


class _ReturnPartInput(serializers.ModelSerializer):
    """One side's fields of the return, all optional: only what is sent reaches the service."""

    occurred_at = OccurredAtField(help_text="纸质报表的实际提交/确认时间，缺省为当前时间")

    class Meta:
        model = SchoolReturn
        fields: list[str] = []

    def get_fields(self):
        fields = super().get_fields()
        for _name, field in fields.items():
            field.required = False
        return fields

    def validate(self, attrs):
        # The other side's fields (or unknown ones) are refused, never silently dropped.
        extra = sorted(set(self.initial_data) - set(self.fields))
        if extra:
            raise serializers.ValidationError(dict.fromkeys(extra, "不属于您填写的部分"))
        return attrs

    def service_kwargs(self) -> dict:
        sent = {
            name: value
            for name, value in self.validated_data.items()
            if name != "occurred_at" and name in self.initial_data
        }
        return {"fields": sent, "occurred_at": self.validated_data.get("occurred_at") or timezone.now()}


class ReturnSubmitInput(_ReturnPartInput):
    class Meta(_ReturnPartInput.Meta):
        fields = list(SCHOOL_FIELDS) + ["occurred_at"]


class ReturnConfirmInput(_ReturnPartInput):
    class Meta(_ReturnPartInput.Meta):
        fields = list(RETURN_POLICE_FIELDS) + ["occurred_at"]


class SchoolReturnSerializer(serializers.ModelSerializer):
    school_name = serializers.CharField(source="school.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    available_actions = serializers.SerializerMethodField(help_text="当前用户此刻可办理的操作（submit、confirm）")

    class Meta:
        model = SchoolReturn
        fields = [
            "id",
            "campaign",
            "school",
            "school_name",
            "district",
            "police_station",
            "status",
            "status_display",
            *SCHOOL_FIELDS,
            *RETURN_POLICE_FIELDS,
            "submitted_by",
            "submitted_at",
            "confirmed_by",
            "confirmed_at",
            "created_at",
            "updated_at",
            "available_actions",
        ]
        extra_kwargs = {
            "sensitive_notes": {
                "allow_null": True,
                "help_text": "涉及保密、敏感信息：仅公安、市级管理员和审计可见，其他人为 null",
            }
        }

    def get_available_actions(self, obj) -> list[str]:
        user = self.context["request"].user
        return [
            name for name, check in (("submit", can_fill_return), ("confirm", can_confirm_return)) if check(user, obj)
        ]

    def to_representation(self, obj):
        data = super().to_representation(obj)
        if not can_see_sensitive(self.context["request"].user):
            data["sensitive_notes"] = None
        return data
