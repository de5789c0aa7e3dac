"""The bundled example workbook is the demo of ``pixely init --demo`` for 2026-12."""

from __future__ import annotations

from pathlib import Path

from pixely_benefits.sheet.schema import ALL_TABS
from pixely_benefits.sheet.workbook import WorkbookStore
from pixely_benefits.sheet.workbook_init import create_workbook
from pixely_benefits.starter import demo_tabs
from tests.conftest import DEMO_MONTH

EXAMPLE = Path(__file__).parent.parent / "ejemplos" / "beneficios-demo.xlsx"


def test_bundled_example_matches_a_fresh_demo(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.xlsx"
    create_workbook(fresh, demo_tabs(DEMO_MONTH))
    bundled = WorkbookStore(EXAMPLE).read(ALL_TABS)
    expected = WorkbookStore(fresh).read(ALL_TABS)
    assert list(bundled) == [spec.name for spec in ALL_TABS]
    for name, tab in expected.items():
        assert bundled[name].header == tab.header, name
        assert bundled[name].rows == tab.rows, name
