import re
import subprocess
from io import BytesIO

from openpyxl import load_workbook


def pdf_text(data: bytes, *, layout: bool = False) -> str:
    args = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else []) + ["-", "-"]
    return subprocess.run(args, input=data, capture_output=True, check=True).stdout.decode("utf-8")


def squeeze(text: str) -> str:
    """Text without whitespace: a caption wrapped inside its cell reads as one string again."""
    return re.sub(r"\s+", "", text)


def pdf_fonts(data: bytes, tmp_path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout


def sheet(data: bytes):
    return load_workbook(BytesIO(data)).active


def sheet_rows(data: bytes) -> list[list]:
    return [list(row) for row in sheet(data).iter_rows(values_only=True)]


def row_with(rows: list[list], text: str) -> list:
    return next(row for row in rows if any(cell == text for cell in row))
