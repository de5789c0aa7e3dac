"""The shortcuts that keep large sheets fast read exactly what the plain paths read.

Raw rows map calamine's values with an inlined check per type, the large tabs
hand out tuples instead of dicts, and repeated ``Mes``/``Estado`` texts are
parsed once: these tests pin what each shortcut must still return.
"""

from __future__ import annotations

import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from pixely_benefits.loading import Loaded, parse
from pixely_benefits.months import Month
from pixely_benefits.problems import Problem
from pixely_benefits.records import Delivery, DeliveryState, Period
from pixely_benefits.sheet.base import RawRow, RawTab
from pixely_benefits.sheet.schema import CLIENTS
from pixely_benefits.sheet.workbook import WorkbookStore
from pixely_benefits.starter import catalogue_rows
from tests.conftest import Cell, write_xlsx

BENEFIT_HEADER = ["Código", "Beneficio", "Tipo", "Meses mínimos"]


def catalogue() -> list[list[Cell]]:
    return [BENEFIT_HEADER] + [
        [row[h] for h in BENEFIT_HEADER] for row in catalogue_rows()
    ]


def test_raw_rows_map_every_kind_of_cell(tmp_path: Path) -> None:
    header: list[Cell] = ["ID", "Cliente", "Contacto", "Plan", "Estado", "CM"]
    rows: list[list[Cell]] = [
        header,
        ["001", "  Café  ", "   ", True, 7, 7.5],
        ["002", "Espiga", time(9, 30), timedelta(hours=30), "", "  "],
        ["  ", None, "", None, "\t", None],
        [datetime(2026, 3, 1, 10, 30), date(2026, 3, 1), None, None, None, None],
    ]
    path = write_xlsx(tmp_path / "control.xlsx", {"Clientes": rows})
    raw = WorkbookStore(path).read([CLIENTS])["Clientes"]
    assert raw.header == header
    assert raw.rows == [
        RawRow(2, ["001", "  Café  ", None, True, 7.0, 7.5]),
        RawRow(3, ["002", "Espiga", "09:30", "1 day, 6:00:00"]),
        RawRow(5, [datetime(2026, 3, 1, 10, 30), date(2026, 3, 1)]),
    ]


def raw_tab(title: str, header: list[str], *rows: list[Cell]) -> RawTab:
    body = [RawRow(number, list(row)) for number, row in enumerate(rows, start=2)]
    return RawTab(title, header, body)


def parsed(**extra: RawTab) -> Loaded:
    """``parse`` of one client, the catalogue and the given tabs, as a backend reads them."""
    tabs = {
        "Clientes": raw_tab("Clientes", ["ID", "Cliente"], ["001", "Café"]),
        "Suscripciones": raw_tab(
            "Suscripciones", ["ID cliente", "Inicio"], ["001", date(2026, 1, 1)]
        ),
        "Beneficios": RawTab(
            "Beneficios",
            [str(h) for h in BENEFIT_HEADER],
            [RawRow(n, r) for n, r in enumerate(catalogue()[1:], start=2)],
        ),
    }
    tabs.update(extra)
    return parse(tabs)


def test_rows_shorter_or_longer_than_the_header_and_absent_columns() -> None:
    """Missing trailing cells and columns the tab lacks read as blank; extra cells are ignored."""
    loaded = parsed(
        Entregas=raw_tab(
            "Entregas",
            ["Notas", "ID", "ID cliente", "Beneficio", "Mes", "Estado", "Entregado"],
            ["ok", "001-a-2026-10", "001", "a", "2026-10", "entregado", None],
            [None, "001-b-2026-11", "001", "b", "2026-11", "pendiente"],
            [None, "001-c-2026-12", "001", "c", "2026-12", "notificado", None, "x", 9],
        ),
        Suscripciones=raw_tab(
            "Suscripciones",
            ["Nota", "ID cliente", "Inicio", "Fin"],
            ["primera", "001", date(2025, 1, 1), date(2025, 6, 30)],
            [None, "001", date(2026, 1, 1)],
        ),
    )
    assert loaded.problems == []
    assert loaded.data.deliveries == [
        Delivery(2, "001-a-2026-10", "001", "a", Month(2026, 10),
                 DeliveryState.DELIVERED, notes="ok"),
        Delivery(3, "001-b-2026-11", "001", "b", Month(2026, 11), DeliveryState.PENDING),
        Delivery(4, "001-c-2026-12", "001", "c", Month(2026, 12),
                 DeliveryState.NOTIFIED),
    ]  # fmt: skip
    assert loaded.data.periods == {
        "001": [
            Period(2, "001", date(2025, 1, 1), date(2025, 6, 30), "primera"),
            Period(3, "001", date(2026, 1, 1), None, None),
        ]
    }


@pytest.mark.parametrize(
    ("month", "state", "expected"),
    [
        ("2026-11", " ENTREGADO ", (Month(2026, 11), DeliveryState.DELIVERED)),
        (date(2026, 11, 15), "entregado", (Month(2026, 11), DeliveryState.DELIVERED)),
        (datetime(2026, 11, 1, 9), "Pendiente", (Month(2026, 11), DeliveryState.PENDING)),
        (" 2026-11 ", "cancelado", (Month(2026, 11), DeliveryState.CANCELLED)),
    ],
)  # fmt: skip
def test_month_and_state_in_every_form(
    month: Cell, state: Cell, expected: tuple[Month, DeliveryState]
) -> None:
    header = ["ID", "ID cliente", "Beneficio", "Mes", "Estado"]
    rows = [[f"001-a-{n}", "001", "a", month, state] for n in range(3)]
    loaded = parsed(Entregas=raw_tab("Entregas", header, *rows))
    assert loaded.problems == []
    assert [(d.month, d.state) for d in loaded.data.deliveries] == [expected] * 3


def test_a_repeated_bad_month_or_state_is_reported_on_every_row() -> None:
    header = ["ID", "ID cliente", "Beneficio", "Mes", "Estado"]
    loaded = parsed(
        Entregas=raw_tab(
            "Entregas",
            header,
            ["001-a-1", "001", "a", "2026-13", "entregado"],
            ["001-a-2", "001", "a", "2026-13", "entregado"],
            ["001-a-3", "001", "a", "2026-11", "enviado"],
            ["001-a-4", "001", "a", "2026-11", "enviado"],
            ["001-a-5", "001", "a", True, "entregado"],
            ["001-a-6", "001", "a", 1, "entregado"],
        )
    )
    states = (
        "estado desconocido: usa pendiente, notificado, entregado, cancelado, aceptado"
    )
    assert loaded.problems == [
        Problem("Entregas", 2, "Mes", "2026-13", "el mes no existe"),
        Problem("Entregas", 3, "Mes", "2026-13", "el mes no existe"),
        Problem("Entregas", 4, "Estado", "enviado", states),
        Problem("Entregas", 5, "Estado", "enviado", states),
        Problem("Entregas", 6, "Mes", "sí", "se esperaba un mes como 2026-03"),
        # serial 1 is 1899-12-31, before any month the tool accepts
        Problem("Entregas", 7, "Mes", "1", "el año debe estar entre 1900 y 9990"),
    ]
    assert loaded.data.deliveries == []


def test_data_under_a_blank_header_is_still_found() -> None:
    from pixely_benefits.errors import StructuralError

    with pytest.raises(StructuralError, match="columna C"):
        parsed(
            Suscripciones=raw_tab(
                "Suscripciones",
                ["ID cliente", "Inicio", "  "],
                ["001", date(2026, 1, 1)],
                ["001", date(2026, 2, 1), "nota"],
            )
        )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"<c r='A1'><v>1</v></c>" * 10, False),
        (b"<c r='A1'><f>SUM(B1:B2)</f></c>", True),
        # "<" ends the first 1 MB piece and "f" starts the next one.
        (b"x" * ((1 << 20) - 1) + b"<f>SUM(B1:B2)</f>", True),
        (b"x" * ((1 << 20) - 1) + b"<g/>" + b"f" * 10, False),
        (b"x" * (3 << 20) + b"<f/>", True),
    ],
    ids=["no-formula", "formula", "split-across-pieces", "split-not-formula", "far"],
)
def test_formula_scan_finds_formulas_across_pieces(
    tmp_path: Path, content: bytes, expected: bool
) -> None:
    from pixely_benefits.sheet.workbook import _has_formulas

    path = tmp_path / "parte.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", content)
    with zipfile.ZipFile(path) as archive:
        assert _has_formulas(archive, "xl/worksheets/sheet1.xml") is expected
