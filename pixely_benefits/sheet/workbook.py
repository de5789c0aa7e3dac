"""The local ``.xlsx`` workbook backend.

Reads go through python-calamine, which iterates a large workbook about ten
times faster than openpyxl; openpyxl is used only to create and change files.
"""

from __future__ import annotations

import logging
import re
import zipfile
from collections.abc import Iterable
from datetime import date, datetime, time
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree import ElementTree

from pixely_benefits.errors import SheetFormatError, SheetNotFoundError
from pixely_benefits.sheet.base import ChangeSet, RawRow, RawTab
from pixely_benefits.sheet.cells import Cell
from pixely_benefits.sheet.schema import TabSpec, normalize, tab_titles

logger = logging.getLogger(__name__)

SUFFIXES = (".xlsx", ".xlsm")

_NS = {
    "main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "rel": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "pkg": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_UNCACHED_FORMULA = re.compile(
    rb'<c r="([A-Z]+[0-9]+)"(?![^>]*\bt="str")[^>]*>'
    rb"\s*<f\b[^>]*(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>"
)
"""A formula cell saved without a result. ``t="str"`` with an empty ``<v>`` is a
saved empty text (``=SI(A2="";"";...)``), not a missing result."""


def _cell(value: Any) -> Cell:
    """Map calamine's values onto :data:`Cell` ('' means blank)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str | int | float | bool | date):
        return value
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value)


_AS_IS = frozenset((int, float, bool, date, datetime))
"""Types calamine returns that are already a :data:`Cell`."""


def _trimmed(values: list[Any], width: int) -> list[Cell]:
    # The same mapping as _cell, inlined for the common types: a large sheet has
    # millions of cells, and calling _cell for each took twice as long.
    # ``not v or v.isspace()`` is ``not v.strip()`` without building a string.
    row = [
        (None if not v or v.isspace() else v)
        if type(v) is str
        else (v if type(v) in _AS_IS else _cell(v))
        for v in values[:width]
    ]
    while row and row[-1] is None:
        row.pop()
    return row


class WorkbookStore:
    """A control sheet kept in a local ``.xlsx`` file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fingerprint: tuple[int, int] | None = None

    @property
    def label(self) -> str:
        return str(self.path)

    def _check_file(self) -> None:
        if not self.path.exists():
            raise SheetNotFoundError(
                f"No existe el archivo «{self.path}»: créalo con «pixely init {self.path}» "
                "o indica otra hoja con --sheet."
            )
        if self.path.is_dir():
            raise SheetNotFoundError(
                f"«{self.path}» es una carpeta: indica el archivo .xlsx de la hoja de control."
            )
        if self.path.suffix.lower() not in SUFFIXES:
            raise SheetFormatError(
                f"«{self.path.name}» no es un libro de Excel (.xlsx): guarda la hoja de "
                "control como .xlsx o indica la URL de Google Sheets."
            )

    def fingerprint(self) -> tuple[int, int]:
        stat = self.path.stat()
        return stat.st_mtime_ns, stat.st_size

    def read(self, tabs: Iterable[TabSpec]) -> dict[str, RawTab]:
        from python_calamine import CalamineWorkbook

        self._check_file()
        self._fingerprint = self.fingerprint()
        try:
            book = CalamineWorkbook.from_path(str(self.path))
        except Exception as error:  # calamine raises several unrelated types
            logger.debug("calamine cannot open %s: %s", self.path, error)
            raise SheetFormatError(
                f"No se puede leer «{self.path.name}» como libro de Excel: comprueba "
                "que no esté dañado y que sea un .xlsx (ábrelo y guárdalo de nuevo "
                "como .xlsx)."
            ) from error
        titles = tab_titles(book.sheet_names)
        wanted = [(spec, titles.get(normalize(spec.name))) for spec in tabs]
        formula_refs = self._uncached_formulas([t for _, t in wanted if t is not None])
        found: dict[str, RawTab] = {}
        for spec, title in wanted:
            if title is None:
                continue
            try:
                rows = book.get_sheet_by_name(title).to_python(skip_empty_area=False)
            except Exception as error:
                logger.debug("calamine cannot read tab %s: %s", title, error)
                raise SheetFormatError(
                    f"No se puede leer la pestaña «{title}» de «{self.path.name}»: "
                    "ábrelo en Excel o LibreOffice y guárdalo de nuevo como .xlsx."
                ) from error
            found[spec.name] = _raw_tab(title, rows, formula_refs.get(title, []))
        return found

    def _uncached_formulas(self, titles: list[str]) -> dict[str, list[str]]:
        """A1 references of formula cells saved without a value, by tab title.

        Such cells read as blank, which would silently hide data; files saved by
        Excel or LibreOffice keep results, files written by scripts may not.
        """
        try:
            with zipfile.ZipFile(self.path) as archive:
                parts = sheet_parts(archive)
                result: dict[str, list[str]] = {}
                for title in titles:
                    part = parts.get(title)
                    if part is None or not _has_formulas(archive, part):
                        continue
                    data = archive.read(part)
                    refs = [m.decode() for m in _UNCACHED_FORMULA.findall(data)]
                    if refs:
                        result[title] = refs
                return result
        except (KeyError, zipfile.BadZipFile, ElementTree.ParseError) as error:
            logger.debug("formula scan skipped: %s", error)
            return {}

    def write(self, changes: ChangeSet) -> None:
        from pixely_benefits.sheet.workbook_write import apply_changes

        if changes:
            apply_changes(self.path, changes, expected=self._fingerprint)
            self._fingerprint = self.fingerprint()


def _has_formulas(archive: zipfile.ZipFile, part: str) -> bool:
    """Whether the XML part holds a formula (``<f``), read in 1 MB pieces.

    Most tabs hold none; streaming spares a copy of the whole part (70 MB for
    a 100,000-row tab) and a quarter of the time of reading it at once.
    """
    previous = b""
    with archive.open(part) as stream:
        while piece := stream.read(1 << 20):
            if b"<f" in piece or b"<f" in previous + piece[:1]:
                return True
            previous = piece[-1:]
    return False


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Map each tab title to its XML part inside the archive."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {
        r.get("Id"): r.get("Target", "") for r in rels.findall("pkg:Relationship", _NS)
    }
    parts: dict[str, str] = {}
    for sheet in book.findall("main:sheets/main:sheet", _NS):
        target = targets.get(sheet.get(f"{{{_NS['rel']}}}id"), "")
        if not target:
            continue
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        parts[sheet.get("name", "")] = str(PurePosixPath(path))
    return parts


def _data_width(rows: list[list[Any]], width: int) -> int:
    """How many columns hold something: the header's, or more when data lies to
    its right, so that a column of data without a header is seen (and reported)
    instead of silently left out. calamine gives every row the width of the
    used range, so a tab no wider than its header costs nothing."""
    if not rows or len(rows[0]) <= width:
        return width
    for values in rows[1:]:
        for index in range(len(values) - 1, width - 1, -1):
            if _cell(values[index]) is not None:
                width = index + 1
                break
    return width


def _raw_tab(title: str, rows: list[list[Any]], formulas: list[str]) -> RawTab:
    header_cells = [_cell(v) for v in rows[0]] if rows else []
    header = ["" if v is None else str(v).strip() for v in header_cells]
    while header and not header[-1]:
        header.pop()
    width = _data_width(rows, len(header))
    header += [""] * (width - len(header))
    body: list[RawRow] = []
    for index, values in enumerate(rows[1:], start=2):
        row = _trimmed(values, width)
        if row:
            body.append(RawRow(index, row))
    return RawTab(title, header, body, formulas)
