"""The admin of the holiday overrides: city_admin edits them (through the service) and imports Excel."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from simple_history.admin import SimpleHistoryAdmin

from .access import can_maintain_calendar, memberships_of
from .errors import TransitionRefused
from .models import HolidayOverride
from .services.deadlines import holiday_override_set, holiday_overrides_import, holiday_workbook_template

WEEKDAYS = "一二三四五六日"


class HolidayImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）", help_text="表头：日期、类型（放假/上班）、名称、依据")


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(SimpleHistoryAdmin):
    list_display = ["date", "weekday", "is_workday", "name", "source", "updated_by", "updated_at"]
    list_filter = ["is_workday"]
    search_fields = ["name", "source"]
    date_hierarchy = "date"
    fields = ["date", "is_workday", "name", "source"]
    change_list_template = "admin/casework/holidayoverride/change_list.html"

    @admin.display(description="星期")
    def weekday(self, obj):
        return f"星期{WEEKDAYS[obj.date.weekday()]}"

    # casework.access decides, not Django's model permissions: anyone in an org unit may read the calendar.
    def has_module_permission(self, request):
        return bool(memberships_of(request.user))

    def has_view_permission(self, request, obj=None):
        return bool(memberships_of(request.user))

    def has_add_permission(self, request):
        return can_maintain_calendar(request.user)

    def has_change_permission(self, request, obj=None):
        return can_maintain_calendar(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # nothing is deleted; a correction is an edit the history keeps

    def get_readonly_fields(self, request, obj=None):
        return ["date"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        try:
            saved = holiday_override_set(
                actor=request.user,
                day=form.cleaned_data.get("date") or obj.date,
                is_workday=obj.is_workday,
                name=obj.name,
                source=obj.source,
                reason="admin_edit",
            )
        except TransitionRefused as refused:
            # The admin's form has validated already; a refusal here is a role change or a race.
            messages.error(request, refused.message)
            raise
        obj.pk = saved.pk

    def get_urls(self):
        custom = [
            path("import/", self.admin_site.admin_view(self.import_view), name="casework_holidayoverride_import"),
            path("template/", self.admin_site.admin_view(self.template_view), name="casework_holidayoverride_template"),
        ]
        return custom + super().get_urls()

    def import_view(self, request):
        if not can_maintain_calendar(request.user):
            messages.error(request, "节假日安排仅限市级管理员维护。")
            return redirect(reverse("admin:casework_holidayoverride_changelist"))
        form = HolidayImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = holiday_overrides_import(actor=request.user, file=upload, filename=upload.name)
            except TransitionRefused as refused:
                form.add_error("file", refused.message)
            else:
                messages.success(request, f"导入完成。{result.summary()}")
                return redirect(reverse("admin:casework_holidayoverride_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": "从 Excel 导入节假日安排",
        }
        return TemplateResponse(request, "admin/casework/holidayoverride/import.html", context)

    def template_view(self, request):
        response = HttpResponse(
            holiday_workbook_template(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="holidays-template.xlsx"'
        return response
