"""Thin views for deadlines and time-to-fix: scope through casework.access, call a selector, render."""

from datetime import date, datetime, time

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from casework.errors import TransitionRefused
from casework.selectors.time_to_fix import DIMENSIONS, INTERVALS, time_to_fix_for
from casework.services.deadlines import deadline_preview as preview_deadline
from casework.web.params import date_param, int_param

WEEKDAYS = "一二三四五六日"


def end_of_day(day: date) -> datetime:
    """The cut-off "as of 31 July" is the end of that day, Asia/Shanghai."""
    return timezone.make_aware(datetime.combine(day, time.max))


@login_required
@require_GET
def time_to_fix(request):
    """整改用时统计: medians and 90th percentiles per district, school kind and category."""
    today = timezone.localdate()
    errors = []
    start = date_param(request.GET.get("start")) or date(today.year, 1, 1)
    end = date_param(request.GET.get("end")) or today
    cutoff = date_param(request.GET.get("cutoff")) or today
    for name in ("start", "end", "cutoff"):
        if request.GET.get(name) and date_param(request.GET.get(name)) is None:
            errors.append(f"日期格式不正确：{request.GET.get(name)[:20]}（应为 年-月-日）")
    if start > end:
        errors.append("统计期间的开始日期不能晚于结束日期，已按默认期间统计。")
        start, end = date(today.year, 1, 1), today
    report = time_to_fix_for(request.user, period_start=start, period_end=end, as_of=end_of_day(cutoff))
    return render(
        request,
        "statistics/time_to_fix.html",
        {
            "report": report,
            "start": start,
            "end": end,
            "cutoff": cutoff,
            "errors": errors,
            "intervals": INTERVALS,
            "tables": [(DIMENSIONS[dim], rows) for dim, rows in report.tables.items()],
        },
    )


@login_required
@require_GET
def deadline_preview(request):
    """For the assignment and deadline forms: ?start=YYYY-MM-DD&working_days=N → the date and any warning."""
    start = date_param(request.GET.get("start")) or timezone.localdate()
    n = int_param(request.GET.get("working_days", ""))
    if n is None:
        return JsonResponse({"error": "请填写工作日数（整数）。"}, status=400)
    try:
        resolved = preview_deadline(start=start, working_days=n)
    except TransitionRefused as refused:
        return JsonResponse({"error": refused.message}, status=400)
    return JsonResponse(
        {
            "start": start.isoformat(),
            "working_days": n,
            "deadline": resolved.date.isoformat(),
            "weekday": f"星期{WEEKDAYS[resolved.date.weekday()]}",
            "warning": resolved.warning,
        }
    )
