"""What the API reads and returns. Input serializers check types and sizes; the casework services
check everything else (role, scope, state, required content) and word the refusals in Chinese."""

from datetime import date, datetime

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.access import can, org_units_visible_to
from casework.api.models import DeviceToken
from casework.models import (
    Category,
    Evidence,
    Hazard,
    HazardState,
    HazardTransition,
    KeyPlace,
    OrgKind,
    OrgUnit,
    Severity,
    Urgency,
)
from casework.rules.lifecycle import HAZARD_ACTIONS, record_label
from notifications.models import Notification

MAX_ID = 2**63 - 1
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.get_fixed_timezone(480))
SORT_CHOICES = (("reported", "按发现时间倒序"), ("reported_asc", "按发现时间正序"))
HAZARD_ACTION_CHOICES = list(HAZARD_ACTIONS)
BACK_TO_CHOICES = (
    (HazardState.ASSIGNED, HazardState.ASSIGNED.label),
    (HazardState.TEMPORARY_MEASURES, HazardState.TEMPORARY_MEASURES.label),
)


# ---- errors ----------------------------------------------------------------------------------
class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="稳定的错误代码，如 wrong_state、forbidden_role、out_of_scope、not_found")
    message = serializers.CharField(help_text="中文说明")
    fields = serializers.DictField(child=serializers.CharField(), help_text="字段 → 中文说明")


# ---- input helpers ---------------------------------------------------------------------------
class OccurredAtField(serializers.DateTimeField):
    """When it happened on site; omitted means now. Never before 2000 (a typo, not a record)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "现场发生时间（ISO 8601），缺省为当前时间；不得晚于当前时间")
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        moment = super().to_internal_value(value)
        if moment < EARLIEST:
            raise serializers.ValidationError("发生时间不合理（早于 2000 年）。")
        return moment


class OptionalDateField(serializers.DateField):
    """A date the service may require: optional here (the service names it if missing), bounded to sane years."""

    out_of_range = "日期不合理。"

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("default", None)
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not date(2000, 1, 1) <= day <= date(2100, 12, 31):
            raise serializers.ValidationError(self.out_of_range)
        return day


class DeadlineField(OptionalDateField):
    out_of_range = "整改时限不合理。"


class WorkingDaysField(serializers.IntegerField):
    """A deadline as N working days from the action's day (Asia/Shanghai), instead of a date."""

    def __init__(self, **kwargs):
        from casework.workdays import MAX_WORKING_DAYS

        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("default", None)
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_WORKING_DAYS)
        kwargs.setdefault(
            "help_text", "整改时限按工作日数计（自办理当日起，节假日和调休按日历）；与 deadline 二者只能选其一"
        )
        super().__init__(**kwargs)


def text(max_length: int | None = None, **kwargs):
    """Optional text: an empty or missing value reaches the service, which names what is missing."""
    return serializers.CharField(required=False, allow_blank=True, default="", max_length=max_length, **kwargs)


def files(help_text: str = "佐证材料（JPEG/PNG/WebP/PDF），可多个"):
    return serializers.ListField(
        child=serializers.FileField(max_length=255), required=False, default=list, help_text=help_text
    )


class TransitionInput(serializers.Serializer):
    occurred_at = OccurredAtField()

    def service_kwargs(self) -> dict:
        data = dict(self.validated_data)
        data["occurred_at"] = data.get("occurred_at") or timezone.now()
        return data


class AssignInput(TransitionInput):
    responsible_person = text(100)
    responsible_phone = text(40)
    measures = text()
    deadline = DeadlineField()
    deadline_working_days = WorkingDaysField()
    funding = text(200, help_text="重大隐患必填")
    contingency_plan = text(help_text="重大隐患必填")
    comment = text()


class TemporaryMeasuresInput(TransitionInput):
    measures = text()
    comment = text()
    evidence = files()


class ReportRectifiedInput(TransitionInput):
    description = text()
    comment = text()
    evidence = files("整改佐证材料，至少一个")


class VerifyInput(TransitionInput):
    result = text()
    comment = text()
    evidence = files()


class RejectInput(TransitionInput):
    reason = text()
    comment = text()
    evidence = files()


class EscalateInput(TransitionInput):
    reason = text()
    temporary_measures = text()
    comment = text()


class CoordinationInput(TransitionInput):
    decision = text()
    units_charged = text()
    deadline = DeadlineField()
    deadline_working_days = WorkingDaysField()
    back_to = serializers.ChoiceField(choices=BACK_TO_CHOICES, required=False, allow_blank=True, default="")
    comment = text()


class CloseInvalidInput(TransitionInput):
    reason = text()
    comment = text()


class ChangeDeadlineInput(TransitionInput):
    deadline = DeadlineField()
    deadline_working_days = WorkingDaysField()
    reason = text()


class HazardReportInput(serializers.Serializer):
    school = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    title = text(200)
    description = text()
    category = serializers.ChoiceField(choices=Category.choices)
    key_place = serializers.ChoiceField(choices=KeyPlace.choices)
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.GENERAL)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    sensitive = serializers.BooleanField(default=False)
    occurred_at = OccurredAtField()
    evidence = files()

    def validate_school(self, value):
        user = self.context["request"].user
        if not org_units_visible_to(user).filter(pk=value, kind=OrgKind.SCHOOL).exists():
            raise serializers.ValidationError("学校不存在或不在您的范围内。")
        return value

    def service_kwargs(self) -> dict:
        data = dict(self.validated_data)
        data["school_id"] = data.pop("school")
        data["occurred_at"] = data.get("occurred_at") or timezone.now()
        return data


class LedgerQuery(serializers.Serializer):
    """The ledger's filters (same meaning as the 台账 page)."""

    district = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    school = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    key_place = serializers.ChoiceField(choices=KeyPlace.choices, required=False)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    state = serializers.ChoiceField(choices=HazardState.choices, required=False)
    overdue = serializers.BooleanField(required=False, default=False)
    listed = serializers.BooleanField(required=False, default=False, help_text="只看挂牌督办中的隐患")
    q = serializers.CharField(required=False, max_length=100, default="")
    reported_from = serializers.DateField(required=False)
    reported_to = serializers.DateField(required=False)
    sort = serializers.ChoiceField(choices=SORT_CHOICES, required=False, default="reported")


class NotificationQuery(serializers.Serializer):
    unread = serializers.BooleanField(required=False, default=False, help_text="只看未读")


class OrgUnitQuery(serializers.Serializer):
    kind = serializers.ChoiceField(choices=OrgKind.choices, required=False)


# ---- output ----------------------------------------------------------------------------------
class OrgUnitSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = OrgUnit
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "parent",
            "city",
            "district",
            "school_kind",
            "police_station",
            "code",
        ]


class EvidenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evidence
        fields = ["id", "transition", "original_name", "content_type", "size", "sha256", "uploaded_at"]


class HazardListSerializer(serializers.ModelSerializer):
    school_name = serializers.CharField(source="school.name", read_only=True)
    district_name = serializers.CharField(source="district.name", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Hazard
        fields = [
            "id",
            "title",
            "school",
            "school_name",
            "district",
            "district_name",
            "category",
            "key_place",
            "severity",
            "urgency",
            "sensitive",
            "state",
            "state_display",
            "deadline",
            "is_overdue",
            "reported_at",
            "updated_at",
        ]

    def get_is_overdue(self, hazard) -> bool:
        return hazard.is_overdue()


class HazardDetailSerializer(HazardListSerializer):
    reported_by = serializers.CharField(source="reported_by.username", read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)
    available_actions = serializers.SerializerMethodField(help_text="当前用户此刻可办理的操作")

    class Meta(HazardListSerializer.Meta):
        fields = HazardListSerializer.Meta.fields + [
            "description",
            "reported_by",
            "responsible_person",
            "responsible_phone",
            "measures",
            "funding",
            "contingency_plan",
            "deadline_basis",
            "deadline_working_days",
            "temporary_measures",
            "rectification",
            "verification_result",
            "created_at",
            "evidence",
            "available_actions",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=HAZARD_ACTION_CHOICES)))
    def get_available_actions(self, hazard) -> list[str]:
        user = self.context["request"].user
        return [name for name in HAZARD_ACTIONS if can(user, name, hazard)]


class DeadlineResultSerializer(HazardDetailSerializer):
    """The hazard after an action that sets its deadline: the resulting date, its basis, and any warning."""

    deadline_warning = serializers.SerializerMethodField(
        help_text="按工作日计算时，若涉及的年份尚未录入节假日安排，这里给出提示；否则为空"
    )

    class Meta(HazardDetailSerializer.Meta):
        fields = HazardDetailSerializer.Meta.fields + ["deadline_warning"]

    def get_deadline_warning(self, hazard) -> str:
        return self.context.get("deadline_warning", "")


class TransitionSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField()
    actor_name = serializers.CharField(source="actor.username", read_only=True)
    actor_unit_name = serializers.CharField(source="actor_unit.name", read_only=True)
    evidence = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    payload = serializers.DictField(read_only=True)

    class Meta:
        model = HazardTransition
        fields = [
            "id",
            "hazard",
            "name",
            "label",
            "from_state",
            "to_state",
            "actor",
            "actor_name",
            "actor_role",
            "actor_unit",
            "actor_unit_name",
            "occurred_at",
            "recorded_at",
            "comment",
            "payload",
            "evidence",
            "seq",
            "prev_hash",
            "hash",
        ]

    def get_label(self, record) -> str:
        return record_label(record.name)


HISTORY_FIELDS = [
    "state",
    "title",
    "description",
    "severity",
    "urgency",
    "sensitive",
    "category",
    "key_place",
    "responsible_person",
    "responsible_phone",
    "measures",
    "funding",
    "contingency_plan",
    "deadline",
    "temporary_measures",
    "rectification",
    "verification_result",
]


class HazardHistorySerializer(serializers.Serializer):
    """One field-level version of the hazard (django-simple-history)."""

    history_id = serializers.IntegerField()
    history_date = serializers.DateTimeField()
    history_type = serializers.CharField(help_text="+ 新建，~ 修改")
    history_change_reason = serializers.CharField(allow_null=True)
    history_user = serializers.CharField(source="history_user.username", allow_null=True, default=None)
    state = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    severity = serializers.CharField()
    urgency = serializers.CharField()
    sensitive = serializers.BooleanField()
    category = serializers.CharField()
    key_place = serializers.CharField()
    responsible_person = serializers.CharField()
    responsible_phone = serializers.CharField()
    measures = serializers.CharField()
    funding = serializers.CharField()
    contingency_plan = serializers.CharField()
    deadline = serializers.DateField(allow_null=True)
    temporary_measures = serializers.CharField()
    rectification = serializers.CharField()
    verification_result = serializers.CharField()


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "event", "title", "body", "url", "created_at", "read_at", "is_read"]


class DeviceTokenSerializer(serializers.ModelSerializer):
    is_current = serializers.SerializerMethodField()

    class Meta:
        model = DeviceToken
        fields = ["id", "device_name", "created_at", "last_used_at", "revoked_at", "is_current"]

    def get_is_current(self, token) -> bool:
        current = getattr(self.context["request"], "device_token", None)
        return current is not None and current.pk == token.pk


class TokenIssueInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"}, trim_whitespace=False)
    device_name = serializers.CharField(max_length=100, help_text="如“张老师的手机”；同一设备再次登录会替换旧令牌")


class TokenIssuedSerializer(DeviceTokenSerializer):
    token = serializers.CharField(help_text="只显示这一次；请求头 Authorization: Bearer <token>")

    class Meta(DeviceTokenSerializer.Meta):
        fields = DeviceTokenSerializer.Meta.fields + ["token"]
