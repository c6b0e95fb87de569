"""Render a report's grid to an A4 PDF with WeasyPrint: a pure function returning bytes.

The Chinese is set in WenQuanYi Micro Hei (Debian's fonts-wqy-microhei, installed by
scripts/install-system-deps.sh), named in the stylesheet; without a CJK font WeasyPrint would print
empty boxes and raise nothing, so the tests read the text back and a page is checked as an image.

A 300-school 附件2 is a table of 2,700 cells over 18 landscape pages, and WeasyPrint's cost grows with
the cells: the template writes them without blank text between tags and with a class only where the
style differs, and the user-agent stylesheet is cut down to the elements the template uses
(templates/reports/pdf/ua.css). Measured (CPU time, 300 rows): collapsed borders draw cheaper than
separate ones here (one grid of segments instead of two borders per cell), so they stay.
"""

from functools import cache

from django.template.loader import render_to_string

from .layouts import Report

FONT_FAMILY = "WenQuanYi Micro Hei"


def _row_class(height: int, last: bool, kind: str) -> str:
    classes = ([f"h{height}"] if height > 1 else []) + (["total"] if last and kind != "school" else [])
    return " ".join(classes)


def render_html(report: Report) -> str:
    total = sum(report.columns)
    last = len(report.rows) - 1
    return render_to_string(
        "reports/pdf/report.html",
        {
            "report": report,
            "rows": [
                (_row_class(max(c.height for c in row), i == last, report.kind), row)
                for i, row in enumerate(report.rows)
            ],
            "widths": [f"{w * 100 / total:.2f}%" for w in report.columns],
            "landscape": report.kind == "district",
            "font_family": FONT_FAMILY,
        },
    )


@cache
def _html_class():
    """WeasyPrint's HTML with the report's own user-agent stylesheet (see the module's docstring).

    ``_ua_stylesheets`` is WeasyPrint's hook for it (weasyprint is pinned in requirements.txt; the
    rendering tests read every report's text and fonts back, so a change there shows)."""
    from weasyprint import CSS, HTML  # imported here: loading Pango is slow and only rendering needs it

    ua = CSS(string=render_to_string("reports/pdf/ua.css"))

    class ReportHTML(HTML):
        def _ua_stylesheets(self, forms=False):
            return [ua]

    return ReportHTML


def render(report: Report) -> bytes:
    """The report as PDF bytes (A4; the district table in landscape, for its eight columns)."""
    return _html_class()(string=render_html(report)).write_pdf()
