"""The endpoints of the fake Sheets server: what each request does to the model.

Used by :mod:`tests.fake_sheets`; see there for what is covered.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from tests.fake_sheets_model import (
    Area,
    Formula,
    Grid,
    Spreadsheet,
    Value,
    bad_request,
    find_grid,
    is_date_format,
    letters,
    render,
    resolve,
    shown_title,
    user_entered,
)


def one(query: Mapping[str, list[str]], name: str, default: str = "") -> str:
    return query.get(name, [default])[0]


def metadata(book: Spreadsheet) -> dict[str, Any]:
    return {
        "spreadsheetId": book.key,
        "properties": {
            "title": book.title,
            "locale": book.locale,
            "autoRecalc": "ON_CHANGE",
            "timeZone": book.time_zone,
        },
        "sheets": [{"properties": g.properties(i)} for i, g in enumerate(book.sheets)],
        "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{book.key}/edit",
    }


def value_range(
    book: Spreadsheet, text: str, query: Mapping[str, list[str]]
) -> dict[str, Any]:
    area = resolve(book.sheets, text)
    option = one(query, "valueRenderOption", "FORMATTED_VALUE")
    dates = one(query, "dateTimeRenderOption", "SERIAL_NUMBER")
    grid = area.grid
    top, left, bottom, right = area.clipped()
    rows: list[list[Any]] = []
    for r in range(top, min(bottom, len(grid.values) - 1) + 1):
        row: list[Any] = []
        for c in range(left, min(right, len(grid.values[r]) - 1) + 1):
            fmt = grid.format_of(r, c).get("numberFormat", {})
            row.append(render(grid.get(r, c), fmt, option, dates))
        while row and row[-1] == "":
            row.pop()
        rows.append(row)
    while rows and not rows[-1]:
        rows.pop()
    answer: dict[str, Any] = {"range": area.a1(), "majorDimension": "ROWS"}
    if rows:
        answer["values"] = rows
    return answer


def check_grid(area: Area, height: int, width: int) -> None:
    grid = area.grid
    if area.top + height > grid.rows or area.left + width > grid.columns:
        bottom = letters(area.left + max(width, 1) - 1) + str(area.top + max(height, 1))
        raise bad_request(
            f"Range ({shown_title(grid.title)}!{letters(area.left)}{area.top + 1}:{bottom})"
            f" exceeds grid limits. Max rows: {grid.rows}, max columns: {grid.columns}"
        )


def write(
    book: Spreadsheet, text: str, values: Sequence[Sequence[Any]], option: str
) -> dict[str, Any]:
    if option not in ("RAW", "USER_ENTERED"):
        raise bad_request("'valueInputOption' is required but not specified")
    area = resolve(book.sheets, text)
    width = max((len(r) for r in values), default=0)
    check_grid(area, len(values), width)
    put_rows(area.grid, area.top, area.left, values, option)
    return updated(area, len(values), width)


def put_rows(
    grid: Grid, top: int, left: int, values: Sequence[Sequence[Any]], option: str
) -> None:
    for r, row in enumerate(values):
        for c, value in enumerate(row):
            if value is None:
                continue  # null leaves the cell as it is
            at_row, at_column = top + r, left + c
            stored: Value = value
            if option == "USER_ENTERED" and isinstance(value, str):
                fmt = grid.format_of(at_row, at_column).get("numberFormat", {})
                stored, new_format = user_entered(value, fmt)
                if new_format and not is_date_format(fmt):
                    grid.set_format(at_row, at_column, {"numberFormat": new_format})
            grid.put(at_row, at_column, stored)


def updated(area: Area, height: int, width: int) -> dict[str, Any]:
    if not height or not width:
        return {"updatedRange": area.a1()}
    bottom, right = area.top + height - 1, area.left + width - 1
    return {
        "updatedRange": area.a1(bottom, right),
        "updatedRows": height,
        "updatedColumns": width,
        "updatedCells": height * width,
    }


def values_batch_update(book: Spreadsheet, body: Mapping[str, Any]) -> dict[str, Any]:
    option = body.get("valueInputOption", "")
    if option not in ("RAW", "USER_ENTERED"):
        raise bad_request("'valueInputOption' is required but not specified")
    data = body.get("data", [])
    for entry in data:  # every range is checked before anything is written
        values = entry.get("values", [])
        check_grid(
            resolve(book.sheets, entry["range"]),
            len(values),
            max((len(r) for r in values), default=0),
        )
    responses = [
        {
            "spreadsheetId": book.key,
            **write(book, e["range"], e.get("values", []), option),
        }
        for e in data
    ]
    sheets = {r["updatedRange"].rpartition("!")[0] for r in responses}
    return {
        "spreadsheetId": book.key,
        "totalUpdatedRows": sum(r.get("updatedRows", 0) for r in responses),
        "totalUpdatedColumns": max(
            (r.get("updatedColumns", 0) for r in responses), default=0
        ),
        "totalUpdatedCells": sum(r.get("updatedCells", 0) for r in responses),
        "totalUpdatedSheets": len(sheets),
        "responses": responses,
    }


def append(
    book: Spreadsheet,
    text: str,
    body: Mapping[str, Any],
    query: Mapping[str, list[str]],
) -> dict[str, Any]:
    option = one(query, "valueInputOption")
    if option not in ("RAW", "USER_ENTERED"):
        raise bad_request("'valueInputOption' is required but not specified")
    insert = one(query, "insertDataOption", "OVERWRITE")
    values: list[list[Any]] = body.get("values", [])
    area = resolve(book.sheets, text)
    grid = area.grid
    left = area.left
    right = area.right
    start = area.top
    if area.whole:
        start = next((r for r in range(grid.rows) if grid.has_data(r)), 0)
    end = start - 1
    while end + 1 < grid.rows and grid.has_data(end + 1, left, right):
        end += 1
    answer: dict[str, Any] = {"spreadsheetId": book.key}
    if end >= start:
        last = left
        while (right is None or last < right) and any(
            grid.get(r, last + 1) is not None for r in range(start, end + 1)
        ):
            last += 1
        table = Area(grid, start, left, end, last)
        answer["tableRange"] = table.a1()
    at = end + 1
    width = max((len(r) for r in values), default=0)
    if insert == "INSERT_ROWS":
        grid.insert_rows(at, len(values))
    elif at + len(values) > grid.rows:
        grid.rows = at + len(values)
    grid.columns = max(grid.columns, left + width)
    put_rows(grid, at, left, values, option)
    target = Area(grid, at, left, at, left)
    answer["updates"] = {
        "spreadsheetId": book.key,
        **updated(target, len(values), width),
    }
    return answer


def structure(
    book: Spreadsheet, index: int, request: Mapping[str, Any]
) -> dict[str, Any]:
    """Apply one request of a ``spreadsheets.batchUpdate`` to ``book`` (a draft)."""
    if "addSheet" in request:
        properties = request["addSheet"].get("properties", {})
        title = properties.get("title") or f"Hoja {len(book.sheets) + 1}"
        if find_grid(book.sheets, title) is not None:
            raise bad_request(
                f'Invalid requests[{index}].addSheet: A sheet with the name "{title}" '
                "already exists. Please enter another name."
            )
        sheet_id = properties.get("sheetId")
        if sheet_id is None:
            sheet_id = max((g.sheet_id for g in book.sheets), default=0) + 1
        if any(g.sheet_id == sheet_id for g in book.sheets):
            raise bad_request(f"Invalid requests[{index}].addSheet: duplicate sheet ID")
        size = properties.get("gridProperties", {})
        grid = Grid(
            sheet_id,
            title,
            rows=size.get("rowCount", 1000),
            columns=size.get("columnCount", 26),
            frozen=size.get("frozenRowCount", 0),
        )
        book.sheets.insert(properties.get("index", len(book.sheets)), grid)
        return {"addSheet": {"properties": grid.properties(book.sheets.index(grid))}}
    if "deleteSheet" in request:
        book.sheets.remove(book.grid(request["deleteSheet"]["sheetId"]))
        return {}
    if "updateSheetProperties" in request:
        update = request["updateSheetProperties"]
        properties = update["properties"]
        grid = book.grid(properties.get("sheetId", 0))
        fields = update.get("fields", "")
        size = properties.get("gridProperties", {})
        if "title" in fields:
            grid.title = properties["title"]
        if "rowCount" in fields:
            grid.rows = size["rowCount"]
        if "columnCount" in fields:
            grid.columns = size["columnCount"]
        if "frozenRowCount" in fields:
            grid.frozen = size.get("frozenRowCount", 0)
        return {}
    if "appendDimension" in request:
        extra = request["appendDimension"]
        grid = book.grid(extra["sheetId"])
        if extra["dimension"] == "COLUMNS":
            grid.columns += extra["length"]
        else:
            grid.rows += extra["length"]
        return {}
    if "updateCells" in request:
        update = request["updateCells"]
        start = update["start"]
        grid = book.grid(start["sheetId"])
        rows = update.get("rows", [])
        width = max((len(r.get("values", [])) for r in rows), default=0)
        top, left = start.get("rowIndex", 0), start.get("columnIndex", 0)
        check_grid(Area(grid, top, left, top, left), len(rows), width)
        for r, row in enumerate(rows):
            for c, cell in enumerate(row.get("values", [])):
                grid.put(top + r, left + c, extended(cell.get("userEnteredValue")))
        return {}
    if "repeatCell" in request:
        repeat = request["repeatCell"]
        span = repeat["range"]
        grid = book.grid(span.get("sheetId", 0))
        style = copy.deepcopy(repeat.get("cell", {}).get("userEnteredFormat", {}))
        grid.repeat_format(
            range(span.get("startRowIndex", 0), span.get("endRowIndex", grid.rows)),
            range(
                span.get("startColumnIndex", 0),
                span.get("endColumnIndex", grid.columns),
            ),
            style,
        )
        return {}
    raise bad_request(
        f"Invalid requests[{index}]: the fake does not know {sorted(request)}"
    )


def extended(value: Mapping[str, Any] | None) -> Value:
    if not value:
        return None
    if "stringValue" in value:
        return str(value["stringValue"])
    if "numberValue" in value:
        return value["numberValue"]
    if "boolValue" in value:
        return bool(value["boolValue"])
    if "formulaValue" in value:
        return Formula(value["formulaValue"])
    return None
