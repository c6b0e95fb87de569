"""Render a report's grid to an A4 PDF with WeasyPrint: a pure function returning bytes.

The Chinese is set in WenQuanYi Micro Hei (Debian's fonts-wqy-microhei, installed by
scripts/install-system-deps.sh), named in the stylesheet; without a CJK font WeasyPrint would print
empty boxes and raise nothing, so the tests read the text back and a page is checked as an image.
"""
from django.template.loader import render_to_string

from .forms import Report

FONT_FAMILY = "WenQuanYi Micro Hei"


def render_html(report: Report) -> str:
    total = sum(report.columns)
    return render_to_string("reports/pdf/report.html", {
        "report": report,
        "rows": [(max(c.height for c in row), row) for row in report.rows],
        "widths": [f"{w * 100 / total:.2f}%" for w in report.columns],
        "landscape": report.kind == "district",
        "font_family": FONT_FAMILY,
    })


def render(report: Report) -> bytes:
    """The report as PDF bytes (A4; the district table in landscape, for its eight columns)."""
    from weasyprint import HTML  # imported here: loading Pango is slow and only rendering needs it

    return HTML(string=render_html(report)).write_pdf()
