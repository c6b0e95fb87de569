"""Render a report's grid to an Excel workbook (openpyxl): the same layout as the PDF, merged cells and totals.

A pure function returning bytes. Numbers are stored as numbers, so the workbook sums and the PDF
print the same figures; the moments and the fingerprint sit under the table as on the PDF.
"""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from .layouts import Report

FONT = "WenQuanYi Micro Hei"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
LABEL_FILL = PatternFill("solid", fgColor="F2F2F2")
ROW_HEIGHTS = {1: 30, 2: 48, 4: 110}  # points, by the grid's relative height


def grid_positions(report: Report) -> list[list[tuple[int, int]]]:
    """The (row, column) where each cell of the grid starts, 1-based, the table's first row being 1.

    Cells covered by a rowspan from above are skipped, as in HTML table layout.
    """
    occupied: set[tuple[int, int]] = set()
    positions = []
    for r, row in enumerate(report.rows, start=1):
        col = 1
        starts = []
        for cell in row:
            while (r, col) in occupied:
                col += 1
            starts.append((r, col))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    occupied.add((r + dr, col + dc))
            col += cell.colspan
        positions.append(starts)
    return positions


def render(report: Report) -> bytes:
    """The report as an .xlsx workbook's bytes."""
    wb = Workbook()
    ws = wb.active
    ws.title = report.attachment or "汇总表"
    width = len(report.columns)
    font = Font(name=FONT, size=10.5)
    bold = Font(name=FONT, size=10.5, bold=True)

    def line(row: int, text: str, *, size: float = 10.5, center: bool = False, height: float | None = None):
        ws.cell(row=row, column=1, value=text).font = Font(name=FONT, size=size)
        ws.cell(row=row, column=1).alignment = Alignment(
            horizontal="center" if center else "left", vertical="center", wrap_text=True
        )
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        if height:
            ws.row_dimensions[row].height = height

    r = 1
    if report.attachment:
        line(r, report.attachment)
        r += 1
    line(r, report.title, size=16, center=True, height=30)
    r += 1
    line(r, "　　".join(f"{caption}：{value}" for caption, value in report.header))
    r += 1
    top = r - 1  # grid row 1 lands on sheet row top + 1

    for starts, row in zip(grid_positions(report), report.rows):
        for (gr, gc), cell in zip(starts, row):
            sr = top + gr
            target = ws.cell(row=sr, column=gc, value=cell.value if cell.value != "" else (cell.hint or None))
            target.font = bold if (cell.label and report.kind != "school") else font
            target.alignment = Alignment(
                horizontal="left" if cell.height > 1 else "center", vertical="center", wrap_text=True
            )
            if cell.label:
                target.fill = LABEL_FILL
            if cell.colspan > 1 or cell.rowspan > 1:
                ws.merge_cells(
                    start_row=sr, start_column=gc, end_row=sr + cell.rowspan - 1, end_column=gc + cell.colspan - 1
                )
            for rr in range(sr, sr + cell.rowspan):
                for cc in range(gc, gc + cell.colspan):
                    ws.cell(row=rr, column=cc).border = BORDER
        ws.row_dimensions[top + starts[0][0]].height = ROW_HEIGHTS.get(max(c.height for c in row), 30)
    r = top + len(report.rows) + 1

    for text in report.footer:
        line(r, text, height=32)
        r += 1
    if report.signatures:
        line(r, "　　　　　　".join(report.signatures))
        r += 1
    r += 1
    for text in report.meta_lines():
        line(r, text, size=8)
        r += 1

    total = sum(report.columns)
    for i, w in enumerate(report.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = round(w / total * (110 if width > 6 else 90), 1)
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if report.kind == "district" else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    out = BytesIO()
    wb.save(out)
    return out.getvalue()
