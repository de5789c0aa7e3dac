"""The commands on a Google sheet, end to end through the emulator switch.

The command suites run on both backends through the ``sheet`` fixture; here
are the things only a Google sheet has: request budgets, the answers to
Google's errors, ``init --sheet URL`` and the retries seen from the command line.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pixely_benefits.loading import load
from pixely_benefits.sheet import open_store
from tests.conftest import SheetFactory, demo_rows, write_xlsx
from tests.fake_sheets import FakeSheets
from tests.test_google_store import service_account

MONTH = "2026-12"
ENV = {"PIXELY_NOW": "2026-12-03T09:30", "PIXELY_USER": "lucia"}
METADATA, VALUES = "spreadsheets.get", "values:batchGet"


def many_clients(count: int) -> dict[str, list[list[Any]]]:
    """The demo plus ``count`` clients with a running subscription each."""
    tabs = demo_rows()
    for number in range(count):
        client = f"X{number:04d}"
        tabs["Clientes"].append([client, f"Cliente {number}", "Ana", f"{client}@x.pe"])
        tabs["Suscripciones"].append([client, "2025-01-01"])
    return tabs


def one_error_line(result: Any) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]  # type: ignore[no-any-return]


# --- the same answers on both backends -------------------------------------------------


def test_read_commands_answer_alike_on_both_backends(
    cli: Any, sheet: SheetFactory, tmp_path: Path
) -> None:
    rows = many_clients(3)
    here = sheet.create(rows)
    reference = str(write_xlsx(tmp_path / "referencia.xlsx", rows))
    for args in (
        ("eligible", "--month", MONTH, "--all", "--format", "json"),
        ("check", "--format", "json"),
        ("explain", "X0001", "--month", MONTH),
        ("status", "--month", MONTH),
    ):
        mine = cli("--sheet", here, *args, env=ENV)
        theirs = cli("--sheet", reference, *args, env=ENV)
        assert (mine.exit_code, mine.stdout) == (theirs.exit_code, theirs.stdout), args


def test_the_monthly_routine_leaves_the_same_data_on_both_backends(
    cli: Any, sheet: SheetFactory, tmp_path: Path
) -> None:
    locations = [
        sheet.create(demo_rows()),
        str(write_xlsx(tmp_path / "referencia.xlsx", demo_rows())),
    ]
    for index, location in enumerate(locations):
        out = str(tmp_path / f"salida-{index}")
        steps = [
            ("notify", "--month", MONTH, "--salida", out),
            ("sent", "001", "002", "--month", MONTH),
            ("deliver", "publicaciones-adicionales", "--client", "001", "--link", "=x"),
            ("cancel", "002", "--month", MONTH, "--motivo", "pidió pausa"),
        ]
        for args in steps:
            result = cli("--sheet", location, *args, env=ENV)
            assert result.exit_code == 0, (args, result.output)
    google, workbook = (load(open_store(location)) for location in locations)
    assert google.data.deliveries == workbook.data.deliveries
    assert google.problems == workbook.problems == []


# --- request budgets -------------------------------------------------------------------


@pytest.mark.parametrize("clients", [10, 500])
@pytest.mark.parametrize(
    "args",
    [
        ("check",),
        ("eligible", "--month", MONTH, "--all"),
        ("explain", "X0001", "--month", MONTH),
        ("status", "--month", MONTH),
    ],
    ids=lambda a: a[0],
)
def test_read_commands_make_two_requests_whatever_the_size(
    cli: Any, fake_sheets: FakeSheets, clients: int, args: tuple[str, ...]
) -> None:
    url = fake_sheets.url(fake_sheets.create(many_clients(clients)))
    result = cli("--sheet", url, *args, env=ENV)
    assert result.exit_code in (0, 1), result.output
    assert fake_sheets.kinds() == [METADATA, VALUES]


@pytest.mark.parametrize("clients", [10, 150])
def test_write_commands_stay_within_their_budget(
    cli: Any, fake_sheets: FakeSheets, tmp_path: Path, clients: int
) -> None:
    """One metadata request, at most two value reads (the load, and the key column
    read again right before writing) and at most three writes, whatever the size."""
    key = fake_sheets.create(many_clients(clients))
    url = fake_sheets.url(key)
    steps = [
        ("notify", "--month", MONTH, "--salida", str(tmp_path / "salida")),
        ("notify", "--month", MONTH, "--salida", str(tmp_path / "salida")),
        ("sent", "001", "002", "X0003", "--month", MONTH),
        ("deliver", "publicaciones-adicionales", "--client", "001"),
    ]
    for args in steps:
        fake_sheets.reset()
        result = cli("--sheet", url, *args, env=ENV)
        assert result.exit_code == 0, (args, result.output)
        kinds = fake_sheets.kinds()
        assert kinds.count(METADATA) == 1, (args, kinds)
        assert kinds.count(VALUES) <= 2, (args, kinds)
        assert fake_sheets.writes() <= 3, (args, kinds)
    assert len(fake_sheets.rows(key, "Entregas")) > clients  # a row per eligible client


# --- Google's errors, as one line ------------------------------------------------------


def test_a_sheet_not_shared_names_the_account_to_share_it_with(
    cli: Any, fake_sheets: FakeSheets, tmp_path: Path
) -> None:
    key = fake_sheets.create(demo_rows())
    fake_sheets.denied.add(key)
    env = {"PIXELY_GOOGLE_CREDENTIALS": str(service_account(tmp_path))}
    line = one_error_line(cli("--sheet", fake_sheets.url(key), "check", env=env))
    assert "pixely@agencia.iam.gserviceaccount.com" in line
    assert "BEGIN PRIVATE KEY" not in line


@pytest.mark.parametrize(
    ("setup", "words"),
    [
        ("unknown", "No existe una hoja de Google con el ID"),
        ("busy", "Google Sheets está saturado (429) tras"),
        ("scopes", "falta el alcance"),
    ],
)
def test_google_errors_are_one_spanish_line(
    cli: Any, fake_sheets: FakeSheets, setup: str, words: str
) -> None:
    key = fake_sheets.create(demo_rows())
    if setup == "unknown":
        key = "y" * 44
    elif setup == "busy":
        fake_sheets.fail(429, times=1000)
    else:
        fake_sheets.scopes_missing = True
    line = one_error_line(cli("--sheet", key, "eligible", "--month", MONTH))
    assert words in line


def test_a_busy_moment_is_retried_without_the_user_noticing(
    cli: Any, fake_sheets: FakeSheets
) -> None:
    url = fake_sheets.url(fake_sheets.create(demo_rows()))
    fake_sheets.fail(503, times=1)
    result = cli("--sheet", url, "eligible", "--month", MONTH, "--format", "json")
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) > 0
    assert fake_sheets.kinds() == [METADATA, METADATA, VALUES]


def test_missing_credentials_say_which_variable_to_set(
    cli: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("PIXELY_SHEETS_EMULATOR_HOST", "PIXELY_GOOGLE_CREDENTIALS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path))
    line = one_error_line(cli("--sheet", "z" * 44, "check"))
    assert "PIXELY_GOOGLE_CREDENTIALS" in line


# --- init on an existing Google spreadsheet ---------------------------------------------


def test_init_adds_what_is_missing_and_keeps_what_is_there(
    cli: Any, fake_sheets: FakeSheets
) -> None:
    key = fake_sheets.create({"Clientes": [["ID", "Cliente"], ["001", "Espiga"]]})
    url = fake_sheets.url(key)
    first = cli("init", "--sheet", url)
    assert first.exit_code == 0, first.output
    assert "Pestañas creadas" in first.stdout
    assert (
        "Encabezados añadidos al final de «Clientes»: Contacto, Correo" in first.stdout
    )
    assert f"pixely --sheet {url} check" in first.stdout
    assert fake_sheets.rows(key, "Clientes")[1] == ["001", "Espiga"]
    assert len(fake_sheets.rows(key, "Beneficios")) == 8  # header + the catalogue
    assert cli("--sheet", url, "check").exit_code == 0
    again = cli("--sheet", url, "init")
    assert again.exit_code == 0
    assert (
        "ya tenía todas las pestañas y encabezados: no se cambió nada" in again.stdout
    )


def test_init_help_mentions_the_google_option(cli: Any) -> None:
    result = cli("init", "--help")
    assert "--sheet" in result.stdout
    assert "hoja de Google" in result.stdout


# --- gspread only when a Google sheet is used ------------------------------------------


def test_gspread_is_imported_only_for_a_google_sheet(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "b.xlsx", demo_rows())
    script = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from pixely_benefits.cli import app\n"
        "runner = CliRunner()\n"
        "runner.invoke(app, ['--help'])\n"
        f"runner.invoke(app, ['--sheet', {str(path)!r}, 'eligible', '-m', '{MONTH}'])\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'gspread', 'google'}))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "[]"
