"""Applying a :class:`ChangeSet` to a local ``.xlsx`` workbook.

openpyxl loads the whole workbook (not read-only, so styles, column widths,
formulas and the tabs the tool does not know are kept), the named cells are
changed in memory and the result replaces the file atomically: it is saved to
a temporary file in the same folder and moved over the original with
:func:`os.replace`, so a crash leaves either the old file or the new one.

Nothing is written when a row to update is gone or duplicated, when the file
changed on disk since it was read, or when it is open in Excel or LibreOffice.
A hidden lock file beside the workbook keeps two ``pixely`` runs from writing
at the same time.

openpyxl drops the saved results of formulas, which the tool itself reads
(a ``Plan`` or ``CM`` column may be a formula). They are put back into the
saved file from the original, cell by cell; Excel and LibreOffice compute
every formula again when they open it anyway. Known limit: a formula that
depends on a cell the tool just changed keeps its previous result until the
file is opened and saved in one of them.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Mapping
from copy import copy
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from pixely_benefits.errors import (
    ConcurrentChangeError,
    PixelyError,
    SheetFormatError,
    StructuralError,
)
from pixely_benefits.sheet import cells
from pixely_benefits.sheet.base import ChangeSet, write_conflict
from pixely_benefits.sheet.cells import Cell
from pixely_benefits.sheet.schema import TabSpec, match_headers, normalize

logger = logging.getLogger(__name__)

LOCK_TIMEOUT_SECONDS = 20.0
"""How long a run waits for another ``pixely`` run to finish writing the same file."""

_FORMULA_CELL = (
    rb'<c r="([A-Z]+[0-9]+)"([^>]*)>\s*(<f\b[^>]*(?:/>|>[^<]*</f>))\s*'
    rb"(?:<v>([^<]*)</v>|<v\s*/>)?\s*</c>"
)
_FORMULA = re.compile(_FORMULA_CELL)
_TYPE = re.compile(rb'\st="([^"]*)"')

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"

Fingerprint = tuple[int, int]


def lock_path(path: Path) -> Path:
    """The hidden lock file that ``pixely`` holds while it writes ``path``."""
    return path.with_name(f".~pixely-{path.name}.lock")


def office_lock(path: Path) -> Path | None:
    """The lock file that Excel or LibreOffice leaves while ``path`` is open, if any."""
    for name in (f".~lock.{path.name}#", f"~${path.name}"):
        candidate = path.with_name(name)
        if candidate.exists():
            return candidate
    return None


def fingerprint(path: Path) -> Fingerprint:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


def apply_changes(
    path: Path,
    changes: ChangeSet,
    *,
    expected: Fingerprint | None = None,
    lock_timeout: float = LOCK_TIMEOUT_SECONDS,
) -> None:
    """Write ``changes`` into the workbook at ``path``, all of them or none.

    ``expected`` is the file's :func:`fingerprint` when it was read; a file
    that no longer matches was saved by someone else in between and is left
    alone (:class:`ConcurrentChangeError`), as it is when another run still
    holds the lock after ``lock_timeout`` seconds.
    """
    from filelock import FileLock, Timeout

    if not changes:
        return
    _check_writable(path)
    opened = office_lock(path)
    if opened is not None:
        raise ConcurrentChangeError(
            f"«{path.name}» está abierto en Excel o LibreOffice (existe «{opened.name}»): "
            "ciérralo y vuelve a ejecutar el comando; si no está abierto, borra ese archivo."
        )
    try:
        with FileLock(str(lock_path(path)), timeout=lock_timeout):
            _check_unchanged(path, expected)
            book = _load(path)
            _apply(book, changes)
            _save(book, path, expected)
    except Timeout:
        raise ConcurrentChangeError(
            f"Otro proceso de pixely está escribiendo en «{path.name}»: espera a que "
            "termine y vuelve a ejecutar el comando."
        ) from None


def _check_writable(path: Path) -> None:
    """Refuse a file marked read-only, which replacing it would silently undo.

    The mode bits are read too because ``os.access`` says yes to root.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return  # the fingerprint check names what happened
    if not os.access(path, os.W_OK) or not mode & 0o222:
        raise PixelyError(
            f"«{path.name}» es de solo lectura: no se escribió nada. Quita la "
            "protección contra escritura (en las propiedades del archivo, o con "
            f"«chmod u+w {path.name}») o indica otra hoja con --sheet."
        )
    folder = path.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PixelyError(
            f"No se puede guardar «{path.name}»: pixely guarda en un archivo nuevo de "
            f"la carpeta «{folder}» y no puede escribir en ella; da permiso de "
            "escritura en la carpeta o copia la hoja a otra."
        )


def _check_unchanged(path: Path, expected: Fingerprint | None) -> None:
    if expected is None:
        return
    try:
        now = fingerprint(path)
    except FileNotFoundError:
        now = None
    if now != expected:
        raise ConcurrentChangeError(
            f"«{path.name}» cambió en el disco mientras pixely trabajaba (alguien lo "
            "guardó): no se escribió nada; vuelve a ejecutar el comando."
        )


def _load(path: Path) -> Any:
    from openpyxl import load_workbook

    try:
        # Macros of an .xlsm are kept, or the saved file would no longer open.
        keep_vba = path.suffix.lower() == ".xlsm"
        return load_workbook(path, keep_vba=keep_vba, keep_links=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise SheetFormatError(
            f"No se puede abrir «{path.name}» para escribir ({error}): comprueba que "
            "sea un .xlsx que Excel o LibreOffice abren."
        ) from error


def _save(book: Any, path: Path, expected: Fingerprint | None) -> None:
    handle, temporary = tempfile.mkstemp(
        prefix=".~pixely-", suffix=path.suffix, dir=path.parent
    )
    os.close(handle)
    try:
        book.save(temporary)
        _restore_formula_results(path, Path(temporary))
        shutil.copymode(path, temporary)
        _check_unchanged(path, expected)
        os.replace(temporary, path)
    except PermissionError as error:
        raise ConcurrentChangeError(
            f"No se puede guardar «{path.name}» ({error.strerror}): si está abierto en "
            "otro programa, ciérralo y vuelve a ejecutar el comando."
        ) from error
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _restore_formula_results(original: Path, saved: Path) -> None:
    """Put the results of formulas saved in ``original`` back into ``saved``.

    Only formula cells that ``saved`` holds without a result get one, so a
    cell the tool overwrote keeps its new value. Any surprise in the files
    leaves ``saved`` as openpyxl wrote it.
    """
    from pixely_benefits.sheet.workbook import sheet_parts

    try:
        with zipfile.ZipFile(original) as archive:
            results = {
                title: found
                for title, part in sheet_parts(archive).items()
                if (found := _formula_results(archive.read(part)))
            }
        if not results:
            return
        with zipfile.ZipFile(saved) as archive:
            parts = sheet_parts(archive)
            changed = {
                parts[title]: data
                for title, found in results.items()
                if title in parts
                and (data := _with_results(archive.read(parts[title]), found))
                is not None
            }
        if changed:
            _rewrite_archive(saved, changed)
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError) as error:
        logger.debug("formula results not restored: %s", error)


def _formula_results(data: bytes) -> dict[bytes, tuple[bytes | None, bytes]]:
    """Cell reference -> (``t`` attribute, saved result) of every formula with one."""
    if b"<f" not in data:
        return {}
    found: dict[bytes, tuple[bytes | None, bytes]] = {}
    for match in _FORMULA.finditer(data):
        ref, attributes, _, value = match.groups()
        found_kind = _TYPE.search(attributes)
        kind = found_kind.group(1) if found_kind else None
        if value or (value is not None and kind == b"str"):  # b"" is a saved ""
            found[ref] = (kind, value)
    return found


def _with_results(
    data: bytes, results: Mapping[bytes, tuple[bytes | None, bytes]]
) -> bytes | None:
    """``data`` with ``results`` put into its formula cells that have none."""

    def put(match: re.Match[bytes]) -> bytes:
        ref, attributes, formula, value = match.groups()
        found = results.get(ref)
        if value or found is None:  # openpyxl writes an empty <v></v>
            return match.group(0)
        kind, result = found
        attributes = _TYPE.sub(b"", attributes)
        if kind in (b"str", b"b", b"e"):
            attributes += b' t="' + kind + b'"'
        return b'<c r="%s"%s>%s<v>%s</v></c>' % (ref, attributes, formula, result)

    updated = _FORMULA.sub(put, data)
    return updated if updated != data else None


def _rewrite_archive(path: Path, parts: Mapping[str, bytes]) -> None:
    """Replace ``parts`` (name -> content) inside the zip archive at ``path``."""
    handle, temporary = tempfile.mkstemp(
        prefix=".~pixely-", suffix=".zip", dir=path.parent
    )
    os.close(handle)
    try:
        with zipfile.ZipFile(path) as source, zipfile.ZipFile(temporary, "w") as target:
            for item in source.infolist():
                data = parts.get(item.filename)
                target.writestr(item, data if data is not None else source.read(item))
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _apply(book: Any, changes: ChangeSet) -> None:
    """Change the workbook in memory; raises before any change when a row is missing."""
    tabs = _Tabs(book)
    for spec in changes.new_tabs:
        tabs.ensure(spec)
    targets: list[tuple[_Tab, int, Mapping[str, Cell]]] = []
    repeated: list[str] = []
    changed: list[str] = []
    for update in changes.updates:
        tab = tabs.get(update.tab)
        rows = tab.rows_with_key(update.key)
        if len(rows) == 1:
            targets.append((tab, rows[0], update.values))
        elif not rows:
            changed.append(f"«{update.key}» ya no está en «{tab.title}»")
        else:
            shown = ", ".join(str(r) for r in rows)
            repeated.append(
                f"«{update.key}» está repetido en «{tab.title}» (filas {shown})"
            )
    appends = [(tabs.get(a.tab), a.values) for a in changes.appends]
    for tab, values in appends:
        key = tab.key_of(values)
        if key is not None and tab.rows_with_key(key):
            changed.append(f"«{key}» ya existe en «{tab.title}»")
    if changed or repeated:
        raise write_conflict(changed, repeated)
    for tab, row, values in targets:
        tab.put(row, values)
    for tab, values in appends:
        tab.append(values)


class _Tabs:
    """The workbook's tabs, found by lenient title, each opened once."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.opened: dict[str, _Tab] = {}

    def _find(self, spec: TabSpec) -> Any:
        wanted = normalize(spec.name)
        for sheet in self.book.worksheets:
            if normalize(sheet.title) == wanted:
                return sheet
        return None

    def ensure(self, spec: TabSpec) -> None:
        if self._find(spec) is not None:
            return
        from openpyxl.styles import Font

        sheet = self.book.create_sheet(spec.name)
        for index, header in enumerate(spec.headers, start=1):
            cell = sheet.cell(row=1, column=index, value=header)
            cell.data_type = "s"
            cell.font = Font(bold=True)
            letter = cell.column_letter
            sheet.column_dimensions[letter].width = max(12, len(header) + 4)
        sheet.freeze_panes = "A2"

    def get(self, spec: TabSpec) -> _Tab:
        tab = self.opened.get(spec.name)
        if tab is None:
            sheet = self._find(spec)
            if sheet is None:
                raise StructuralError(
                    f"Falta la pestaña «{spec.name}» en la hoja de control: créala con sus "
                    "encabezados y vuelve a ejecutar el comando."
                )
            tab = self.opened[spec.name] = _Tab(spec, sheet)
        return tab


class _Tab:
    """One worksheet with its headers matched and its rows indexed by key."""

    def __init__(self, spec: TabSpec, sheet: Any) -> None:
        self.spec = spec
        self.sheet = sheet
        self.title: str = sheet.title
        self.header = [
            cells.text(c.value) or "" for c in next(sheet.iter_rows(max_row=1), ())
        ]
        while self.header and not self.header[-1]:
            self.header.pop()
        self.columns = match_headers(spec, self.header) if self.header else {}
        self._keys: dict[str, list[int]] | None = None
        self._last_row = 1
        if not self.header:  # an entirely blank tab gets its headers, as a new one
            for column in spec.columns:
                self.column(column.header)

    def _scan(self) -> dict[str, list[int]]:
        """Index the key column and find the last row that holds data, in one pass."""
        if self._keys is None:
            keys: dict[str, list[int]] = {}
            key_index = self.columns.get(self.spec.columns[0].key, -1)
            last = 1
            rows = self.sheet.iter_rows(min_row=2, values_only=True)
            for number, values in enumerate(rows, start=2):
                if any(not cells.is_blank(v) for v in values):
                    last = number
                if 0 <= key_index < len(values):
                    key = _key(values[key_index])
                    if key is not None:
                        keys.setdefault(key, []).append(number)
            self._keys = keys
            self._last_row = last
        return self._keys

    def rows_with_key(self, key: str) -> list[int]:
        return self._scan().get(key.strip(), [])

    def key_of(self, values: Mapping[str, Cell]) -> str | None:
        if not self.spec.keyed:
            return None
        head = self.spec.columns[0]
        for name, value in values.items():
            if normalize(name) in head.names:
                return _key(value)
        return None

    def column(self, name: str) -> int:
        """The 0-based column of header ``name``, added at the end of row 1 if missing."""
        folded = normalize(name)
        for spec_column in self.spec.columns:
            if folded in spec_column.names:
                index = self.columns.get(spec_column.key)
                if index is not None:
                    return index
                name = spec_column.header
                break
        for index, text in enumerate(self.header):
            if normalize(text) == folded:
                return index
        return self._add_header(name)

    def _add_header(self, name: str) -> int:
        index = len(self.header)
        cell = self.sheet.cell(row=1, column=index + 1, value=name)
        cell.data_type = "s"
        if index > 0:
            before = self.sheet.cell(row=1, column=index)
            if before.has_style:
                cell._style = copy(before._style)
        width = self.sheet.column_dimensions[cell.column_letter]
        if not width.customWidth:
            width.width = max(12, len(name) + 4)
        self.header.append(name)
        for spec_column in self.spec.columns:
            if normalize(name) in spec_column.names:
                self.columns[spec_column.key] = index
        logger.debug("added header %r to %r", name, self.title)
        return index

    def put(self, row: int, values: Mapping[str, Cell]) -> None:
        for name, value in values.items():
            _store(self.sheet.cell(row=row, column=self.column(name) + 1), value)

    def append(self, values: Mapping[str, Cell]) -> None:
        self._scan()
        self._last_row += 1
        self.put(self._last_row, values)
        key = self.key_of(values)
        if key is not None and self._keys is not None:
            self._keys.setdefault(key, []).append(self._last_row)


def _key(value: Any) -> str | None:
    try:
        return cells.identifier(value)
    except cells.CellError:
        return None


def _store(cell: Any, value: Cell) -> None:
    """Put ``value`` in ``cell``: text stays text, dates become date cells."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles.numbers import is_date_format

    if value is None or (isinstance(value, str) and not value):
        cell.value = None
        return
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"  # never a formula, an error code or a number
        return
    if isinstance(value, date):
        dated = is_date_format(cell.number_format)
        cell.value = value
        if not dated:
            timed = isinstance(value, datetime)
            cell.number_format = DATETIME_FORMAT if timed else DATE_FORMAT
        return
    cell.value = value
