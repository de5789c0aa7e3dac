"""The Word (.docx) version of a report, written with python-docx.

It shows the same :class:`~pixely_benefits.reports.Report` as the Markdown and
HTML templates, with only built-in styles (``Title``, ``Heading 1``, ``Table
Grid``) so that Word, LibreOffice and Google Docs open it alike. Spaces to
fill are empty table cells: they stay visible and grow as the CM types.
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor

from pixely_benefits.messages import long_date
from pixely_benefits.procedures import Grid
from pixely_benefits.reports import Report, ReportSection

BOX = "☐"
_GREY = RGBColor(0x59, 0x59, 0x59)
_TABLE_TEXT = Pt(9)


def docx_bytes(report: Report) -> bytes:
    """The report as the bytes of a .docx file."""
    document = Document()
    _setup(document, report)
    document.add_paragraph(report.title, style="Title")
    _facts(document, report)
    _paragraph(document, f"Objetivo: {report.objective}", italic=True)
    for number, section in enumerate(report.sections, start=1):
        _section(document, number, section)
    document.add_heading("Lista de verificación del procedimiento", level=1)
    for step in report.checklist:
        paragraph = document.add_paragraph(f"{BOX} ")
        paragraph.add_run(f"{step.title}.").bold = True
        paragraph.add_run(f" {step.detail}")
    document.add_heading("Documentos y recursos", level=1)
    for resource in report.resources:
        document.add_paragraph(resource, style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _setup(document: Any, report: Report) -> None:
    properties = document.core_properties
    properties.title = f"{report.title} — {report.client.name}"
    properties.subject = report.benefit.name
    properties.author = report.agency
    properties.language = "es"
    properties.comments = f"ID de entrega {report.delivery_id}"
    normal = document.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)
    for section in document.sections:
        section.left_margin = section.right_margin = Cm(2)
        section.top_margin = section.bottom_margin = Cm(2)
        footer = section.footer.paragraphs[0]
        footer.text = (
            f"{report.agency} · {report.client.name} · ID de entrega "
            f"{report.delivery_id} · preparado el {long_date(report.prepared)}"
        )
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for run in footer.runs:
            run.font.size = Pt(8)
            run.font.color.rgb = _GREY


def _paragraph(
    container: Any, text: str, *, italic: bool = False, grey: bool = False
) -> Any:
    paragraph = container.add_paragraph()
    run = paragraph.add_run(text)
    run.italic = italic
    if grey:
        run.font.color.rgb = _GREY
    return paragraph


def _table(document: Any, rows: int, columns: int) -> Any:
    table = document.add_table(rows=rows, cols=columns)
    table.style = "Table Grid"
    return table


def _cell(cell: Any, text: str, *, bold: bool = False, small: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.bold = bold
    if small:
        run.font.size = _TABLE_TEXT


def _facts(document: Any, report: Report) -> None:
    facts = report.facts
    table = _table(document, len(facts), 2)
    for row, (label, value) in zip(table.rows, facts, strict=True):
        _cell(row.cells[0], label, bold=True)
        _cell(row.cells[1], value)
    document.add_paragraph()


def _section(document: Any, number: int, section: ReportSection) -> None:
    document.add_heading(f"{number}. {section.title}", level=1)
    _paragraph(document, section.hint, italic=True, grey=True)
    for text in section.paragraphs:
        document.add_paragraph(text)
    for option in section.options:
        document.add_paragraph(f"{BOX} {option}")
    if section.prompts:
        table = _table(document, len(section.prompts), 2)
        for row, prompt in zip(table.rows, section.prompts, strict=True):
            _cell(row.cells[0], prompt, bold=True)
            row.cells[0].width = Cm(6)
            row.cells[1].width = Cm(11)
    if section.grid is not None:
        _grid(document, section.grid)
    if section.lines:
        _box(document, section.lines)
    if section.placeholder:
        _box(document, 8, f"[{section.title}: espacio reservado]")


def _grid(document: Any, grid: Grid) -> None:
    table = _table(document, len(grid.rows) + 1, len(grid.columns) + 1)
    header = table.rows[0].cells
    _cell(header[0], grid.corner, bold=True, small=True)
    for cell, title in zip(header[1:], grid.columns, strict=True):
        _cell(cell, title, bold=True, small=True)
    for row, label in zip(table.rows[1:], grid.rows, strict=True):
        _cell(row.cells[0], label, bold=True, small=True)
    document.add_paragraph()


def _box(document: Any, lines: int, caption: str = "") -> None:
    """An empty framed area about ``lines`` lines high, to write in."""
    cell = _table(document, 1, 1).rows[0].cells[0]
    if caption:
        _cell(cell, caption)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        cell.paragraphs[0].runs[0].font.color.rgb = _GREY
    for _ in range(lines - 1):
        cell.add_paragraph()
    document.add_paragraph()
