"""Structural faults found on both backends: columns or tabs pixely cannot tell apart,
and data where no header names it. Each stops the command in one line, exit 2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SheetFactory, demo_rows, write_xlsx


def one_error_line(result: Any) -> str:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return str(lines[0])


@pytest.mark.parametrize(
    ("tab", "extra_header", "expected"),
    [
        ("Clientes", "E-mail",
         "La pestaña «Clientes» tiene dos columnas para «Correo», «Correo» (D) y "
         "«E-mail» (K)"),
        ("Clientes", "ID cliente", "dos columnas para «ID», «ID» (A) y «ID cliente» (K)"),
        ("Suscripciones", "ID",
         "dos columnas para «ID cliente», «ID cliente» (A) y «ID» (E)"),
    ],
)  # fmt: skip
def test_two_names_of_one_column_stop_the_command(
    cli: Any, sheet: SheetFactory, tab: str, extra_header: str, expected: str
) -> None:
    tabs = demo_rows()
    tabs[tab][0] = [*tabs[tab][0], extra_header]
    location = sheet.create(tabs)
    line = one_error_line(cli("--sheet", location, "check"))
    assert expected in line


def test_data_right_of_the_last_header_stops_the_command(
    cli: Any, sheet: SheetFactory
) -> None:
    tabs = demo_rows()
    width = len(tabs["Clientes"][0])  # A..J
    tabs["Clientes"][3] = [*tabs["Clientes"][3], None, None, None, None, None, "nota"]
    location = sheet.create(tabs)
    line = one_error_line(cli("--sheet", location, "eligible", "--month", "2026-12"))
    assert width == 10
    assert line == (
        "Error: La pestaña «Clientes» tiene datos en la columna P pero su encabezado "
        "(fila 1) está vacío: escribe el nombre de la columna o bórrala."
    )


def test_a_blank_column_right_of_the_last_header_is_fine(
    cli: Any, tmp_path: Path
) -> None:
    tabs = demo_rows()
    tabs["Clientes"][3] = [*tabs["Clientes"][3], None, None, "   "]
    path = write_xlsx(tmp_path / "b.xlsx", tabs)
    assert cli("--sheet", str(path), "check").exit_code == 0


def test_two_tabs_alike_after_folding_stop_the_command(
    cli: Any, sheet: SheetFactory
) -> None:
    tabs = demo_rows()
    tabs["Configuracion"] = [["Clave", "Valor"], ["agencia", "Otra"]]
    location = sheet.create(tabs)
    line = one_error_line(cli("--sheet", location, "check"))
    assert line == (
        "Error: La hoja de control tiene dos pestañas «Configuración» y "
        "«Configuracion» que pixely no distingue (solo cambian mayúsculas, acentos o "
        "espacios): cambia el nombre de una de las dos o bórrala."
    )


def test_a_twin_of_clientes_with_a_trailing_space_stops_the_command(
    cli: Any, tmp_path: Path
) -> None:
    # Excel refuses two titles that differ only in case, not in spaces or accents.
    tabs = demo_rows()
    tabs["clientes "] = [["ID", "Cliente"], ["001", "Otra"]]
    path = write_xlsx(tmp_path / "b.xlsx", tabs)
    line = one_error_line(cli("--sheet", str(path), "eligible", "--month", "2026-12"))
    assert "dos pestañas «Clientes» y «clientes »" in line


def test_twin_tabs_the_tool_does_not_use_are_ignored(cli: Any, tmp_path: Path) -> None:
    tabs = demo_rows()
    tabs["Notas"] = [["a"]]
    tabs["NOTAS"] = [["b"]]
    path = write_xlsx(tmp_path / "b.xlsx", tabs)
    assert cli("--sheet", str(path), "check").exit_code == 0


@pytest.mark.parametrize("tab", ["Entregas", "Historial", "Promociones"])
def test_an_entirely_blank_optional_tab_is_an_empty_one(
    cli: Any, sheet: SheetFactory, tmp_path: Path, tab: str
) -> None:
    from pixely_benefits.sheet.schema import DELIVERIES, HISTORY

    tabs = demo_rows()
    tabs[tab] = []
    location = sheet.create(tabs)
    assert cli("--sheet", location, "check").exit_code == 0
    result = cli(
        "--sheet", location, "notify", "--month", "2026-12",
        "--salida", str(tmp_path / "salida"),
        env={"PIXELY_NOW": "2026-12-03T09:30", "PIXELY_USER": "lucia"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    for spec in (DELIVERIES, HISTORY):
        rows = sheet.rows(location, spec.name)
        if spec.name == tab:
            assert rows[0] == spec.headers  # every header, as in a new tab
        assert len(rows) > 1
