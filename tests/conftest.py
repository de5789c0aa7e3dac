"""Shared fixtures: control sheets on disk (and, through ``backend``, on every backend).

``sheet`` is the fixture that command tests use: a :class:`SheetFactory` that
creates a control sheet from plain rows and reads tabs back, so the same test
runs against each backend listed in ``BACKENDS``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from pixely_benefits.cli import app
from pixely_benefits.months import Month
from pixely_benefits.sheet import cells
from pixely_benefits.starter import demo_tabs
from tests.fake_sheets import FakeSheets

Cell = str | int | float | bool | date | datetime | None
Tabs = Mapping[str, Sequence[Sequence[Cell]]]

DEMO_MONTH = Month(2026, 12)


class SheetFactory(Protocol):
    """Creates a control sheet on one backend and reads it back."""

    name: str

    def create(self, tabs: Tabs) -> str:
        """Write ``tabs`` (title -> rows, header first) and return the sheet location."""
        ...

    def rows(self, location: str, tab: str) -> list[list[Cell]]:
        """Every row of ``tab`` as stored, header first, trailing blanks dropped."""
        ...


def write_xlsx(path: Path, tabs: Tabs) -> Path:
    """A real workbook on disk with exactly these rows (strings stay strings)."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in tabs.items():
        sheet = book.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = sheet.cell(row=r, column=c, value=value)
                if isinstance(value, str) and not value.startswith("="):
                    cell.data_type = "s"
    book.save(path)
    return path


def read_xlsx(path: Path, tab: str) -> list[list[Cell]]:
    book = load_workbook(path)
    rows: list[list[Cell]] = []
    for values in book[tab].iter_rows(values_only=True):
        row = list(values)
        while row and row[-1] is None:
            row.pop()
        rows.append(row)
    while rows and not rows[-1]:
        rows.pop()
    return rows


DATE_HEADERS = {"Notificado", "Fecha límite", "Entregado", "Seguimiento", "Fecha"}
"""Headers of the columns the tool writes dates into."""


def stored_rows(sheet: SheetFactory, location: str, tab: str) -> list[list[Cell]]:
    """``sheet.rows`` with date columns as datetimes.

    The Google backend leaves a serial number in a date column that has no date
    format (a limit its module documents); the dates it stands for must match.
    """
    rows = sheet.rows(location, tab)
    columns = [i for i, h in enumerate(rows[0] if rows else []) if h in DATE_HEADERS]
    for row in rows[1:]:
        for i in columns:
            value = row[i] if i < len(row) else None
            if isinstance(value, int | float) and not isinstance(value, bool):
                row[i] = cells.moment(value)
    return rows


def stored_records(
    sheet: SheetFactory, location: str, tab: str
) -> list[dict[str, Cell]]:
    """:func:`stored_rows` as header -> value, one dict per row."""
    rows = stored_rows(sheet, location, tab)
    header = [str(h) for h in rows[0]]
    return [
        {h: row[i] if i < len(row) else None for i, h in enumerate(header)}
        for row in rows[1:]
    ]


class WorkbookFactory:
    name = "xlsx"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def create(self, tabs: Tabs) -> str:
        self.count += 1
        return str(write_xlsx(self.folder / f"control-{self.count}.xlsx", tabs))

    def rows(self, location: str, tab: str) -> list[list[Cell]]:
        return read_xlsx(Path(location), tab)


def demo_rows(month: Month = DEMO_MONTH) -> dict[str, list[list[Cell]]]:
    """The demo control sheet as plain rows, header first."""
    tabs: dict[str, list[list[Cell]]] = {}
    for spec, rows in demo_tabs(month):
        tabs[spec.name] = [spec.headers] + [
            [row.get(h) for h in spec.headers] for row in rows
        ]
    return tabs


class GoogleFactory:
    """Spreadsheets in the fake Sheets server, reached through the emulator switch.

    Known columns get the formats ``pixely init --sheet`` gives them (text for IDs,
    dates for dates), so dates the tool writes read back as dates, as in a workbook.
    """

    name = "google"

    def __init__(self, fake: FakeSheets) -> None:
        self.fake = fake

    def create(self, tabs: Tabs) -> str:
        from pixely_benefits.sheet.google_layout import NUMBER_FORMATS
        from pixely_benefits.sheet.schema import ALL_TABS, normalize

        key = self.fake.create({t: list(rows) for t, rows in tabs.items()})
        specs = {normalize(spec.name): spec for spec in ALL_TABS}
        for title, rows in tabs.items():
            spec = specs.get(normalize(title))
            if spec is None or not rows:
                continue
            for index, header in enumerate(rows[0]):
                folded = normalize(str(header))
                kinds = [c.kind for c in spec.columns if folded in c.names]
                if kinds and kinds[0] in NUMBER_FORMATS:
                    self.fake.format_column(key, title, index, NUMBER_FORMATS[kinds[0]])
        return self.fake.url(key)

    def rows(self, location: str, tab: str) -> list[list[Cell]]:
        from pixely_benefits.sheet import google_key

        key = google_key(location)
        assert key is not None
        return self.fake.rows(key, tab)


BACKENDS = ["xlsx", "google"]


@pytest.fixture(scope="session")
def fake_sheets_server() -> Iterator[FakeSheets]:
    server = FakeSheets().start()
    yield server
    server.stop()


@pytest.fixture
def fake_sheets(
    fake_sheets_server: FakeSheets, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeSheets]:
    """The fake Sheets server, with ``PIXELY_SHEETS_EMULATOR_HOST`` pointing at it."""
    fake_sheets_server.reset()
    monkeypatch.setenv("PIXELY_SHEETS_EMULATOR_HOST", fake_sheets_server.host)
    monkeypatch.setenv("PIXELY_GOOGLE_RETRY_SECONDS", "2")
    monkeypatch.delenv("PIXELY_GOOGLE_CREDENTIALS", raising=False)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    yield fake_sheets_server
    fake_sheets_server.reset()


@pytest.fixture(params=BACKENDS)
def sheet(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SheetFactory]:
    """A factory of control sheets, once per backend."""
    if request.param == "xlsx":
        yield WorkbookFactory(tmp_path)
    elif request.param == "google":
        yield GoogleFactory(request.getfixturevalue("fake_sheets"))
    else:  # pragma: no cover - other backends register themselves above
        raise ValueError(request.param)


@pytest.fixture
def demo_xlsx(tmp_path: Path) -> Path:
    """The demo workbook for December 2026, created on disk."""
    return write_xlsx(tmp_path / "beneficios.xlsx", demo_rows())


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """Run ``pixely`` in-process with a pinned width and a clean environment."""
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("PIXELY_SHEET", raising=False)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(*args: str, env: Mapping[str, str] | None = None) -> Any:
        return runner.invoke(
            app, list(args), env=dict(env or {}), catch_exceptions=False
        )

    return run
