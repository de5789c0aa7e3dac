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
from pixely_benefits.starter import demo_tabs

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
        tabs[spec.name] = [spec.headers] + [[row.get(h) for h in spec.headers] for row in rows]
    return tabs


BACKENDS = ["xlsx"]


@pytest.fixture(params=BACKENDS)
def sheet(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SheetFactory]:
    """A factory of control sheets, once per backend."""
    if request.param == "xlsx":
        yield WorkbookFactory(tmp_path)
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
        return runner.invoke(app, list(args), env=dict(env or {}), catch_exceptions=False)

    return run
