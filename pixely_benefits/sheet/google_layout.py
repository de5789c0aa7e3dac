"""Ranges, cell values and the ``spreadsheets.batchUpdate`` requests that shape tabs.

Tabs and columns the tool creates get a number format per column (plain text
for IDs and codes, a date or date-time pattern for dates), over the whole
column *including the header*: a row that Google inserts below a header takes
its formats from a neighbour, so every neighbour carries the right one. A
number format does not change how the header's own text is shown.
"""

from __future__ import annotations

import random
import re
from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from pixely_benefits.sheet.cells import SERIAL_EPOCH, Cell
from pixely_benefits.sheet.schema import Column, Kind, TabSpec, column_letter

DEFAULT_ROWS = 1000
DEFAULT_COLUMNS = 26

NUMBER_FORMATS: dict[Kind, dict[str, str]] = {
    Kind.TEXT: {"type": "TEXT"},
    Kind.DATE: {"type": "DATE", "pattern": "dd/mm/yyyy"},
    Kind.DATETIME: {"type": "DATE_TIME", "pattern": "dd/mm/yyyy hh:mm"},
}
"""The format of each kind of column the tool creates; numbers keep Google's own."""

_CELL = re.compile(r"^\$?([A-Za-z]*)\$?(\d*)")


def quoted(title: str) -> str:
    """A tab title as it goes in an A1 range: ``'Mi pestaña'`` (quotes doubled)."""
    return "'" + title.replace("'", "''") + "'"


def range_start(a1: str) -> tuple[int, int]:
    """The 1-based row and 0-based column where an A1 range such as ``'T'!B3:C`` starts."""
    cell = a1.rpartition("!")[2] if "!" in a1 else "A1"
    found = _CELL.match(cell.split(":")[0])
    letters, digits = (found.group(1), found.group(2)) if found else ("", "")
    column = 0
    for char in letters.upper():
        column = column * 26 + ord(char) - ord("A") + 1
    return (int(digits) if digits else 1), max(column - 1, 0)


def serial(value: date) -> int | float:
    """A date as a spreadsheet serial number (days since 1899-12-30)."""
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=None, microsecond=0)
        delta = moment - datetime(
            SERIAL_EPOCH.year, SERIAL_EPOCH.month, SERIAL_EPOCH.day
        )
        return delta.days + delta.seconds / 86400
    return (value - SERIAL_EPOCH).days


def wire(value: Cell) -> str | int | float | bool:
    """A value as it is sent with ``valueInputOption=RAW`` ('' empties the cell)."""
    if value is None:
        return ""
    if isinstance(value, date):
        return serial(value)
    return value


def typed(value: Cell) -> dict[str, Any]:
    """A value as an ``ExtendedValue`` of ``updateCells`` (text is never parsed)."""
    if value is None or value == "":
        return {}
    if isinstance(value, bool):
        return {"userEnteredValue": {"boolValue": value}}
    if isinstance(value, date):
        return {"userEnteredValue": {"numberValue": serial(value)}}
    if isinstance(value, int | float):
        return {"userEnteredValue": {"numberValue": value}}
    return {"userEnteredValue": {"stringValue": str(value)}}


def new_sheet_id(taken: Collection[int]) -> int:
    """A sheet ID that no tab of the spreadsheet uses (chosen here so that one
    ``batchUpdate`` can create a tab and fill it)."""
    while True:
        candidate = random.randrange(1, 2**31 - 1)
        if candidate not in taken:
            return candidate


def new_tab(
    spec: TabSpec, sheet_id: int, rows: Sequence[Mapping[str, Cell]] = ()
) -> list[dict[str, Any]]:
    """Requests that create ``spec``'s tab with bold, frozen headers and ``rows``."""
    width = len(spec.columns)
    grid = {
        "rowCount": max(DEFAULT_ROWS, len(rows) + 1),
        "columnCount": max(DEFAULT_COLUMNS, width),
        "frozenRowCount": 1,
    }
    requests: list[dict[str, Any]] = [
        {
            "addSheet": {
                "properties": {
                    "sheetId": sheet_id,
                    "title": spec.name,
                    "gridProperties": grid,
                }
            }
        }
    ]
    requests += column_formats(sheet_id, 0, spec.columns)
    body = [[{"userEnteredValue": {"stringValue": h}} for h in spec.headers]]
    body += [[typed(row.get(h)) for h in spec.headers] for row in rows]
    requests.append(_cells(sheet_id, 0, 0, body))
    requests.append(
        {
            "repeatCell": {
                "range": _span(sheet_id, 0, width, rows=(0, 1)),
                "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
                "fields": "userEnteredFormat.textFormat.bold",
            }
        }
    )
    return requests


def new_columns(
    sheet_id: int,
    grid_columns: int,
    first: int,
    headers: Sequence[tuple[str, Column | None]],
) -> list[dict[str, Any]]:
    """Requests that write ``headers`` into row 1 from column ``first`` on.

    The grid grows first when it is too narrow (Google refuses values outside
    it); columns of a known kind get its format.
    """
    requests: list[dict[str, Any]] = []
    missing = first + len(headers) - grid_columns
    if missing > 0:
        requests.append(
            {
                "appendDimension": {
                    "sheetId": sheet_id,
                    "dimension": "COLUMNS",
                    "length": missing,
                }
            }
        )
    known = [(first + i, c) for i, (_, c) in enumerate(headers) if c is not None]
    for index, column in known:
        requests += column_formats(sheet_id, index, [column])
    body = [[{"userEnteredValue": {"stringValue": text}} for text, _ in headers]]
    requests.append(_cells(sheet_id, 0, first, body))
    return requests


def column_formats(
    sheet_id: int, first: int, columns: Sequence[Column]
) -> list[dict[str, Any]]:
    requests: list[dict[str, Any]] = []
    for offset, column in enumerate(columns):
        number_format = NUMBER_FORMATS.get(column.kind)
        if number_format is None:
            continue
        index = first + offset
        requests.append(
            {
                "repeatCell": {
                    "range": _span(sheet_id, index, index + 1),
                    "cell": {"userEnteredFormat": {"numberFormat": number_format}},
                    "fields": "userEnteredFormat.numberFormat",
                }
            }
        )
    return requests


def _span(
    sheet_id: int, first: int, end: int, rows: tuple[int, int] | None = None
) -> dict[str, int]:
    grid = {"sheetId": sheet_id, "startColumnIndex": first, "endColumnIndex": end}
    if rows is not None:
        grid["startRowIndex"], grid["endRowIndex"] = rows
    else:
        grid["startRowIndex"] = 0
    return grid


def _cells(
    sheet_id: int, row: int, column: int, body: list[list[dict[str, Any]]]
) -> dict[str, Any]:
    return {
        "updateCells": {
            "start": {"sheetId": sheet_id, "rowIndex": row, "columnIndex": column},
            "rows": [{"values": values} for values in body],
            "fields": "userEnteredValue",
        }
    }


def cell_range(title: str, row: int, first: int, last: int) -> str:
    """``'T'!B5:D5``: columns ``first``..``last`` (0-based) of ``row``."""
    start = f"{column_letter(first)}{row}"
    end = f"{column_letter(last)}{row}"
    return f"{quoted(title)}!{start}" + (f":{end}" if last != first else "")
