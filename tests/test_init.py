"""``pixely init``: the new workbook's tabs, headers, catalogue and cell formats."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.styles.numbers import is_date_format

from pixely_benefits.sheet.schema import ALL_TABS, Kind

TABS_AND_HEADERS = {
    "Clientes": ["ID", "Cliente", "Contacto", "Correo", "WhatsApp", "Canal", "Plan",
                 "Estado", "CM", "ClickUp"],
    "Suscripciones": ["ID cliente", "Inicio", "Fin", "Nota"],
    "Beneficios": ["Código", "Beneficio", "Tipo", "Meses mínimos", "Repetir cada",
                   "Plazo (días)", "Seguimiento (días)", "Planes", "Activo"],
    "Entregas": ["ID", "ID cliente", "Cliente", "Beneficio", "Mes", "Estado", "Canal",
                 "Notificado", "Fecha límite", "Entregado", "Enlace", "Seguimiento",
                 "Responsable", "Notas"],
    "Historial": ["Fecha", "Usuario", "Acción", "ID entrega", "Detalle"],
    "Configuración": ["Clave", "Valor"],
    "Promociones": ["Código", "Promoción", "Descripción", "Vigente hasta",
                    "Meses mínimos"],
}  # fmt: skip

# The contract's starting catalogue, copied by hand from its table.
CONTRACT_CATALOGUE = [
    ["publicaciones-adicionales", "Publicaciones adicionales sin costo", "mensual",
     3, 3, 10, None, None, "sí"],
    ["optimizacion-estrategia", "Optimización de estrategia", "mensual",
     3, 6, 15, None, None, "sí"],
    ["analisis-competidores", "Análisis de competidores", "mensual",
     6, 12, 15, None, None, "sí"],
    ["estudio-mercado", "Estudio de mercado gratuito", "mensual",
     6, 12, 20, None, None, "sí"],
    ["asesoria-meta-ads", "Asesoría en Meta Ads", "mensual",
     6, 6, 15, None, None, "sí"],
    ["consultoria-negocio", "Consultoría en modelo de negocio", "mensual",
     12, 12, 20, 30, None, "sí"],
    ["acceso-preferencial", "Acceso preferencial a nuevos servicios o promociones",
     "campaña", 3, None, 7, None, None, "sí"],
]  # fmt: skip

DATE_COLUMNS = {
    ("Suscripciones", "Inicio"),
    ("Suscripciones", "Fin"),
    ("Entregas", "Notificado"),
    ("Entregas", "Fecha límite"),
    ("Entregas", "Entregado"),
    ("Entregas", "Seguimiento"),
    ("Historial", "Fecha"),
    ("Promociones", "Vigente hasta"),
}
TEXT_COLUMNS = {
    ("Clientes", "ID"),
    ("Clientes", "WhatsApp"),
    ("Suscripciones", "ID cliente"),
    ("Beneficios", "Código"),
    ("Entregas", "ID"),
    ("Entregas", "ID cliente"),
    ("Entregas", "Mes"),
    ("Historial", "ID entrega"),
}


def rows_of(path: Path, title: str) -> list[list[Any]]:
    sheet = load_workbook(path)[title]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    return [r for r in rows if any(v is not None for v in r)]


def test_init_creates_every_tab_with_headers_in_order(cli: Any, tmp_path: Path) -> None:
    result = cli("init")
    assert result.exit_code == 0, result.output
    path = tmp_path / "beneficios.xlsx"
    assert "Hoja de control creada en «beneficios.xlsx»" in result.stdout
    book = load_workbook(path)
    assert book.sheetnames == list(TABS_AND_HEADERS)
    for title, headers in TABS_AND_HEADERS.items():
        assert rows_of(path, title)[0] == headers, title
        assert book[title].freeze_panes == "A2"


def test_schema_and_contract_agree_on_tabs() -> None:
    assert {spec.name: spec.headers for spec in ALL_TABS} == TABS_AND_HEADERS


def test_init_catalogue_is_the_contracts(cli: Any, tmp_path: Path) -> None:
    assert cli("init", "nueva.xlsx").exit_code == 0
    assert rows_of(tmp_path / "nueva.xlsx", "Beneficios")[1:] == CONTRACT_CATALOGUE


def test_init_settings_and_empty_tabs(cli: Any, tmp_path: Path) -> None:
    assert cli("init", "nueva.xlsx").exit_code == 0
    path = tmp_path / "nueva.xlsx"
    assert rows_of(path, "Configuración")[1:] == [
        ["agencia", "Pixely"],
        ["zona_horaria", None],
        ["region_telefono", None],
        ["dias_gracia", 7],
        ["meses_entre_beneficios", 1],
        ["firma", None],
    ]
    for title in ("Clientes", "Suscripciones", "Entregas", "Historial", "Promociones"):
        assert len(rows_of(path, title)) == 1, title


def test_init_formats_text_and_date_columns(cli: Any, tmp_path: Path) -> None:
    assert cli("init", "nueva.xlsx").exit_code == 0
    book = load_workbook(tmp_path / "nueva.xlsx")
    for spec in ALL_TABS:
        sheet = book[spec.name]
        for index, column in enumerate(spec.columns, start=1):
            formats = {
                sheet.cell(row=r, column=index).number_format for r in (2, 3, 200)
            }
            where = (spec.name, column.header)
            if column.kind in (Kind.DATE, Kind.DATETIME):
                assert all(is_date_format(f) for f in formats), where
            elif column.kind is Kind.TEXT:
                assert formats == {"@"}, where
            else:
                assert formats == {"General"}, where
            assert (where in DATE_COLUMNS) == is_date_format(formats.pop()), where
    for where in TEXT_COLUMNS:
        sheet = book[where[0]]
        index = TABS_AND_HEADERS[where[0]].index(where[1]) + 1
        assert sheet.cell(row=2, column=index).number_format == "@", where


def test_init_demo_is_clean_for_check_and_shows_every_outcome(
    cli: Any, tmp_path: Path
) -> None:
    result = cli("init", "--demo", "--month", "2026-12")
    assert result.exit_code == 0, result.output
    assert "Siguiente paso: pixely eligible --month 2026-12 --all" in result.stdout
    check = cli("check")
    assert check.exit_code == 0, check.output
    assert "15 clientes" in check.stdout
    found = json.loads(
        cli("eligible", "--month", "2026-12", "--all", "--format", "json").stdout
    )
    assert len(found) == 15
    assert {d["reason"] for d in found} == {
        None,
        "estado",
        "sin-suscripcion",
        "sin-beneficio",
        "antiguedad",
        "beneficio-reciente",
    }
    assert any(d["status"] for d in found)


def test_init_demo_keeps_ids_and_phones_as_text(cli: Any, tmp_path: Path) -> None:
    assert cli("init", "demo.xlsx", "--demo", "--month", "2026-12").exit_code == 0
    clients = rows_of(tmp_path / "demo.xlsx", "Clientes")
    assert clients[1][0] == "001"
    assert clients[5][4] == "+51 912 345 678"
    entregas = rows_of(tmp_path / "demo.xlsx", "Entregas")
    assert all(isinstance(row[4], str) for row in entregas[1:])


@pytest.mark.parametrize("args", [("init",), ("init", "--demo")])
def test_init_refuses_to_overwrite(
    cli: Any, tmp_path: Path, args: tuple[str, ...]
) -> None:
    path = tmp_path / "beneficios.xlsx"
    path.write_bytes(b"datos que no se pierden")
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Error: Ya existe «beneficios.xlsx»: no se sobrescribe. Elige otro nombre o "
        "bórralo antes."
    ]
    assert path.read_bytes() == b"datos que no se pierden"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["beneficios.xlsx"]


def test_init_twice_refuses_the_second_time(cli: Any, tmp_path: Path) -> None:
    assert cli("init", "--demo", "--month", "2026-12").exit_code == 0
    before = (tmp_path / "beneficios.xlsx").read_bytes()
    assert cli("init", "--demo").exit_code == 2
    assert (tmp_path / "beneficios.xlsx").read_bytes() == before


def test_init_uses_the_sheet_option_and_creates_folders(
    cli: Any, tmp_path: Path
) -> None:
    result = cli("--sheet", "clientes/2027.xlsx", "init")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "clientes" / "2027.xlsx").is_file()
    assert "pixely --sheet clientes/2027.xlsx eligible --all" in result.stdout


def test_init_prints_odd_paths_as_they_are(cli: Any, tmp_path: Path) -> None:
    result = cli("init", "hoja [/] nueva.xlsx")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "hoja [/] nueva.xlsx").is_file()
    assert "«hoja [/] nueva.xlsx»" in result.stdout
    assert 'pixely --sheet "hoja [/] nueva.xlsx" eligible --all' in result.stdout


def test_init_under_a_file_instead_of_a_folder_is_one_line(
    cli: Any, tmp_path: Path
) -> None:
    (tmp_path / "notas.txt").write_text("no soy una carpeta", encoding="utf-8")
    result = cli("init", "notas.txt/beneficios.xlsx")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Error: No se puede crear «notas.txt/beneficios.xlsx»: comprueba que la "
        "carpeta «notas.txt» exista o se pueda crear (no un archivo) y que puedas "
        "escribir en ella."
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notas.txt"]


def test_init_refuses_a_name_that_is_not_xlsx(cli: Any, tmp_path: Path) -> None:
    result = cli("init", "beneficios.csv")
    assert result.exit_code == 2
    assert "debe terminar en .xlsx" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664)])
def test_init_gives_the_new_file_the_usual_permissions(
    cli: Any, tmp_path: Path, umask: int, mode: int
) -> None:
    previous = os.umask(umask)
    try:
        result = cli("init", "beneficios.xlsx")
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE((tmp_path / "beneficios.xlsx").stat().st_mode) == mode


@pytest.mark.parametrize("month", ["9999-12", "0000-12"])
def test_init_demo_refuses_a_month_out_of_range(
    cli: Any, tmp_path: Path, month: str
) -> None:
    result = cli("init", "z.xlsx", "--demo", "--month", month)
    assert result.exit_code == 2
    assert f"«{month}» no es un mes" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_init_month_without_demo_is_refused(cli: Any, tmp_path: Path) -> None:
    result = cli("init", "beneficios.xlsx", "--month", "2026-12")
    assert result.exit_code == 2
    assert "--month solo sirve con --demo" in result.stderr
    assert list(tmp_path.iterdir()) == []
