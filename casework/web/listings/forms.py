"""Forms of the listing pages: they parse the input; the services decide and refuse (in Chinese)."""

from django import forms
from django.utils import timezone

from casework.models import ListingLevel


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _now():
    return timezone.localtime().replace(second=0, microsecond=0)


class ListingForm(forms.Form):
    hazard = forms.TypedChoiceField(label="重大隐患", coerce=int, required=False)
    level = forms.ChoiceField(label="督办层级", choices=ListingLevel.choices, required=False)
    decision_number = forms.CharField(label="挂牌文号", max_length=100, required=False)
    listed_on = forms.DateField(label="挂牌日期", required=False, widget=DateInput(), initial=timezone.localdate)
    required_by = forms.DateField(label="要求完成时限", required=False, widget=DateInput())
    measures = forms.CharField(label="整改措施", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    responsible_person = forms.CharField(label="责任人", max_length=100, required=False)
    funding = forms.CharField(label="整改资金", max_length=200, required=False)
    contingency_plan = forms.CharField(label="应急预案", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    supervising_officer = forms.TypedChoiceField(label="督办责任人", coerce=int, required=False, empty_value=None)
    progress_interval_days = forms.IntegerField(
        label="进展报告周期（天）", required=False, initial=7, min_value=1, max_value=90
    )
    occurred_at = forms.DateTimeField(label="决定时间", required=False, widget=DateTimeInput(), initial=_now)
    comment = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, hazards, levels, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hazard"].choices = [(h.pk, f"#{h.pk} {h.title}（{h.school.name}）") for h in hazards]
        self.fields["level"].choices = [(v, label) for v, label in ListingLevel.choices if v in levels]
        self.fields["supervising_officer"].choices = [("", "—")] + [
            (u.pk, u.get_full_name() or u.username) for u in officers
        ]


class ProgressForm(forms.Form):
    work_done = forms.CharField(label="进展情况", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    percent_complete = forms.CharField(
        label="完成比例（%）", required=False, widget=forms.NumberInput(attrs={"min": 0, "max": 100})
    )
    occurred_at = forms.DateTimeField(label="报告时间", required=False, widget=DateTimeInput(), initial=_now)


class ReminderForm(forms.Form):
    message = forms.CharField(label="催办内容", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    occurred_at = forms.DateTimeField(label="催办时间", required=False, widget=DateTimeInput(), initial=_now)


class DelistForm(forms.Form):
    decision_number = forms.CharField(label="摘牌文号", max_length=100, required=False)
    delisted_on = forms.DateField(label="摘牌日期", required=False, widget=DateInput(), initial=timezone.localdate)
    reason = forms.CharField(label="摘牌理由", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    occurred_at = forms.DateTimeField(label="决定时间", required=False, widget=DateTimeInput(), initial=_now)
