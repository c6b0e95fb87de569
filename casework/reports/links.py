"""Links from the campaign and return pages to the report downloads (附件1/附件2) and the statistics.

Only for users who may draw up the campaign's reports (``casework.access``); the report pages check
again. A school's own 附件1 is linked directly when the user may render it for that school.
"""

from urllib.parse import urlencode

from django.urls import reverse

from casework.access import report_campaigns_for, report_units_for
from casework.models import OrgKind


def campaign_report_links(user, campaign, *, school=None, district=None) -> dict | None:
    """``{"index", "statistics", "school": {fmt: url}, "district": {fmt: url}}`` or None if not allowed."""
    if not report_campaigns_for(user).filter(pk=campaign.pk).exists():
        return None
    query = {"campaign": campaign.pk}
    links = {
        "index": reverse("reports:index") + "?" + urlencode(query),
        "statistics": reverse("reports:statistics") + "?" + urlencode(query),
    }
    units = report_units_for(user)
    for form, unit, kind in (("school", school, OrgKind.SCHOOL), ("district", district, OrgKind.DISTRICT)):
        if unit is not None and units.filter(pk=unit.pk, kind=kind).exists():
            links[form] = {
                fmt: reverse("reports:render") + "?" + urlencode(query | {"form": form, "unit": unit.pk, "format": fmt})
                for fmt in ("pdf", "xlsx")
            }
    return links
