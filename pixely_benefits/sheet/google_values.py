"""From Google's answers to the raw tabs of :mod:`pixely_benefits.sheet.base`.

The mapping is the workbook backend's: row numbers as the sheet shows them,
entirely blank rows skipped, the header trimmed, trailing blank cells dropped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from pixely_benefits.errors import PixelyError
from pixely_benefits.sheet import cells
from pixely_benefits.sheet.base import RawRow, RawTab
from pixely_benefits.sheet.cells import Cell
from pixely_benefits.sheet.google_layout import range_start
from pixely_benefits.sheet.schema import Kind, TabSpec, normalize

MAX_SERIAL = 2958465
"""The serial number of 9999-12-31, the last date a spreadsheet knows."""


@dataclass(frozen=True, slots=True)
class SheetInfo:
    sheet_id: int
    title: str
    rows: int
    columns: int


def with_suffix(error: PixelyError, suffix: str) -> PixelyError:
    if error.message.endswith(suffix.strip()):
        return error
    joined = error.message.rstrip(".") + "." + suffix
    return type(error)(joined)


def header_of(values: Sequence[Any]) -> list[str]:
    header = ["" if _blank(v) else str(v).strip() for v in values]
    while header and not header[-1]:
        header.pop()
    return header


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _cell(value: Any) -> Cell:
    if _blank(value):
        return None
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)


def raw_tab(title: str, answer: Mapping[str, Any]) -> tuple[RawTab, int]:
    """The tab as the workbook backend would give it, and the append anchor row."""
    first_row, _ = range_start(str(answer.get("range", "A1")))
    rows: list[list[Any]] = answer.get("values", [])
    occupied: list[int] = []
    header: list[str] = []
    body: list[RawRow] = []
    for offset, values in enumerate(rows):
        number = first_row + offset
        if any(not _blank(v) for v in values):
            occupied.append(number)
        if number == 1:
            header = header_of(values)
            continue
        if len(values) > len(header) and not all(map(_blank, values[len(header) :])):
            # data right of the last header: a blank header, reported when read
            last = max(i for i, v in enumerate(values) if not _blank(v))
            header += [""] * (last + 1 - len(header))
        row = [_cell(v) for v in values[: len(header)]]
        while row and row[-1] is None:
            row.pop()
        if row:
            body.append(RawRow(number, row))
    anchor = occupied[-1] if occupied else 1
    for number in reversed(occupied[:-1]):
        if number != anchor - 1:
            break
        anchor = number
    return RawTab(title, header, body), anchor


def dates_as_dates(raw: RawTab, spec: TabSpec) -> None:
    """Turn serial numbers in the date columns of ``spec`` into dates, in place.

    The workbook backend hands date cells over as dates; Google sends serial
    numbers (the read asks for them, so the sheet's locale never matters).
    Converting the known date columns here keeps both backends' raw tabs alike.
    A number too large to be a date is left as it is for the parsers to report.
    """
    kinds: dict[int, Kind] = {}
    for index, text in enumerate(raw.header):
        folded = normalize(text)
        for column in spec.columns:
            if folded in column.names and column.kind in (Kind.DATE, Kind.DATETIME):
                kinds.setdefault(index, column.kind)
    if not kinds:
        return
    for row in raw.rows:
        values = row.values
        for index, kind in kinds.items():
            if index < len(values):
                values[index] = _as_date(values[index], kind)


def _as_date(value: Cell, kind: Kind) -> Cell:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if not 1 <= value <= MAX_SERIAL:
        return value
    seconds = round(value * 86400)
    moment = datetime.combine(cells.SERIAL_EPOCH, time()) + timedelta(seconds=seconds)
    if kind is Kind.DATE and moment.time() == time():
        return moment.date()
    return moment


def key_of(value: Any) -> str | None:
    try:
        return cells.identifier(value)
    except cells.CellError:
        return None


def keys_of(column: Sequence[Any]) -> dict[str, list[int]]:
    """Row numbers by key, from a column read from row 1 (the header is skipped)."""
    keys: dict[str, list[int]] = {}
    for offset, value in enumerate(column[1:], start=2):
        key = key_of(value)
        if key is not None:
            keys.setdefault(key, []).append(offset)
    return keys
