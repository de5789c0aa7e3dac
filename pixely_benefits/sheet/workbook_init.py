"""Creating a new control workbook, formatted for people to keep typing into it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from pixely_benefits.errors import PixelyError
from pixely_benefits.sheet.cells import Cell
from pixely_benefits.sheet.schema import Kind, TabSpec, column_letter

NUMBER_FORMATS = {
    Kind.TEXT: "@",
    Kind.DATE: "dd/mm/yyyy",
    Kind.DATETIME: "dd/mm/yyyy hh:mm",
    Kind.NUMBER: "General",
}
FORMATTED_ROWS = 500
"""Rows below the header that get the column formats, ready for typing."""


def create_workbook(
    path: Path, tabs: Sequence[tuple[TabSpec, Sequence[Mapping[str, Cell]]]]
) -> None:
    """Write a new workbook at ``path`` with ``tabs`` (refuses to overwrite)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    if path.exists():
        raise PixelyError(
            f"Ya existe «{path}»: no se sobrescribe. Elige otro nombre o bórralo antes."
        )
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="5B2C83")
    for spec, rows in tabs:
        sheet = book.create_sheet(spec.name)
        sheet.freeze_panes = "A2"
        for index, column in enumerate(spec.columns, start=1):
            letter = column_letter(index - 1)
            head = sheet.cell(row=1, column=index, value=column.header)
            head.font = bold
            head.fill = fill
            sheet.column_dimensions[letter].width = max(12, len(column.header) + 4)
            number_format = NUMBER_FORMATS[column.kind]
            for row_number in range(2, max(FORMATTED_ROWS, len(rows) + 2)):
                sheet.cell(row=row_number, column=index).number_format = number_format
            for row_number, row in enumerate(rows, start=2):
                value = row.get(column.header)
                if value is None:
                    continue
                cell = sheet.cell(row=row_number, column=index, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"
    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            prefix=".pixely-", suffix=".xlsx", dir=folder
        )
    except OSError as error:
        raise PixelyError(
            f"No se puede crear «{path}»: comprueba que la carpeta «{folder}» exista "
            "o se pueda crear (no un archivo) y que puedas escribir en ella."
        ) from error
    os.close(handle)
    try:
        book.save(temporary)
        os.chmod(temporary, _new_file_mode())  # mkstemp makes it private (0600)
        if path.exists():
            raise PixelyError(f"Ya existe «{path}»: no se sobrescribe.")
        os.replace(temporary, path)
    except OSError as error:
        raise PixelyError(
            f"No se pudo guardar «{path}»: comprueba que haya espacio y que puedas "
            "escribir en la carpeta."
        ) from error
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _new_file_mode() -> int:
    """The mode a file created by any program gets here: 0666 less the umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask
