"""``pixely check`` beyond bad rows: warnings about cells that a later command needs.

A warning never drops its row: the client stays in the rules, the delivery still
counts; only the cell it names cannot be used.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import demo_rows, write_xlsx


def demo_changed(tmp_path: Path, tab: str, row: int, header: str, value: Any) -> Path:
    tabs = demo_rows()
    tabs[tab][row - 1][tabs[tab][0].index(header)] = value
    return write_xlsx(tmp_path / "beneficios.xlsx", tabs)


def check_json(cli: Any, path: Path) -> tuple[int, list[dict[str, Any]]]:
    result = cli("--sheet", str(path), "check", "--format", "json")
    return result.exit_code, json.loads(result.stdout)


def eligible_ids(cli: Any, path: Path) -> list[str]:
    result = cli("--sheet", str(path), "eligible", "-m", "2026-12", "-f", "json")
    assert result.exit_code == 0, result.output
    return [d["client_id"] for d in json.loads(result.stdout)]


@pytest.mark.parametrize(
    ("header", "value", "message"),
    [
        ("Correo", "maria@laespiga", "el correo «maria@laespiga» no es válido"),
        ("WhatsApp", "+51 987", "el WhatsApp «+51 987» no es un número válido"),
        ("WhatsApp", "llamar", "el WhatsApp «llamar» no es un número de teléfono"),
    ],
)
def test_a_contact_that_cannot_be_used_is_a_warning_on_its_cell(
    cli: Any, tmp_path: Path, header: str, value: str, message: str
) -> None:
    path = demo_changed(tmp_path, "Clientes", 2, header, value)  # 001
    code, problems = check_json(cli, path)
    assert code == 1
    assert problems == [
        {
            "tab": "Clientes",
            "row": 2,
            "column": header,
            "value": value,
            "message": f"{message}; la fila se usa igual, sin ese canal",
            "severity": "aviso",
        }
    ]
    assert "001" in eligible_ids(cli, path)  # the client is not left out


def test_a_channel_asked_for_but_missing_is_a_warning(cli: Any, tmp_path: Path) -> None:
    path = demo_changed(tmp_path, "Clientes", 3, "Correo", None)  # 002, Canal correo
    code, problems = check_json(cli, path)
    assert code == 1
    assert [(p["row"], p["column"], p["value"], p["severity"]) for p in problems] == [
        (3, "Canal", "correo", "aviso")
    ]
    assert problems[0]["message"].startswith(
        "el canal es «correo» pero no tiene correo"
    )


def test_the_table_tells_warnings_from_errors(cli: Any, tmp_path: Path) -> None:
    tabs = demo_rows()
    tabs["Clientes"][1][3] = "maria@laespiga"
    tabs["Suscripciones"].append(["099", "01/03/2026", None, None])
    path = write_xlsx(tmp_path / "beneficios.xlsx", tabs)
    result = cli("--sheet", str(path), "check")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "2 problemas en 2 filas: 1 error y 1 aviso. Las filas con errores se omiten "
        "hasta que se corrijan. Las filas con avisos se usan, sin el dato señalado."
    )
    assert "aviso: el correo «maria@laespiga» no es válido" in result.stdout


def test_an_unknown_phone_region_is_a_problem_of_configuracion(
    cli: Any, tmp_path: Path
) -> None:
    tabs = demo_rows()
    settings = tabs["Configuración"]
    row = next(i for i, r in enumerate(settings) if r[0] == "region_telefono")
    settings[row][1] = "XX"
    path = write_xlsx(tmp_path / "beneficios.xlsx", tabs)
    code, problems = check_json(cli, path)
    assert code == 1
    assert {
        "tab": "Configuración",
        "row": row + 1,
        "column": "Valor",
        "value": "XX",
        "message": "se esperaba el código de dos letras de un país, como PE; se usa "
        "el valor por omisión",
        "severity": "error",
    } in problems


def entregas_row(tabs: dict[str, list[list[Any]]], client: str, month: str) -> int:
    header = tabs["Entregas"][0]
    for number, row in enumerate(tabs["Entregas"][1:], start=2):
        if (
            row[header.index("ID cliente")] == client
            and row[header.index("Mes")] == month
        ):
            return number
    raise LookupError(client)


def test_an_unknown_benefit_code_in_entregas_is_a_warning_and_still_counts(
    cli: Any, tmp_path: Path
) -> None:
    tabs = demo_rows()
    number = entregas_row(tabs, "011", "2026-11")
    tabs["Entregas"][number - 1][tabs["Entregas"][0].index("Beneficio")] = "foto-extra"
    path = write_xlsx(tmp_path / "beneficios.xlsx", tabs)
    code, problems = check_json(cli, path)
    assert code == 1
    assert problems == [
        {
            "tab": "Entregas",
            "row": number,
            "column": "Beneficio",
            "value": "foto-extra",
            "message": "no hay ningún beneficio con ese código en «Beneficios»: la "
            "fila cuenta como un beneficio mensual",
            "severity": "aviso",
        }
    ]
    result = cli(
        "--sheet", str(path), "eligible", "-m", "2026-12", "--all", "-f", "json"
    )
    by_id = {d["client_id"]: d for d in json.loads(result.stdout)}
    assert by_id["011"]["reason"] == "beneficio-reciente"  # the row still counts


def test_an_entregas_row_of_an_unknown_client_is_a_warning(
    cli: Any, tmp_path: Path
) -> None:
    tabs = demo_rows()
    number = entregas_row(tabs, "011", "2026-11")
    tabs["Entregas"][number - 1][tabs["Entregas"][0].index("ID cliente")] = "099"
    path = write_xlsx(tmp_path / "beneficios.xlsx", tabs)
    code, problems = check_json(cli, path)
    assert code == 1
    assert [(p["row"], p["column"], p["value"], p["severity"]) for p in problems] == [
        (number, "ID cliente", "099", "aviso")
    ]


def test_check_reads_the_header_of_historial_too(cli: Any, tmp_path: Path) -> None:
    tabs = demo_rows()
    tabs["Historial"][0] = [*tabs["Historial"][0], "Fecha"]
    path = write_xlsx(tmp_path / "beneficios.xlsx", tabs)
    result = cli("--sheet", str(path), "check")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Error: La pestaña «Historial» tiene el encabezado «Fecha» repetido en las "
        "columnas A y F: deja solo una."
    ]
