"""The web forms, one per transition. They only shape input; the services decide and refuse.

Field names equal the services' keyword names, so a ``TransitionRefused.fields`` entry lands on
the field the user typed. Every form carries a one-time ``form_token`` (the double-submit guard).
"""

import secrets

from django import forms
from django.utils import timezone

from casework.access import can_see_sensitive, schools_reportable_by
from casework.models import Category, HazardState, KeyPlace, Severity, Urgency
from casework.rules.lifecycle import ACTIONS
from casework.services import transitions as svc
from casework.workdays import MAX_WORKING_DAYS

EVIDENCE_ACCEPT = "image/jpeg,image/png,image/webp,application/pdf"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos or PDFs in one input; cleaned to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if not files:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ActionForm(forms.Form):
    """Common to every transition form: the one-time token and when it happened on site."""

    title = ""
    submit_label = "提交"

    form_token = forms.CharField(widget=forms.HiddenInput, required=False)
    occurred_at = forms.DateTimeField(
        label="发生时间",
        required=False,
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        help_text="现场实际发生的时间；留空即为当前时间。不能晚于现在，也不能早于上一次流转。",
    )

    def __init__(self, *args, hazard=None, user=None, **kwargs):
        self.hazard = hazard
        self.user = user
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("form_token", secrets.token_urlsafe(24))

    def clean_form_token(self):
        token = self.cleaned_data.get("form_token") or ""
        if len(token) < 16:
            raise forms.ValidationError("表单已失效，请刷新页面后重新填写。")
        return token

    def clean_occurred_at(self):
        return self.cleaned_data.get("occurred_at") or timezone.now()

    def service_kwargs(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "form_token"}
        return data

    def perform(self):
        raise NotImplementedError


# ---- reporting ---------------------------------------------------------------------------------
class ReportForm(ActionForm):
    title = "上报隐患"
    submit_label = "上报"

    school = forms.ModelChoiceField(label="学校", queryset=None, empty_label="请选择学校")
    key_place = forms.ChoiceField(label="重点部位", choices=[("", "请选择")] + KeyPlace.choices)
    category = forms.ChoiceField(label="类别", choices=[("", "请选择")] + Category.choices)
    severity = forms.ChoiceField(label="等级", choices=Severity.choices, initial=Severity.GENERAL)
    urgency = forms.ChoiceField(label="轻重缓急", choices=Urgency.choices, initial=Urgency.NORMAL)
    sensitive = forms.BooleanField(label="涉密/敏感（仅公安、市级管理员和审计可见）", required=False)
    evidence = MultipleFileField(
        label="现场照片", required=False, help_text="可多选；JPEG/PNG/WebP 图片或 PDF，每个不超过 10 MB。"
    )

    field_order = [
        "school",
        "hazard_title",
        "description",
        "key_place",
        "category",
        "severity",
        "urgency",
        "sensitive",
        "occurred_at",
        "evidence",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hazard_title"] = forms.CharField(label="隐患名称", max_length=200)
        self.fields["description"] = forms.CharField(label="隐患描述", widget=textarea(4))
        self.order_fields(self.field_order)
        self.fields["school"].queryset = schools_reportable_by(self.user).order_by("name")
        if not can_see_sensitive(self.user):
            del self.fields["sensitive"]

    def perform(self):
        d = self.cleaned_data
        return svc.hazard_report(
            actor=self.user,
            school_id=d["school"].pk,
            title=d["hazard_title"],
            description=d["description"],
            category=d["category"],
            key_place=d["key_place"],
            severity=d["severity"],
            urgency=d["urgency"],
            sensitive=d.get("sensitive", False),
            occurred_at=d["occurred_at"],
            evidence=d["evidence"],
        )


# Service field names that differ from the form's (the report's ``title`` clashes with the form's).
FIELD_ALIASES = {"title": "hazard_title"}


# ---- transitions of an existing hazard ---------------------------------------------------------
class HazardActionForm(ActionForm):
    service = None
    comment = forms.CharField(label="备注", required=False, widget=textarea(2))

    def perform(self):
        return type(self).service(hazard_id=self.hazard.pk, actor=self.user, **self.service_kwargs())


class DeadlineFieldsMixin(forms.Form):
    """A deadline given as a date or as N working days (工作日), exactly one of the two.

    The service resolves N working days from the local date of ``occurred_at`` and records the basis;
    the view shows the resulting date and any uncovered-year warning after the service returns.
    """

    deadline_label = "整改时限"
    deadline = forms.DateField(label="整改时限（日期）", widget=DateInput(), required=False)
    deadline_working_days = forms.IntegerField(
        label="或：工作日数",
        required=False,
        min_value=1,
        max_value=MAX_WORKING_DAYS,
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_WORKING_DAYS, "step": 1, "inputmode": "numeric"}),
        help_text=f"填写日期，或填写“N 个工作日内”的 N（1 至 {MAX_WORKING_DAYS}，自办理当日的下一日起算，"
        "跳过法定节假日、计入调休上班日），二者填其一。",
        error_messages={
            "invalid": "请填写整数",
            "min_value": f"请填写 1 至 {MAX_WORKING_DAYS} 之间的整数",
            "max_value": f"请填写 1 至 {MAX_WORKING_DAYS} 之间的整数",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deadline"].label = f"{self.deadline_label}（日期）"

    def clean(self):
        data = super().clean()
        if self.has_error("deadline") or self.has_error("deadline_working_days"):
            return data
        day, n = data.get("deadline"), data.get("deadline_working_days")
        if day is None and n is None:
            self.add_error("deadline", f"请填写{self.deadline_label}：具体日期或工作日数")
        elif day is not None and n is not None:
            self.add_error("deadline_working_days", "日期和工作日数只能选其一")
        return data


class AssignForm(DeadlineFieldsMixin, HazardActionForm):
    title, submit_label = "交办整改", "交办"
    responsible_person = forms.CharField(label="责任人", max_length=100)
    responsible_phone = forms.CharField(label="责任人电话", max_length=40, required=False)
    measures = forms.CharField(label="整改措施", widget=textarea())
    funding = forms.CharField(label="整改资金", max_length=200, required=False)
    contingency_plan = forms.CharField(label="应急预案", widget=textarea(), required=False)

    field_order = [
        "measures",
        "responsible_person",
        "responsible_phone",
        "funding",
        "deadline",
        "deadline_working_days",
        "contingency_plan",
        "occurred_at",
        "comment",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.hazard is not None and self.hazard.is_major:
            # 五落实: a major hazard's plan names measures, responsibility, funding, deadline, contingency.
            for name in ("funding", "contingency_plan"):
                self.fields[name].required = True
            self.title = "交办整改（重大隐患：五落实）"


class TemporaryMeasuresForm(HazardActionForm):
    title, submit_label = "落实临时(强化)防范措施", "提交"
    measures = forms.CharField(label="临时(强化)防范措施", widget=textarea(4))
    evidence = MultipleFileField(label="现场照片", required=False)
    field_order = ["measures", "evidence", "occurred_at", "comment"]


class RectifiedForm(HazardActionForm):
    title, submit_label = "报告整改完成", "报告整改完成"
    description = forms.CharField(label="整改情况", widget=textarea(4))
    evidence = MultipleFileField(label="整改佐证材料（照片或 PDF，至少一份）")
    field_order = ["description", "evidence", "occurred_at", "comment"]


class VerifyForm(HazardActionForm):
    title, submit_label = "现场验收销号", "验收通过并销号"
    result = forms.CharField(label="现场验收意见", widget=textarea(4))
    evidence = MultipleFileField(label="验收照片", required=False)
    field_order = ["result", "evidence", "occurred_at", "comment"]


class RejectForm(HazardActionForm):
    title, submit_label = "验收不通过（返工）", "不通过，退回整改"
    reason = forms.CharField(label="不通过原因", widget=textarea(4))
    evidence = MultipleFileField(label="现场照片", required=False)
    field_order = ["reason", "evidence", "occurred_at", "comment"]


class EscalateForm(HazardActionForm):
    title, submit_label = "提请党委政府协调", "提请协调"
    reason = forms.CharField(label="无法在本级解决的原因", widget=textarea(4))
    temporary_measures = forms.CharField(
        label="已落实的临时(强化)防范措施",
        widget=textarea(3),
        required=False,
        help_text="提请协调前必须落实临时防范措施（严防带病作业）；学校已填报的会带入。",
    )
    field_order = ["reason", "temporary_measures", "occurred_at", "comment"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.hazard is not None and not self.is_bound:
            self.initial.setdefault("temporary_measures", self.hazard.temporary_measures)


class CoordinationForm(DeadlineFieldsMixin, HazardActionForm):
    title, submit_label = "记录协调决定", "记录决定"
    decision = forms.CharField(label="协调决定", widget=textarea(4))
    units_charged = forms.CharField(label="责任单位", max_length=300)
    deadline_label = "新的整改时限"
    back_to = forms.ChoiceField(
        label="后续状态",
        choices=[
            (HazardState.ASSIGNED, "回到学校整改（整改中）"),
            (HazardState.TEMPORARY_MEASURES, "继续临时防范（临时防范中）"),
        ],
        initial=HazardState.TEMPORARY_MEASURES,
    )
    field_order = [
        "decision",
        "units_charged",
        "deadline",
        "deadline_working_days",
        "back_to",
        "occurred_at",
        "comment",
    ]


class CloseInvalidForm(HazardActionForm):
    title, submit_label = "作废（重复上报或不构成隐患）", "作废"
    reason = forms.CharField(label="作废原因", widget=textarea(3))
    field_order = ["reason", "occurred_at", "comment"]


class ChangeDeadlineForm(DeadlineFieldsMixin, HazardActionForm):
    title, submit_label = "调整整改时限", "调整时限"
    deadline_label = "新的整改时限"
    reason = forms.CharField(label="调整原因", widget=textarea(3))
    field_order = ["deadline", "deadline_working_days", "reason", "occurred_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["comment"]


# The form of each action, as the lifecycle table names it; each performs its action's service.
ACTION_FORMS = {name: globals()[action.form] for name, action in ACTIONS.items() if action.form}
for _name, _form in ACTION_FORMS.items():
    _form.service = getattr(svc, f"hazard_{_name}")
