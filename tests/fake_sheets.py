"""A fake Google Sheets API v4, served over real HTTP on 127.0.0.1 for tests.

It answers the requests pixely and gspread make, with the shapes of the real
API (compared with recorded exchanges in ``test_fake_sheets.py``):

* ``spreadsheets.get`` (properties with locale and time zone, sheets), and
  ``spreadsheets.batchUpdate`` with addSheet, deleteSheet, updateSheetProperties,
  appendDimension, updateCells and repeatCell (formats are kept per cell and
  every request body is recorded); a batch applies all or nothing;
* ``values.get``, ``values:batchGet``, ``values.update``, ``values:batchUpdate``,
  ``values:append`` (table detection, ``tableRange``, ``INSERT_ROWS``) and
  ``values:clear``, with A1 ranges and quoted titles, ``valueRenderOption`` and
  ``dateTimeRenderOption``, ``valueInputOption`` RAW or USER_ENTERED;
* Google-shaped errors, a request log, and faults to inject: answer a status a
  number of times (429 then success), answer slowly, deny a spreadsheet (403
  "not shared") or refuse the token's scopes.

Rows inserted by ``INSERT_ROWS`` take the formats of the row above, as rows a
person inserts below do. The fake does not compute formulas: it answers a
formula cell with the formula's text.
"""

from __future__ import annotations

import copy
import json
import secrets
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.fake_sheets_model import (
    ApiError,
    Area,
    Formula,
    Grid,
    Value,
    bad_request,
    find_grid,
    from_serial,
    is_date_format,
    letters,
    render,
    resolve,
    shown_title,
    to_serial,
    user_entered,
)

READ_KINDS = ("spreadsheets.get", "values.get", "values:batchGet")
DATE_FORMAT = {"type": "DATE", "pattern": "dd/mm/yyyy"}
DATETIME_FORMAT = {"type": "DATE_TIME", "pattern": "dd/mm/yyyy hh:mm"}


@dataclass
class Spreadsheet:
    key: str
    title: str
    sheets: list[Grid] = field(default_factory=list)
    locale: str = "es_419"
    time_zone: str = "America/Lima"

    def grid(self, sheet_id: int) -> Grid:
        for grid in self.sheets:
            if grid.sheet_id == sheet_id:
                return grid
        raise bad_request(f"No grid with id: {sheet_id}")


@dataclass
class Call:
    """One request as the fake received it."""

    method: str
    kind: str
    path: str
    query: dict[str, list[str]]
    body: Any
    authorized: bool


@dataclass
class Fault:
    status: int = 0
    delay: float = 0.0
    times: int = 1
    kind: str | None = None


class FakeSheets:
    """The fake server; use :meth:`start` / :meth:`stop` or the ``fake_sheets`` fixture."""

    def __init__(self) -> None:
        self.spreadsheets: dict[str, Spreadsheet] = {}
        self.log: list[Call] = []
        self.faults: list[Fault] = []
        self.denied: set[str] = set()
        self.scopes_missing = False
        self.latency = 0.0
        self.structure: list[dict[str, Any]] = []
        """Every request of every ``spreadsheets.batchUpdate``, in order."""
        self.lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None

    # --- lifecycle -------------------------------------------------------------

    def start(self) -> FakeSheets:
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def host(self) -> str:
        assert self._server is not None
        return f"127.0.0.1:{self._server.server_address[1]}"

    def reset(self) -> None:
        """Forget the log and the faults (spreadsheets stay)."""
        with self.lock:
            self.log.clear()
            self.faults.clear()
            self.structure.clear()
            self.denied.clear()
            self.scopes_missing = False
            self.latency = 0.0

    # --- what tests set up and inspect ---------------------------------------

    def create(
        self,
        tabs: Mapping[str, Sequence[Sequence[Any]]],
        title: str = "Hoja de control",
        key: str | None = None,
    ) -> str:
        """A spreadsheet with these rows, as a person would have typed them."""
        key = key or "fake" + secrets.token_hex(18)
        book = Spreadsheet(key, title)
        for index, (name, rows) in enumerate(tabs.items()):
            grid = Grid(index, name, rows=max(1000, len(rows) + 1))
            grid.columns = max(26, max((len(r) for r in rows), default=0))
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    self._type_in(grid, r, c, value)
            book.sheets.append(grid)
        with self.lock:
            self.spreadsheets[key] = book
        return key

    @staticmethod
    def _type_in(grid: Grid, row: int, column: int, value: Any) -> None:
        if value is None:
            return
        if isinstance(value, date):
            grid.put(row, column, to_serial(value))
            fmt = DATETIME_FORMAT if isinstance(value, datetime) else DATE_FORMAT
            grid.set_format(row, column, {"numberFormat": fmt})
        elif isinstance(value, str) and value.startswith("="):
            grid.put(row, column, Formula(value))
        else:
            grid.put(row, column, value)

    def format_column(
        self, key: str, title: str, column: int, number_format: dict[str, str]
    ) -> None:
        """Give a whole column a number format, as a person would (typed cells keep theirs)."""
        with self.lock:
            grid = self.grid(key, title)
            style = {"numberFormat": dict(number_format)}
            for row in range(grid.rows):
                if "numberFormat" not in grid.format_of(row, column):
                    grid.set_format(row, column, style)

    def url(self, key: str) -> str:
        return f"https://docs.google.com/spreadsheets/d/{key}/edit"

    def grid(self, key: str, title: str) -> Grid:
        found = find_grid(self.spreadsheets[key].sheets, title)
        if found is None:
            raise KeyError(title)  # as openpyxl does for a workbook
        return found

    def titles(self, key: str) -> list[str]:
        return [g.title for g in self.spreadsheets[key].sheets]

    def rows(self, key: str, title: str) -> list[list[Any]]:
        """Stored rows, header first: dates as datetimes, formulas as their text."""
        with self.lock:
            grid = self.grid(key, title)
            rows: list[list[Any]] = []
            for r in range(grid.last_row() + 1):
                row: list[Any] = []
                for c in range(len(grid.values[r]) if r < len(grid.values) else 0):
                    row.append(self._typed(grid, r, c))
                while row and row[-1] is None:
                    row.pop()
                rows.append(row)
            return rows

    @staticmethod
    def _typed(grid: Grid, row: int, column: int) -> Any:
        value = grid.get(row, column)
        number_format = grid.format_of(row, column).get("numberFormat", {})
        if isinstance(value, Formula):
            return value.text
        if (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and is_date_format(number_format)
        ):
            return from_serial(value)
        return value

    def fail(self, status: int, times: int = 1, kind: str | None = None) -> None:
        """Answer the next ``times`` requests (of ``kind``, if given) with ``status``."""
        with self.lock:
            self.faults.append(Fault(status=status, times=times, kind=kind))

    def slow(self, seconds: float, times: int = 1, kind: str | None = None) -> None:
        """Answer the next ``times`` requests ``seconds`` late (the work is done first)."""
        with self.lock:
            self.faults.append(Fault(delay=seconds, times=times, kind=kind))

    def count(self, kind: str | None = None) -> int:
        return sum(1 for c in self.log if kind is None or c.kind == kind)

    def kinds(self) -> list[str]:
        return [c.kind for c in self.log]

    def reads(self) -> int:
        return sum(1 for c in self.log if c.kind in READ_KINDS)

    def writes(self) -> int:
        return len(self.log) - self.reads()

    # --- request handling ------------------------------------------------------

    def handle(self, call: Call) -> tuple[int, Any, float]:
        """Answer one request: (status, JSON body, delay before answering)."""
        with self.lock:
            self.log.append(call)
            delay = self.latency
            fault = next(
                (f for f in self.faults if f.kind is None or f.kind == call.kind), None
            )
            if fault is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                delay += fault.delay
                if fault.status:
                    return fault.status, _error_for(fault.status).body(), delay
            try:
                return 200, self._answer(call), delay
            except ApiError as error:
                return error.code, error.body(), delay

    def _answer(self, call: Call) -> Any:
        parts = call.path.split("/", 4)  # '', 'v4', 'spreadsheets', '{id}...', rest
        if len(parts) < 4 or parts[1:3] != ["v4", "spreadsheets"]:
            raise ApiError(404, "Not found.", "NOT_FOUND")
        key, _, action = parts[3].partition(":")
        book = self.spreadsheets.get(key)
        if book is None:
            raise ApiError(404, "Requested entity was not found.", "NOT_FOUND")
        if key in self.denied:
            raise _error_for(403)
        if self.scopes_missing:
            raise ApiError(
                403,
                "Request had insufficient authentication scopes.",
                "PERMISSION_DENIED",
            )
        rest = parts[4] if len(parts) > 4 else ""
        query = call.query
        if call.kind == "spreadsheets.get":
            return _metadata(book)
        if call.kind == "spreadsheets.batchUpdate":
            return self._batch_update(book, call.body or {})
        if call.kind == "values:batchGet":
            ranges = query.get("ranges", [])
            return {
                "spreadsheetId": key,
                "valueRanges": [_value_range(book, r, query) for r in ranges],
            }
        if call.kind == "values:batchUpdate":
            return _values_batch_update(book, call.body or {})
        target = unquote(rest.removeprefix("values/").rsplit(":", 1)[0])
        if call.kind == "values.get":
            return _value_range(book, target, query)
        if call.kind == "values.update":
            option = _one(query, "valueInputOption")
            body = call.body or {}
            return {
                "spreadsheetId": key,
                **_write(book, target, body.get("values", []), option),
            }
        if call.kind == "values:append":
            return _append(book, target, call.body or {}, query)
        if call.kind == "values:clear":
            area = resolve(book.sheets, target)
            top, left, bottom, right = area.clipped()
            for r in range(top, bottom + 1):
                for c in range(left, right + 1):
                    area.grid.put(r, c, None)
            return {"spreadsheetId": key, "clearedRange": area.a1()}
        del action
        raise ApiError(404, "Not found.", "NOT_FOUND")

    def _batch_update(self, book: Spreadsheet, body: Mapping[str, Any]) -> Any:
        requests = body.get("requests", [])
        draft = Spreadsheet(
            book.key,
            book.title,
            [g.copy() for g in book.sheets],
            book.locale,
            book.time_zone,
        )
        replies = [_structure(draft, i, r) for i, r in enumerate(requests)]
        self.spreadsheets[book.key] = draft
        self.structure.extend(requests)
        return {"spreadsheetId": book.key, "replies": replies}


class _Handler(BaseHTTPRequestHandler):
    server_fake: FakeSheets
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    wbufsize = 1 << 16  # headers and body leave in one packet

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def _serve(self, method: str) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        call = Call(
            method,
            _kind(method, split.path),
            split.path,
            parse_qs(split.query, keep_blank_values=True),
            body,
            "authorization" in {h.lower() for h in self.headers},
        )
        status, answer, delay = self.server_fake.handle(call)
        if delay:
            time.sleep(delay)
        data = json.dumps(answer, ensure_ascii=False).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


def _kind(method: str, path: str) -> str:
    tail = path.split("/", 4)[-1] if path.count("/") >= 4 else ""
    if path.count("/") == 3:
        key_part = path.rsplit("/", 1)[1]
        if key_part.endswith(":batchUpdate"):
            return "spreadsheets.batchUpdate"
        return "spreadsheets.get"
    if tail.startswith("values:batchGet"):
        return "values:batchGet"
    if tail.startswith("values:batchUpdate"):
        return "values:batchUpdate"
    if tail.endswith(":append"):
        return "values:append"
    if tail.endswith(":clear"):
        return "values:clear"
    return "values.update" if method == "PUT" else "values.get"


_ERRORS = {
    403: ("The caller does not have permission", "PERMISSION_DENIED"),
    404: ("Requested entity was not found.", "NOT_FOUND"),
    429: (
        "Quota exceeded for quota metric 'Read requests' and limit 'Read requests "
        "per minute per user' of service 'sheets.googleapis.com'.",
        "RESOURCE_EXHAUSTED",
    ),
    500: ("Internal error encountered.", "INTERNAL"),
    503: ("The service is currently unavailable.", "UNAVAILABLE"),
}


def _error_for(status: int) -> ApiError:
    message, name = _ERRORS.get(status, ("Error.", "UNKNOWN"))
    return ApiError(status, message, name)


def _one(query: Mapping[str, list[str]], name: str, default: str = "") -> str:
    return query.get(name, [default])[0]


def _metadata(book: Spreadsheet) -> dict[str, Any]:
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


def _value_range(
    book: Spreadsheet, text: str, query: Mapping[str, list[str]]
) -> dict[str, Any]:
    area = resolve(book.sheets, text)
    option = _one(query, "valueRenderOption", "FORMATTED_VALUE")
    dates = _one(query, "dateTimeRenderOption", "SERIAL_NUMBER")
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


def _check_grid(area: Area, height: int, width: int) -> None:
    grid = area.grid
    if area.top + height > grid.rows or area.left + width > grid.columns:
        bottom = letters(area.left + max(width, 1) - 1) + str(area.top + max(height, 1))
        raise bad_request(
            f"Range ({shown_title(grid.title)}!{letters(area.left)}{area.top + 1}:{bottom})"
            f" exceeds grid limits. Max rows: {grid.rows}, max columns: {grid.columns}"
        )


def _write(
    book: Spreadsheet, text: str, values: Sequence[Sequence[Any]], option: str
) -> dict[str, Any]:
    if option not in ("RAW", "USER_ENTERED"):
        raise bad_request("'valueInputOption' is required but not specified")
    area = resolve(book.sheets, text)
    width = max((len(r) for r in values), default=0)
    _check_grid(area, len(values), width)
    _put_rows(area.grid, area.top, area.left, values, option)
    return _updated(area, len(values), width)


def _put_rows(
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


def _updated(area: Area, height: int, width: int) -> dict[str, Any]:
    if not height or not width:
        return {"updatedRange": area.a1()}
    bottom, right = area.top + height - 1, area.left + width - 1
    return {
        "updatedRange": area.a1(bottom, right),
        "updatedRows": height,
        "updatedColumns": width,
        "updatedCells": height * width,
    }


def _values_batch_update(book: Spreadsheet, body: Mapping[str, Any]) -> dict[str, Any]:
    option = body.get("valueInputOption", "")
    if option not in ("RAW", "USER_ENTERED"):
        raise bad_request("'valueInputOption' is required but not specified")
    data = body.get("data", [])
    for entry in data:  # every range is checked before anything is written
        values = entry.get("values", [])
        _check_grid(
            resolve(book.sheets, entry["range"]),
            len(values),
            max((len(r) for r in values), default=0),
        )
    responses = [
        {
            "spreadsheetId": book.key,
            **_write(book, e["range"], e.get("values", []), option),
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


def _append(
    book: Spreadsheet,
    text: str,
    body: Mapping[str, Any],
    query: Mapping[str, list[str]],
) -> dict[str, Any]:
    option = _one(query, "valueInputOption")
    if option not in ("RAW", "USER_ENTERED"):
        raise bad_request("'valueInputOption' is required but not specified")
    insert = _one(query, "insertDataOption", "OVERWRITE")
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
    _put_rows(grid, at, left, values, option)
    target = Area(grid, at, left, at, left)
    answer["updates"] = {
        "spreadsheetId": book.key,
        **_updated(target, len(values), width),
    }
    return answer


def _structure(
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
        _check_grid(Area(grid, top, left, top, left), len(rows), width)
        for r, row in enumerate(rows):
            for c, cell in enumerate(row.get("values", [])):
                grid.put(top + r, left + c, _extended(cell.get("userEnteredValue")))
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


def _extended(value: Mapping[str, Any] | None) -> Value:
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
