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

The model (grids, A1 ranges, rendering) is in :mod:`tests.fake_sheets_model` and
what each endpoint does in :mod:`tests.fake_sheets_endpoints`. Rows inserted by
``INSERT_ROWS`` take the formats of the row above, as rows a person inserts
below do. Of formulas the fake computes only plain arithmetic (``=3/2``).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests import fake_sheets_endpoints as endpoints
from tests.fake_sheets_model import (
    ApiError,
    Formula,
    Grid,
    Spreadsheet,
    find_grid,
    from_serial,
    is_date_format,
    resolve,
    to_serial,
)

READ_KINDS = ("spreadsheets.get", "values.get", "values:batchGet")
DATE_FORMAT = {"type": "DATE", "pattern": "dd/mm/yyyy"}
DATETIME_FORMAT = {"type": "DATE_TIME", "pattern": "dd/mm/yyyy hh:mm"}


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
    message: str = ""


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

    def fail(
        self, status: int, times: int = 1, kind: str | None = None, message: str = ""
    ) -> None:
        """Answer the next ``times`` requests (of ``kind``, if given) with ``status``."""
        with self.lock:
            fault = Fault(status=status, times=times, kind=kind, message=message)
            self.faults.append(fault)

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
                    error = _error_for(fault.status)
                    error.message = fault.message or error.message
                    return fault.status, error.body(), delay
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
            return endpoints.metadata(book)
        if call.kind == "spreadsheets.batchUpdate":
            return self._batch_update(book, call.body or {})
        if call.kind == "values:batchGet":
            ranges = query.get("ranges", [])
            return {
                "spreadsheetId": key,
                "valueRanges": [endpoints.value_range(book, r, query) for r in ranges],
            }
        if call.kind == "values:batchUpdate":
            return endpoints.values_batch_update(book, call.body or {})
        target = unquote(rest.removeprefix("values/").rsplit(":", 1)[0])
        if call.kind == "values.get":
            return endpoints.value_range(book, target, query)
        if call.kind == "values.update":
            option = endpoints.one(query, "valueInputOption")
            body = call.body or {}
            return {
                "spreadsheetId": key,
                **endpoints.write(book, target, body.get("values", []), option),
            }
        if call.kind == "values:append":
            return endpoints.append(book, target, call.body or {}, query)
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
        replies = [endpoints.structure(draft, i, r) for i, r in enumerate(requests)]
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


def main() -> None:
    """Serve the fake with a demo spreadsheet, for trying pixely without Google."""
    import argparse

    from pixely_benefits.clock import current_month
    from pixely_benefits.records import BusinessSettings
    from pixely_benefits.starter import demo_tabs

    parser = argparse.ArgumentParser(description="Servidor falso de Google Sheets.")
    parser.add_argument("--port", type=int, default=8085)
    port = parser.parse_args().port
    fake = FakeSheets()
    month = current_month(BusinessSettings())
    tabs: dict[str, list[list[Any]]] = {
        spec.name: [spec.headers, *([r.get(h) for h in spec.headers] for r in rows)]
        for spec, rows in demo_tabs(month)
    }
    key = fake.create(tabs, title=f"Demo {month}")

    class Handler(_Handler):
        server_fake = fake

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(f"export PIXELY_SHEETS_EMULATOR_HOST=127.0.0.1:{port}")
    print(f"pixely --sheet {fake.url(key)} eligible --all")
    print("Ctrl+C para terminar.")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.server_close()


if __name__ == "__main__":
    main()
