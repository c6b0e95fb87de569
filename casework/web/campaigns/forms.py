"""Forms for campaign pages: they validate and render; the services decide and write."""

from django import forms

from casework.models import ChecklistCategory, InspectionKind, KeyPlace, SchoolReturn
from casework.models.campaign import RETURN_POLICE_FIELDS
from casework.services.campaigns import SCHOOL_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(forms.Form):
    name = forms.CharField(label="名称", max_length=200)
    issuing_document = forms.CharField(label="印发文件", max_length=300)
    document_number = forms.CharField(label="文号", max_length=100, required=False)
    issued_by = forms.CharField(label="印发单位", max_length=200, required=False)
    description = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    starts_on = forms.DateField(label="开始日期", widget=DATE)
    ends_on = forms.DateField(label="结束日期", widget=DATE)
    statistics_cutoff = forms.DateField(label="统计截止日期", widget=DATE, required=False)
    report_due = forms.DateField(label="报表报送截止日期", widget=DATE, required=False)
    checklist_categories = forms.ModelMultipleChoiceField(
        label="使用的检查表",
        queryset=ChecklistCategory.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    PHASES = 6

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, self.PHASES + 1):
            self.fields[f"phase_{i}_name"] = forms.CharField(label=f"第{i}阶段名称", max_length=100, required=False)
            self.fields[f"phase_{i}_due"] = forms.DateField(label=f"第{i}阶段完成期限", widget=DATE, required=False)

    def phase_fields(self):
        return [(self[f"phase_{i}_name"], self[f"phase_{i}_due"]) for i in range(1, self.PHASES + 1)]


class InspectionHeaderForm(forms.Form):
    school = forms.ChoiceField(label="学校")
    kind = forms.ChoiceField(label="检查方式", choices=InspectionKind.choices)
    inspectors = forms.CharField(label="检查人员", max_length=300)
    inspected_on = forms.DateField(label="检查日期", widget=DATE)
    key_places = forms.MultipleChoiceField(
        label="检查的重点场所", choices=KeyPlace.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    summary = forms.CharField(label="检查情况", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, schools=(), kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [
            (s.pk, f"{s.district.name if s.district_id else ''} {s.name}") for s in schools
        ]
        if kinds is not None:
            self.fields["kind"].choices = [(k, InspectionKind(k).label) for k in kinds]


class SchoolPartForm(forms.ModelForm):
    class Meta:
        model = SchoolReturn
        fields = list(SCHOOL_FIELDS)
        widgets = {
            "filled_on": DATE,
            "electrical_fire_rectification": forms.Textarea(attrs={"rows": 2}),
            "school_bus_hazards": forms.Textarea(attrs={"rows": 2, "placeholder": "无校车等用“/”"}),
            "holiday_safety_education": forms.Textarea(attrs={"rows": 2}),
            "work_report": forms.Textarea(attrs={"rows": 5}),
        }


class PolicePartForm(forms.ModelForm):
    class Meta:
        model = SchoolReturn
        fields = list(RETURN_POLICE_FIELDS)
        widgets = {
            "surrounding_order_problems": forms.Textarea(attrs={"rows": 2}),
            "instability_factors": forms.Textarea(attrs={"rows": 2}),
            "instability_factors_unresolved": forms.Textarea(attrs={"rows": 2}),
            "sensitive_notes": forms.Textarea(attrs={"rows": 3}),
        }


class SendBackForm(forms.Form):
    reason = forms.CharField(label="退回原因", max_length=200)
