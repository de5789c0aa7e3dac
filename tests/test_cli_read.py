"""The read-only commands end to end: check, eligible, explain, the sheet choice,
exit codes, output formats and help texts."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import typer.main
from openpyxl import load_workbook
from typer.core import TyperGroup

from pixely_benefits.cli import app
from tests.conftest import Tabs, demo_rows, write_xlsx

# The demo for 2026-12 (starter.demo_tabs), worked out by hand from the contract:
# D = 2026-12-01, dias_gracia 7, meses_entre_beneficios 2, asesoria-meta-ads only
# for Pro and Premium.
# 001 Pro, since 2026-04-01 (8 months), no rows: first never given -> publicaciones.
# 002 Pro, since 2025-09-01 (15): publicaciones 2026-02 and optimizacion 2026-04 are
#     out of their windows, analisis 2026-06 blocked (12), estudio 2026-08 cancelled
#     so never given -> estudio-mercado, first never given in catalogue order.
# 003 paused, block since 2026-02-01 contains D (10 months) -> estado.
# 004 cancelled, block ended 2026-10-31 -> estado with no months.
# 005 block ended 2026-09-30 -> sin-suscripcion.
# 006 Básico since 2026-10-01 (2) < 3 -> antiguedad.
# 007 since 2026-06-15 (5), has publicaciones for 2026-12 notificado -> keeps it.
# 008 2026-01-01..2026-07-31 then 2026-08-06: 5 uncovered days join (11) -> publicaciones.
# 009 gap of 20 days: new block 2026-09-21 (2 months on 2026-12-01) -> antiguedad.
# 010 Básico since 2026-05-01 (7): every admitted benefit with min <= 7 is inside its
#     repeat window, meta-ads not in the plan, consultoria needs 12 -> sin-beneficio.
# 011 got publicaciones 2026-11: 1 month < 2 -> beneficio-reciente.
# 012 Premium since 2025-11-01 (13): consultoria never given -> consultoria-negocio.
# 013 Pro since 2026-08-01 (4): publicaciones (2026-10) and optimizacion (2026-09)
#     blocked, the rest need 6 -> sin-beneficio.
# 014 Básico since 2026-09-01 (3) -> publicaciones.
# 015 period ended 2026-10-31, next starts 2027-01-01 -> sin-suscripcion.
EXPECTED_DEMO_2026_12: list[dict[str, Any]] = [
    {"client_id": "001", "client": "Panadería La Espiga", "eligible": True,
     "months": 8, "benefit": "publicaciones-adicionales", "reason": None,
     "status": None},
    {"client_id": "002", "client": "Café Aroma", "eligible": True, "months": 15,
     "benefit": "estudio-mercado", "reason": None, "status": None},
    {"client_id": "003", "client": "Gimnasio Fuerza", "eligible": False,
     "months": 10, "benefit": None, "reason": "estado", "status": None},
    {"client_id": "004", "client": "Estudio Jurídico Ríos", "eligible": False,
     "months": None, "benefit": None, "reason": "estado", "status": None},
    {"client_id": "005", "client": "Florería Pétalos", "eligible": False,
     "months": None, "benefit": None, "reason": "sin-suscripcion", "status": None},
    {"client_id": "006", "client": "Taller Mecánico Veloz", "eligible": False,
     "months": 2, "benefit": None, "reason": "antiguedad", "status": None},
    {"client_id": "007", "client": "Boutique Aurora", "eligible": True, "months": 5,
     "benefit": "publicaciones-adicionales", "reason": None,
     "status": "notificado"},
    {"client_id": "008", "client": "Dental Sonrisa", "eligible": True, "months": 11,
     "benefit": "publicaciones-adicionales", "reason": None, "status": None},
    {"client_id": "009", "client": "Librería Letras", "eligible": False,
     "months": 2, "benefit": None, "reason": "antiguedad", "status": None},
    {"client_id": "010", "client": "Heladería Polar", "eligible": False,
     "months": 7, "benefit": None, "reason": "sin-beneficio", "status": None},
    {"client_id": "011", "client": "Agencia de Viajes Rumbo", "eligible": False,
     "months": 9, "benefit": None, "reason": "beneficio-reciente", "status": None},
    {"client_id": "012", "client": "Consultorio Vida", "eligible": True,
     "months": 13, "benefit": "consultoria-negocio", "reason": None,
     "status": None},
    {"client_id": "013", "client": "Restaurante Sabor Norteño", "eligible": False,
     "months": 4, "benefit": None, "reason": "sin-beneficio", "status": None},
    {"client_id": "014", "client": "Óptica Visión Clara", "eligible": True,
     "months": 3, "benefit": "publicaciones-adicionales", "reason": None,
     "status": None},
    {"client_id": "015", "client": "Pastelería Dulce Hogar", "eligible": False,
     "months": None, "benefit": None, "reason": "sin-suscripcion", "status": None},
]  # fmt: skip

UNREADABLE_LINE = "Error: "


def demo_with(tmp_path: Path, name: str = "beneficios.xlsx", **extra: Any) -> Path:
    """The demo workbook with rows appended to some tabs."""
    tabs = demo_rows()
    for tab, rows in extra.items():
        tabs[tab].extend(rows)
    return write_xlsx(tmp_path / name, tabs)


def one_line_error(result: Any) -> str:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(UNREADABLE_LINE)
    assert "Traceback" not in result.output
    return str(lines[0])


# check


def test_check_clean_sheet_exits_0(cli: Any, demo_xlsx: Path) -> None:
    result = cli("--sheet", str(demo_xlsx), "check")
    assert result.exit_code == 0
    assert result.stdout.strip() == (
        "La hoja está bien: 15 clientes, 18 periodos, 7 beneficios y 18 entregas."
    )
    assert result.stderr == ""


def test_check_row_problems_exit_1_grouped_by_tab(cli: Any, tmp_path: Path) -> None:
    path = demo_with(
        tmp_path,
        Suscripciones=[["001", date(2026, 3, 1), date(2026, 2, 1), None]],
        Clientes=[["099", None]],
    )
    result = cli("--sheet", str(path), "check")
    assert result.exit_code == 1
    out = result.stdout
    assert "2 problemas en 2 filas." in out
    assert out.index("Pestaña «Clientes»") < out.index("Pestaña «Suscripciones»")
    assert "el fin es anterior al inicio" in out
    assert "falta este dato obligatorio" in out


def test_check_counts_one_problem_in_the_singular(cli: Any, tmp_path: Path) -> None:
    path = demo_with(tmp_path, Clientes=[["099", None]])
    result = cli("--sheet", str(path), "check")
    assert result.exit_code == 1
    assert result.stdout.startswith("1 problema en 1 fila. ")


def test_check_json_lists_the_problems(cli: Any, tmp_path: Path) -> None:
    path = demo_with(tmp_path, Suscripciones=[["001", "31/02/2026", None, None]])
    result = cli("--sheet", str(path), "check", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {
            "tab": "Suscripciones",
            "row": 20,
            "column": "Inicio",
            "value": "31/02/2026",
            "message": "la fecha no existe",
            "severity": "error",
        }
    ]


def test_check_csv_lists_the_problems(cli: Any, tmp_path: Path) -> None:
    path = demo_with(tmp_path, Suscripciones=[["099", "01/03/2026", None, None]])
    result = cli("--sheet", str(path), "check", "--format", "csv")
    assert result.exit_code == 1
    assert list(csv.reader(io.StringIO(result.stdout))) == [
        ["Pestaña", "Fila", "Columna", "Valor", "Problema", "Tipo"],
        [
            "Suscripciones",
            "20",
            "ID cliente",
            "099",
            "no hay ningún cliente con ese ID en «Clientes»",
            "error",
        ],
    ]


def test_check_json_clean_is_an_empty_list(cli: Any, demo_xlsx: Path) -> None:
    result = cli("--sheet", str(demo_xlsx), "check", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_check_structural_error_exits_2_in_one_line(cli: Any, tmp_path: Path) -> None:
    tabs = demo_rows()
    tabs["Clientes"][0][4] = "Correo"  # instead of WhatsApp
    path = write_xlsx(tmp_path / "b.xlsx", tabs)
    line = one_line_error(cli("--sheet", str(path), "check"))
    assert line == (
        "Error: La pestaña «Clientes» tiene el encabezado «Correo» repetido en las "
        "columnas D y E: deja solo una."
    )


def test_check_missing_tab_exits_2(cli: Any, tmp_path: Path) -> None:
    tabs: Tabs = {k: v for k, v in demo_rows().items() if k != "Beneficios"}
    path = write_xlsx(tmp_path / "b.xlsx", tabs)
    line = one_line_error(cli("--sheet", str(path), "check"))
    assert "Falta la pestaña «Beneficios»" in line


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        (
            "nada.xlsx",
            None,
            "No existe el archivo «nada.xlsx»: créalo con «pixely init",
        ),
        ("clientes.csv", b"ID,Cliente\n", "no es un libro de Excel (.xlsx)"),
        (
            "roto.xlsx",
            b"PK\x03\x04 esto no es un libro",
            "No se puede leer «roto.xlsx»",
        ),
    ],
)
def test_check_unreadable_file_exits_2(
    cli: Any, tmp_path: Path, name: str, content: bytes | None, fragment: str
) -> None:
    if content is not None:
        (tmp_path / name).write_bytes(content)
    line = one_line_error(cli("--sheet", name, "check"))
    assert fragment in line


def test_text_from_the_sheet_is_never_read_as_markup(cli: Any, tmp_path: Path) -> None:
    tabs = demo_rows()
    tabs["Clientes"][1][1] = "Panadería [bold]La[/] Espiga :coffee:"
    tabs["Clientes"].append(
        ["016", "[/] Sin cierre", None, None, None, None, "Pro", "[red]"]
    )
    path = write_xlsx(tmp_path / "b.xlsx", tabs)
    checked = cli("--sheet", str(path), "check")
    assert checked.exit_code == 1
    assert "[red]" in checked.stdout
    table = cli("--sheet", str(path), "eligible", "--month", "2026-12", "--all")
    assert table.exit_code == 0
    assert "Panadería [bold]La[/] Espiga :coffee:" in table.stdout
    explained = cli("--sheet", str(path), "explain", "001", "--month", "2026-12")
    assert explained.exit_code == 0
    assert explained.stdout.startswith("Panadería [bold]La[/] Espiga :coffee: (ID 001)")


def test_error_naming_a_path_with_brackets_stays_one_line(cli: Any) -> None:
    line = one_line_error(cli("--sheet", "hoja [/] [vieja].xlsx", "check"))
    assert "«hoja [/] [vieja].xlsx»" in line


# eligible


def test_eligible_json_on_the_demo_is_exactly_the_contract(
    cli: Any, demo_xlsx: Path
) -> None:
    result = cli(
        "--sheet", str(demo_xlsx), "eligible", "--month", "2026-12", "--all",
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0
    assert result.stderr == ""
    found = json.loads(result.stdout)
    assert found == EXPECTED_DEMO_2026_12
    assert [list(item) for item in found] == [list(EXPECTED_DEMO_2026_12[0])] * 15


def test_eligible_json_without_all_lists_only_eligible_clients(
    cli: Any, demo_xlsx: Path
) -> None:
    result = cli("--sheet", str(demo_xlsx), "eligible", "-m", "2026-12", "-f", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [
        d for d in EXPECTED_DEMO_2026_12 if d["eligible"]
    ]


def test_eligible_csv_parses_with_the_csv_module(cli: Any, demo_xlsx: Path) -> None:
    result = cli(
        "--sheet", str(demo_xlsx), "eligible", "--month", "2026-12", "--all",
        "--format", "csv",
    )  # fmt: skip
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 15
    assert list(rows[0]) == [
        "ID", "Cliente", "Elegible", "Meses", "Beneficio", "Estado", "Motivo", "Detalle",
    ]  # fmt: skip
    by_id = {row["ID"]: row for row in rows}
    for expected in EXPECTED_DEMO_2026_12:
        row = by_id[expected["client_id"]]
        assert row["Cliente"] == expected["client"]
        assert row["Elegible"] == ("sí" if expected["eligible"] else "no")
        assert row["Meses"] == (
            "" if expected["months"] is None else str(expected["months"])
        )
        assert row["Beneficio"] == (expected["benefit"] or "")
        assert row["Estado"] == (expected["status"] or "")
        assert row["Motivo"] == (expected["reason"] or "")
    assert by_id["011"]["Detalle"] == "ya recibió un beneficio reciente"


def test_eligible_problems_go_to_stderr_never_into_the_json(
    cli: Any, tmp_path: Path
) -> None:
    path = demo_with(
        tmp_path,
        Clientes=[
            ["016", "Sin nombre de plan", None, None, None, None, None, "dormido"]
        ],
        Entregas=[["x", "001", "estudio-mercado", "diciembre", "entregado"]],
    )
    result = cli(
        "--sheet", str(path), "eligible", "--month", "2026-12", "--all",
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0
    assert json.loads(result.stdout) == EXPECTED_DEMO_2026_12
    assert result.stderr.strip() == (
        "Aviso: 2 filas tienen problemas y se omitieron donde hacía falta; "
        f"revísalas con «pixely --sheet {path} check»."
    )


def test_eligible_table_lists_benefits_and_reasons(cli: Any, demo_xlsx: Path) -> None:
    result = cli("--sheet", str(demo_xlsx), "eligible", "--month", "2026-12", "--all")
    assert result.exit_code == 0
    out = result.stdout
    assert "Beneficios de 2026-12: 6 de 15 clientes elegibles" in out
    lines = {line.split()[0]: line for line in out.splitlines() if line[1:4].isdigit()}
    assert "publicaciones-adicionales" in lines["001"]
    assert "notificado" in lines["007"]
    assert "✗ cliente pausado" in lines["003"]
    assert "✗ cliente cancelado" in lines["004"]
    assert "✗ sin suscripción vigente" in lines["005"]
    assert "✗ faltan meses continuos" in lines["006"]
    assert "✗ sin beneficio disponible" in lines["010"]
    assert "✗ beneficio reciente" in lines["011"]


@pytest.mark.parametrize("width", ["80", "100", "120"])
def test_eligible_table_fits_the_terminal_one_line_per_client(
    cli: Any, demo_xlsx: Path, width: str
) -> None:
    result = cli(
        "--sheet", str(demo_xlsx), "eligible", "--month", "2026-12", "--all",
        env={"COLUMNS": width},
    )  # fmt: skip
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    # The table fits; the closing hint is a command to copy, kept whole on one line.
    table = [line for line in lines if "detalle: pixely" not in line]
    assert max(len(line.rstrip()) for line in table) <= int(width)
    # Benefit codes and reasons never wrap: each client's line carries its outcome.
    client_lines = [line for line in lines if re.match(r" \d{3} ", line)]
    assert len(client_lines) == 15
    outcomes = [
        "publicaciones-adicionales", "estudio-mercado", "consultoria-negocio", "✗ ",
    ]  # fmt: skip
    assert all(any(o in line for o in outcomes) for line in client_lines)


def test_eligible_table_without_all_hides_the_others(cli: Any, demo_xlsx: Path) -> None:
    result = cli("--sheet", str(demo_xlsx), "eligible", "--month", "2026-12")
    assert result.exit_code == 0
    ids = [
        line.split()[0] for line in result.stdout.splitlines() if line[1:4].isdigit()
    ]
    assert ids == ["001", "002", "007", "008", "012", "014"]
    assert "✗" not in result.stdout


@pytest.mark.parametrize(
    "month", ["2026-13", "dic-2026", "12/2026", "0000-12", "9999-12", "1899-12"]
)
def test_eligible_bad_month_is_a_usage_error(
    cli: Any, demo_xlsx: Path, month: str
) -> None:
    result = cli("--sheet", str(demo_xlsx), "eligible", "--month", month)
    assert result.exit_code == 2
    assert f"«{month}» no es un mes" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "hoy"])
def test_eligible_bad_date_is_a_usage_error(
    cli: Any, demo_xlsx: Path, day: str
) -> None:
    result = cli("--sheet", str(demo_xlsx), "eligible", "--fecha", day)
    assert result.exit_code == 2
    assert f"«{day}» no es una fecha" in result.stderr
    assert result.stdout == ""


# choosing the sheet


def make_sheet(path: Path, client: str) -> Path:
    tabs = demo_rows()
    tabs["Clientes"][1][1] = client
    return write_xlsx(path, tabs)


def first_client(result: Any) -> str:
    assert result.exit_code == 0, result.output
    return str(json.loads(result.stdout)[0]["client"])


def test_sheet_option_then_environment_then_default_file(
    cli: Any, tmp_path: Path
) -> None:
    args = ("eligible", "--month", "2026-12", "--format", "json")
    make_sheet(tmp_path / "beneficios.xlsx", "Por omisión")
    make_sheet(tmp_path / "entorno.xlsx", "Del entorno")
    make_sheet(tmp_path / "opcion.xlsx", "De la opción")
    assert first_client(cli(*args)) == "Por omisión"
    env = {"PIXELY_SHEET": str(tmp_path / "entorno.xlsx")}
    assert first_client(cli(*args, env=env)) == "Del entorno"
    assert first_client(cli("--sheet", "opcion.xlsx", *args, env=env)) == "De la opción"
    assert first_client(cli("-s", "opcion.xlsx", *args)) == "De la opción"


def test_sheet_from_a_dotenv_file(cli: Any, tmp_path: Path) -> None:
    make_sheet(tmp_path / "desde-env.xlsx", "Desde .env")
    (tmp_path / ".env").write_text("PIXELY_SHEET=desde-env.xlsx\n", encoding="utf-8")
    result = cli("eligible", "--month", "2026-12", "--format", "json")
    assert first_client(result) == "Desde .env"


def test_no_sheet_anywhere_says_how_to_create_one(cli: Any) -> None:
    line = one_line_error(cli("eligible", "--month", "2026-12"))
    assert line == (
        "Error: No existe el archivo «beneficios.xlsx»: créalo con «pixely init "
        "beneficios.xlsx» o indica otra hoja con --sheet."
    )


# explain


def test_explain_shows_blocks_months_and_the_chosen_benefit(
    cli: Any, demo_xlsx: Path
) -> None:
    result = cli("--sheet", str(demo_xlsx), "explain", "002", "--month", "2026-12")
    assert result.exit_code == 0
    out = result.stdout
    assert "Café Aroma (ID 002) — 2026-12, evaluado al 2026-12-01" in out
    assert "fila 3: 2025-09-01 → sin fin" in out
    assert "Bloques continuos" in out
    assert "  2025-09-01 → vigente" in out
    assert "Continuidad desde el 2025-09-01: 15 meses completos." in out
    assert "fila 5: 2026-08 estudio-mercado (cancelado)" in out
    flat = " ".join(out.split())
    assert "✓ estudio-mercado: elegido: nunca lo recibió" in flat
    assert "✗ analisis-competidores: ya lo recibió en 2026-06" in flat
    assert "✓ publicaciones-adicionales: disponible, pero se eligió" in flat
    assert "Resultado: recibe «estudio-mercado» en 2026-12." in out


def test_explain_grace_gap_and_next_month(cli: Any, demo_xlsx: Path) -> None:
    result = cli("--sheet", str(demo_xlsx), "explain", "009", "-m", "2026-12")
    assert result.exit_code == 0
    out = result.stdout
    assert "  2025-10-01 → 2026-08-31" in out
    assert "  2026-09-21 → vigente" in out
    assert "Continuidad desde el 2026-09-21: 2 meses completos." in out
    assert (
        "Resultado: no es elegible en 2026-12: aún no tiene los meses continuos "
        "necesarios." in out
    )
    assert "Volverá a calificar en 2027-01 si nada cambia." in out


def test_explain_wraps_reasons_beside_their_benefit_at_80_columns(
    cli: Any, demo_xlsx: Path
) -> None:
    result = cli(
        "--sheet", str(demo_xlsx), "explain", "010", "-m", "2026-12",
        env={"COLUMNS": "80"},
    )  # fmt: skip
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    start = next(
        i for i, line in enumerate(lines) if "publicaciones-adicionales:" in line
    )
    column = lines[start].index("ya lo recibió")
    # The wrapped rest of a reason starts under the reason, never at the margin.
    assert lines[start + 1][:column].strip() == ""
    assert lines[start + 1].strip() == "2027-01"


def test_explain_unknown_client_is_a_clear_error(cli: Any, demo_xlsx: Path) -> None:
    result = cli("--sheet", str(demo_xlsx), "explain", "999", "--month", "2026-12")
    assert one_line_error(result) == (
        "Error: No hay ningún cliente con ID «999» en «Clientes»."
    )


# help texts


def test_every_command_and_option_has_help() -> None:
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    assert (group.help or "").strip()
    assert {"check", "eligible", "explain", "init"} <= set(group.commands)
    for param in group.params:
        assert (getattr(param, "help", None) or "").strip(), param.name
    for name, command in group.commands.items():
        assert (command.help or "").strip(), name
        for param in command.params:
            assert (getattr(param, "help", None) or "").strip(), f"{name} {param.name}"


def test_help_of_each_command_shows_its_spanish_text(cli: Any) -> None:
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    for name, command in group.commands.items():
        result = cli(name, "--help")
        assert result.exit_code == 0, name
        summary = " ".join((command.help or "").split(".")[0].split())
        assert summary in " ".join(result.stdout.split()), name
    assert "desde la hoja de control" in " ".join(cli("--help").stdout.split())


# the installed program


def installed_pixely() -> str:
    found = shutil.which("pixely", path=str(Path(sys.executable).parent))
    found = found or shutil.which("pixely")
    if found is None:
        pytest.skip("the pixely console script is not installed in this environment")
    return found


def run_pixely(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIXELY_")}
    env.update({"COLUMNS": "120", "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"})
    return subprocess.run(
        [installed_pixely(), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )


def test_installed_pixely_exit_codes(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "beneficios.xlsx", demo_rows())
    clean = run_pixely(tmp_path, "check")
    assert (clean.returncode, clean.stderr) == (0, "")
    assert "La hoja está bien" in clean.stdout

    demo_with(tmp_path, "malo.xlsx", Suscripciones=[["099", "01/03/2026", None, None]])
    bad_rows = run_pixely(tmp_path, "--sheet", "malo.xlsx", "check")
    assert bad_rows.returncode == 1
    assert "no hay ningún cliente con ese ID" in bad_rows.stdout

    missing = run_pixely(tmp_path, "--sheet", "otra.xlsx", "check")
    assert missing.returncode == 2
    assert missing.stdout == ""
    assert missing.stderr.splitlines() == [
        "Error: No existe el archivo «otra.xlsx»: créalo con «pixely init otra.xlsx» "
        "o indica otra hoja con --sheet."
    ]

    as_json = run_pixely(
        tmp_path, "eligible", "--month", "2026-12", "--all", "--format", "json"
    )
    assert as_json.returncode == 0
    assert json.loads(as_json.stdout) == EXPECTED_DEMO_2026_12


HEAVY_MODULES = ("gspread", "openpyxl", "python_calamine", "pydantic")

IMPORTS_AFTER_HELP = """
import sys
from pixely_benefits.cli import main
sys.argv = ["pixely", "--help"]
try:
    main()
except SystemExit:
    pass
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[1:]))
sys.stderr.write("LOADED:" + ",".join(heavy) + "\\n")
"""


def test_help_imports_no_heavy_module(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", IMPORTS_AFTER_HELP, *HEAVY_MODULES],
        cwd=tmp_path,
        env={**os.environ, "COLUMNS": "100", "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=True,
    )
    assert "Usage" in result.stdout or "Uso" in result.stdout
    assert result.stderr.strip().splitlines()[-1] == "LOADED:"


# CSV output never carries a formula


@pytest.mark.parametrize(
    "name", ["=1+1 Panadería", "+51 987 Café", "-2 Dulces", "@SUMA(A1)"]
)
def test_eligible_csv_neutralises_text_that_a_spreadsheet_would_run(
    cli: Any, tmp_path: Path, name: str
) -> None:
    path = demo_with(
        tmp_path,
        Clientes=[["016", "x", None, "f@example.com", None, None, "Pro"]],
        Suscripciones=[["016", "01/01/2025", None, None]],
    )
    book = load_workbook(path)
    book["Clientes"]["B17"].value = name  # text in the sheet, not a formula
    book["Clientes"]["B17"].data_type = "s"
    book.save(path)
    result = cli(
        "--sheet", str(path), "eligible", "-m", "2026-12", "--all", "-f", "csv"
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = {row["ID"]: row for row in csv.DictReader(io.StringIO(result.stdout))}
    assert rows["016"]["Cliente"] == "'" + name
    assert rows["001"]["Cliente"] == "Panadería La Espiga"


def test_check_csv_neutralises_values_that_a_spreadsheet_would_run(
    cli: Any, tmp_path: Path
) -> None:
    path = demo_with(tmp_path, Suscripciones=[["001", "-5", None, None]])
    result = cli("--sheet", str(path), "check", "--format", "csv")
    assert result.exit_code == 1
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[1][:4] == ["Suscripciones", "20", "Inicio", "'-5"]


# explain: an ID that is not there, or there twice


def test_explain_a_repeated_id_names_its_rows(cli: Any, tmp_path: Path) -> None:
    path = demo_with(
        tmp_path, Clientes=[["019", "Uno", None, "a@example.com"], ["019", "Dos"]]
    )
    line = one_line_error(cli("--sheet", str(path), "explain", "019", "-m", "2026-12"))
    assert line == (
        "Error: El ID «019» está repetido en «Clientes» (filas 17 y 18) y no se usa "
        "ninguna de esas filas: deja una sola con ese ID."
    )


@pytest.mark.parametrize(
    ("typed", "suggestion"),
    [
        ("1", "¿Quisiste decir «001» (Panadería La Espiga)?"),
        ("Cafe Aroma", "¿Quisiste decir «002» (Café Aroma)?"),
    ],
)
def test_explain_an_unknown_id_suggests_the_closest(
    cli: Any, demo_xlsx: Path, typed: str, suggestion: str
) -> None:
    line = one_line_error(cli("--sheet", str(demo_xlsx), "explain", typed))
    assert line == (
        f"Error: No hay ningún cliente con ID «{typed}» en «Clientes». {suggestion}"
    )


def test_a_long_name_is_cut_in_a_suggestion(cli: Any, tmp_path: Path) -> None:
    path = demo_with(tmp_path, Clientes=[["018", "Á" * 40000]])
    line = one_line_error(cli("--sheet", str(path), "explain", "18"))
    assert line.endswith(f"¿Quisiste decir «018» ({'Á' * 39}…)?")
