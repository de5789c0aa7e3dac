"""Commands that point to another command keep the sheet the user named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import demo_rows, write_xlsx


def test_explain_points_to_check_on_the_same_sheet(cli: Any, tmp_path: Path) -> None:
    tabs = demo_rows()
    tabs["Suscripciones"].append(["001", "31/02/2026", None, None])
    sheet = write_xlsx(tmp_path / "otra hoja.xlsx", tabs)

    result = cli("--sheet", str(sheet), "explain", "001", "--month", "2026-12")

    assert result.exit_code == 0
    assert f"pixely --sheet '{sheet}' check" in " ".join(result.stderr.split())


def test_a_number_option_out_of_range_is_explained_in_spanish(
    cli: Any, demo_xlsx: Path
) -> None:
    result = cli("--sheet", str(demo_xlsx), "notify", "--max", "0")

    assert result.exit_code == 2
    assert "Input should" not in result.output
    assert "debe ser 1 o más" in result.output


def test_sent_takes_the_channel_in_any_case(cli: Any, demo_xlsx: Path) -> None:
    env = {"PIXELY_NOW": "2026-12-03T10:00", "PIXELY_OUTBOX": "salida"}
    sheet = str(demo_xlsx)
    assert cli("--sheet", sheet, "notify", "-m", "2026-12", env=env).exit_code == 0

    result = cli(
        "--sheet", sheet, "sent", "002", "-m", "2026-12", "--canal", "Correo", env=env
    )

    assert result.exit_code == 0, result.output
    assert "notificado" in result.stdout


def test_explain_a_client_whose_row_is_left_out_says_so(
    cli: Any, tmp_path: Path
) -> None:
    tabs = demo_rows()
    clients = tabs["Clientes"]
    state = clients[0].index("Estado")
    clients[1][state] = "activ"  # client 001: a typo in Estado leaves the row out
    sheet = write_xlsx(tmp_path / "hoja.xlsx", tabs)

    result = cli("--sheet", str(sheet), "explain", "001", "--month", "2026-12")

    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert "El cliente «001» está en «Clientes» (fila 2)" in message
    assert "No hay ningún cliente" not in message


def test_suggested_commands_stay_on_one_line_in_a_log(cli: Any, tmp_path: Path) -> None:
    folder = tmp_path / "una carpeta con un nombre bastante largo"
    folder.mkdir()
    sheet = folder / "hoja de control de prueba.xlsx"

    created = cli("init", str(sheet), "--demo", "--month", "2026-12")
    listed = cli("--sheet", str(sheet), "eligible", "--month", "2026-12", "--all")

    assert created.exit_code == 0 and listed.exit_code == 0
    step = next(x for x in created.stdout.splitlines() if "Siguiente paso" in x)
    assert step.rstrip().endswith("eligible --month 2026-12 --all")
    hint = next(x for x in listed.stdout.splitlines() if "detalle:" in x)
    assert hint.rstrip().endswith("explain ID --month 2026-12")


def test_every_date_option_refuses_an_impossible_year(
    cli: Any, demo_xlsx: Path
) -> None:
    sheet = str(demo_xlsx)
    result = cli("--sheet", sheet, "followups", "--hasta", "01/01/0001")

    assert result.exit_code == 2
    assert "«01/01/0001» no es una fecha para --hasta" in " ".join(
        result.output.split()
    )
