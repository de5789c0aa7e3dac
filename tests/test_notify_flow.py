"""The notify → sent → deliver flow when people touch the sheet and the outbox.

Regressions found by a fresh tester: a row whose ID was blanked notified twice,
``sent`` confirming invitations never sent, a broken template after the sheet
was written, an index.html that kept cancelled and foreign notices, suggested
commands without the ``--sheet`` they came from, one repeated ID blocking every
client. They run on every backend through the ``sheet`` fixture.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cell, SheetFactory, demo_rows
from tests.test_cli_monthly import (
    DEMO_ROWS,
    ENV,
    MONTH,
    TABS,
    at,
    notify,
    record,
    run,
    snapshot,
    stored_rows,
)

ALL = ("001", "002", "008", "012", "014")
CONSULTING = "012-consultoria-negocio-2026-12"


@pytest.fixture
def demo(sheet: SheetFactory) -> str:
    return sheet.create(demo_rows())


def edited(sheet: SheetFactory, location: str, key: str, **cells: Cell) -> str:
    """A copy of the sheet at ``location`` where the Entregas row ``key`` has ``cells``."""
    tabs = {tab: stored_rows(sheet, location, tab) for tab in TABS}
    header = [str(h) for h in tabs["Entregas"][0]]
    for row in tabs["Entregas"][1:]:
        if row and row[0] == key:
            row.extend([None] * (len(header) - len(row)))
            for name, value in cells.items():
                row[header.index(name.replace("_", " "))] = value
    return sheet.create(tabs)


def ids(sheet: SheetFactory, location: str) -> list[Cell]:
    return [r[0] if r else None for r in stored_rows(sheet, location, "Entregas")[1:]]


def index_page(tmp_path: Path) -> str:
    return (tmp_path / "salida" / MONTH / "index.html").read_text(encoding="utf-8")


def cards(tmp_path: Path) -> list[str]:
    page = index_page(tmp_path)
    return [part.split('"', 1)[0] for part in page.split('data-client="')[1:]]


# --- 1. a row people broke still counts ------------------------------------------


@pytest.mark.parametrize(
    ("state", "blank"),
    [
        ("notificado", {"ID": None}),
        ("pendiente", {"ID": None}),
        ("notificado", {"ID": None, "Estado": None}),
        ("pendiente", {"Estado": None}),
    ],
)
def test_a_row_people_broke_is_never_notified_again(
    cli: Any,
    sheet: SheetFactory,
    demo: str,
    tmp_path: Path,
    state: str,
    blank: dict[str, Cell],
) -> None:
    notify(cli, demo, tmp_path)
    if state == "notificado":
        run(cli, demo, "sent", *ALL, "--month", MONTH)
    broken = edited(sheet, demo, CONSULTING, **blank)
    before = ids(sheet, broken)
    row_number = 2 + before.index(None if "ID" in blank else CONSULTING)

    result = notify(cli, broken, tmp_path, env=at("2026-12-05T10:00"))

    assert ids(sheet, broken) == before  # no second row for 012
    line = next(x for x in result.stdout.splitlines() if "012 Consultorio" in x)
    if state == "notificado" and "Estado" not in blank:
        assert "· 012 Consultorio Vida: ya notificado el 03/12/2026 09:30" in line
    else:
        assert line.startswith("✗ 012")
        assert f"fila {row_number} de «Entregas»" in line
    sent = run(cli, broken, "sent", "012", "--month", MONTH)
    if state == "pendiente":
        assert sent.exit_code == 1
        assert f"fila {row_number} de «Entregas»" in sent.stdout
    assert ids(sheet, broken) == before


def test_a_row_without_id_cannot_be_delivered_and_says_which_row_to_fix(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    notify(cli, demo, tmp_path)
    broken = edited(sheet, demo, CONSULTING, ID=None)
    before = snapshot(sheet, broken)
    row_number = 2 + ids(sheet, broken).index(None)

    result = run(cli, broken, "deliver", "consultoria-negocio", "-c", "012")

    assert result.exit_code == 1
    assert (
        f"✗ 012 Consultorio Vida: la fila {row_number} de «Entregas» no tiene ID: "
        f"escribe «{CONSULTING}» en su columna ID y repite el comando"
    ) in result.stdout
    assert f"revísalas con «pixely --sheet {shlex.quote(broken)} check»" in " ".join(
        result.stderr.split()
    )
    assert snapshot(sheet, broken) == before


# --- 7. a repeated ID fails its own client only ----------------------------------


def test_a_repeated_id_fails_only_its_client(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    notify(cli, demo, tmp_path)
    tabs = {tab: stored_rows(sheet, demo, tab) for tab in TABS}
    twin = next(
        r for r in tabs["Entregas"] if r[0] == "008-publicaciones-adicionales-2026-12"
    )
    tabs["Entregas"].append(list(twin))
    location = sheet.create(tabs)
    first = 2 + ids(sheet, location).index(twin[0])
    second = len(tabs["Entregas"])

    result = run(cli, location, "sent", "001", "008", "012", "014", "--month", MONTH)

    assert result.exit_code == 1
    assert (
        f"✗ 008 Dental Sonrisa: el ID «{twin[0]}» está repetido en las filas {first} y "
        f"{second} de «Entregas»: deja solo una y repite el comando"
    ) in result.stdout
    rows = stored_rows(sheet, location, "Entregas")
    states = {r[0]: r[5] for r in rows[DEMO_ROWS:] if r[0] != twin[0]}
    assert set(states.values()) == {"notificado", "pendiente"}
    assert states["002-estudio-mercado-2026-12"] == "pendiente"
    assert [states[k] for k in states if not k.startswith("002")] == ["notificado"] * 3


# --- 2. sent confirms the monthly notice; invitations need --beneficio ---------


def test_sent_leaves_an_invitation_alone_unless_told_the_benefit(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    notify(cli, demo, tmp_path)
    invited = cli(
        "--sheet", demo, "promo", "invite", "reels-pro",
        "--salida", str(tmp_path / "salida"), env=ENV,
    )  # fmt: skip
    assert invited.exit_code == 0, invited.output
    assert (
        f"confírmalo con: pixely --sheet {shlex.quote(demo)} sent 001 002 008 010 011 "
        "012 --beneficio acceso-preferencial --month 2026-12"
    ) in " ".join(invited.stdout.split())
    invitation = "012-acceso-preferencial-2026-12"

    monthly = run(cli, demo, "sent", "012", "--month", MONTH)
    assert monthly.exit_code == 0, monthly.output
    rows = stored_rows(sheet, demo, "Entregas")
    assert record(rows, CONSULTING)["Estado"] == "notificado"
    assert record(rows, invitation)["Estado"] == "pendiente"

    only_invited = run(cli, demo, "sent", "010", "--month", MONTH)
    assert only_invited.exit_code == 1
    assert (
        f"confírmalo con «pixely --sheet {shlex.quote(demo)} sent 010 --beneficio "
        "acceso-preferencial --month 2026-12»"
    ) in " ".join(only_invited.stdout.split())

    confirmed = run(
        cli, demo, "sent", "012", "--beneficio", "acceso-preferencial", "-m", MONTH
    )
    assert confirmed.exit_code == 0, confirmed.output
    row = record(stored_rows(sheet, demo, "Entregas"), invitation)
    assert row["Estado"] == "notificado"


# --- 11. sent checks the channel, cancel needs no month ---------------------------


def test_sent_by_a_channel_the_client_lacks_is_refused(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    notify(cli, demo, tmp_path)
    before = snapshot(sheet, demo)

    result = run(cli, demo, "sent", "002", "--canal", "whatsapp", "--month", MONTH)

    assert result.exit_code == 1
    assert (
        "✗ 002 Café Aroma: no tiene WhatsApp válido en «Clientes», así que el aviso "
        "no pudo salir por whatsapp: no se marcó"
    ) in result.stdout
    assert snapshot(sheet, demo) == before


def test_sent_on_a_cancelled_row_says_it_is_cancelled(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    notify(cli, demo, tmp_path)
    run(cli, demo, "cancel", "002", "--motivo", "Pidió pausar")

    result = run(cli, demo, "sent", "002", "--month", MONTH)

    assert result.exit_code == 1
    assert (
        "✗ 002 Café Aroma: su fila «002-estudio-mercado-2026-12» de 2026-12 está "
        "cancelada: no se marcó"
    ) in result.stdout


# --- 9. the dates notify shows ----------------------------------------------------


def test_notify_shows_when_a_row_was_delivered(
    cli: Any, demo: str, tmp_path: Path
) -> None:
    notify(cli, demo, tmp_path)
    run(cli, demo, "sent", "001", "--month", MONTH, env=at("2026-12-04T09:00"))
    run(
        cli, demo, "deliver", "publicaciones-adicionales", "-c", "001",
        env=at("2026-12-09T16:45"),
    )  # fmt: skip

    result = notify(cli, demo, tmp_path, env=at("2026-12-10T08:00"))

    assert (
        "· 001 Panadería La Espiga: ya entregado el 09/12/2026 16:45 "
        "(publicaciones-adicionales)"
    ) in result.stdout


# --- 4. the message promises what the sheet records -------------------------------


def test_the_notice_counts_the_days_that_sent_turns_into_the_due_date(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    notify(cli, demo, tmp_path)
    text = (
        tmp_path
        / "salida"
        / MONTH
        / "001-publicaciones-adicionales-2026-12.whatsapp.txt"
    ).read_text(encoding="utf-8")
    assert "en un plazo de 10 días desde este aviso" in text
    assert "13 de diciembre" not in text  # the date if it had gone out on notify day

    run(cli, demo, "sent", "001", "--month", MONTH, env=at("2026-12-07T18:00"))

    row = record(
        stored_rows(sheet, demo, "Entregas"), "001-publicaciones-adicionales-2026-12"
    )
    due = row["Fecha límite"]
    assert isinstance(due, date)
    assert (due.date() if isinstance(due, datetime) else due) == date(2026, 12, 17)


# --- 3. messages are rendered before the sheet is written -------------------------


def _broken_templates(tmp_path: Path, name: str, data: bytes) -> dict[str, str]:
    folder = tmp_path / "plantillas" / "notifications"
    folder.mkdir(parents=True)
    (folder / name).write_bytes(data)
    return {**ENV, "PIXELY_TEMPLATES": str(folder.parent)}


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("sin-carpeta", "PIXELY_TEMPLATES apunta a"),
        ("variable", "usa una variable que no existe"),
        ("latin-1", "no está guardada como UTF-8"),
        ("indice", "index.html, línea 1,"),
        ("salida", "No se pudo escribir en la carpeta de avisos"),
    ],
)
def test_notify_writes_nothing_when_the_messages_cannot_be_written(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path, case: str, error: str
) -> None:
    env = dict(ENV)
    extra: list[str] = []
    if case == "sin-carpeta":
        env["PIXELY_TEMPLATES"] = str(tmp_path / "no-existe")
    elif case == "variable":
        env = _broken_templates(tmp_path, "whatsapp.txt", b"Hola {{ apodo }}\n")
    elif case == "latin-1":
        env = _broken_templates(tmp_path, "email.txt", "Hola ñandú\n".encode("cp1252"))
    elif case == "indice":
        env = _broken_templates(tmp_path, "index.html", b"{{ nada }}\n")
    before = snapshot(sheet, demo)

    if case == "salida":
        blocker = tmp_path / "un-archivo"
        blocker.write_text("no soy una carpeta", encoding="utf-8")
        result = run(
            cli, demo, "notify", "-m", MONTH, "--salida", str(blocker / "salida")
        )
    else:
        result = notify(cli, demo, tmp_path, *extra, env=env)

    assert result.exit_code == 2, result.output
    assert error in " ".join(result.stderr.split())
    assert snapshot(sheet, demo) == before
    assert not (tmp_path / "salida" / MONTH / "index.html").exists()


def test_a_console_that_is_not_utf8_gets_question_marks_not_a_traceback(
    demo_xlsx: Path, tmp_path: Path
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PIXELY_")},
        **ENV,
        "PYTHONIOENCODING": "cp1252",
        "PIXELY_OUTBOX": str(tmp_path / "salida"),
        "COLUMNS": "120",
    }
    result = subprocess.run(
        [sys.executable, "-m", "pixely_benefits", "-s", str(demo_xlsx), "notify",
         "-m", MONTH],
        capture_output=True, env=env, cwd=tmp_path, timeout=120, check=False,
    )  # fmt: skip

    stdout = result.stdout.decode("cp1252")
    assert result.returncode == 0, result.stderr.decode("cp1252", "replace")
    assert "Traceback" not in result.stderr.decode("cp1252", "replace")
    assert "? 001 Panadería La Espiga: fila creada" in stdout  # ✓ has no cp1252 form


# --- 10. dry runs count what a real run would do ---------------------------------


def test_a_dry_run_counts_only_the_messages_a_real_run_would_write(
    cli: Any, demo: str, tmp_path: Path
) -> None:
    notify(cli, demo, tmp_path)
    (tmp_path / "salida" / MONTH / "002-estudio-mercado-2026-12.eml").unlink()

    result = notify(cli, demo, tmp_path, "--dry-run")

    assert (
        "Se crearían 0 filas en Entregas y se prepararían 1 mensaje nuevo"
        in " ".join(result.stdout.split())
    )
    assert not (
        tmp_path / "salida" / MONTH / "002-estudio-mercado-2026-12.eml"
    ).exists()


# --- 5. index.html lists what is still pending, of this sheet -------------------


def test_the_index_lists_only_the_notices_still_pending(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("PIXELY_OUTBOX", str(tmp_path / "salida"))
    notify(cli, demo, tmp_path)
    assert cards(tmp_path) == list(ALL)

    run(cli, demo, "cancel", "002", "--motivo", "Pidió pausar")
    run(cli, demo, "sent", "001", "--month", MONTH)
    assert cards(tmp_path) == ["008", "012", "014"]  # sent and cancel refresh it

    notify(cli, demo, tmp_path, env=at("2026-12-05T10:00"))
    assert cards(tmp_path) == ["008", "012", "014"]
    footer = index_page(tmp_path).split("<footer>")[1]
    assert (
        f"pixely --sheet {shlex.quote(demo)} sent 008 012 014 --month 2026-12"
        in footer.replace("&#39;", "'")
    )


def test_two_sheets_sharing_an_outbox_never_mix_their_notices(
    cli: Any, sheet: SheetFactory, tmp_path: Path
) -> None:
    first = sheet.create(demo_rows())
    tabs = demo_rows()
    tabs["Clientes"][1][1] = "Otra Panadería"
    other = sheet.create(tabs)

    notify(cli, first, tmp_path)
    notify(cli, other, tmp_path)
    run(cli, other, "sent", "001", "002", "--month", MONTH)
    notify(cli, other, tmp_path)

    page = index_page(tmp_path)
    assert cards(tmp_path) == ["008", "012", "014"]
    assert "Panadería La Espiga" not in page

    notify(cli, first, tmp_path)
    page = index_page(tmp_path)
    assert cards(tmp_path) == list(ALL)
    assert "Otra Panadería" not in page
    eml = tmp_path / "salida" / MONTH / "001-publicaciones-adicionales-2026-12.eml"
    assert "Otra Panader" not in eml.read_text(encoding="utf-8", errors="replace")


# --- 6. suggested commands name the sheet they came from -------------------------


def test_suggested_commands_keep_the_sheet_given(
    cli: Any, demo_xlsx: Path, tmp_path: Path
) -> None:
    spaced = demo_xlsx.rename(tmp_path / "control [v2].xlsx")
    quoted = shlex.quote(str(spaced))

    notified = notify(cli, str(spaced), tmp_path)
    assert f"confírmalo con: pixely --sheet {quoted} sent 001 002 008 012 014" in (
        " ".join(notified.stdout.split())
    )
    missing = run(cli, str(spaced), "sent", "003", "--month", MONTH)
    assert f"«pixely --sheet {quoted} notify --month 2026-12 --client 003»" in (
        " ".join(missing.stdout.split())
    )
    listed = run(cli, str(spaced), "eligible", "--all", "--month", MONTH)
    assert f"detalle: pixely --sheet {quoted} explain ID --month 2026-12" in (
        " ".join(listed.stdout.split())
    )


def test_without_sheet_the_suggestions_stay_short(
    cli: Any, demo_xlsx: Path, tmp_path: Path
) -> None:
    env = {**ENV, "PIXELY_SHEET": str(demo_xlsx)}
    result = cli("notify", "-m", MONTH, "--salida", str(tmp_path / "salida"), env=env)
    assert "confírmalo con: pixely sent 001 002 008 012 014 --month 2026-12" in (
        " ".join(result.stdout.split())
    )


# --- 12. an address with accents before the @ -------------------------------------


def test_an_address_with_accents_before_the_at_uses_whatsapp_only(
    cli: Any, sheet: SheetFactory, tmp_path: Path
) -> None:
    tabs = demo_rows()
    email = tabs["Clientes"][0].index("Correo")
    tabs["Clientes"][1][email] = "maría@laespiga.com.pe"
    location = sheet.create(tabs)

    result = notify(cli, location, tmp_path)

    assert result.exit_code == 0, result.output
    assert (
        "aviso por whatsapp" in result.stdout.split("001 Panadería")[1].split("\n")[0]
    )
    assert "lleva tildes o eñes antes de la @" in result.stdout
    folder = tmp_path / "salida" / MONTH
    assert (folder / "001-publicaciones-adicionales-2026-12.whatsapp.txt").exists()
    assert not (folder / "001-publicaciones-adicionales-2026-12.eml").exists()


def test_accepting_an_invitation_whose_id_is_repeated_changes_nothing(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    invited = cli(
        "--sheet", demo, "promo", "invite", "reels-pro", "-c", "012",
        "--salida", str(tmp_path / "salida"), env=ENV,
    )  # fmt: skip
    assert invited.exit_code == 0, invited.output
    tabs = {tab: stored_rows(sheet, demo, tab) for tab in TABS}
    invitation = next(
        r for r in tabs["Entregas"] if r[0] == "012-acceso-preferencial-2026-12"
    )
    tabs["Entregas"].append(list(invitation))
    location = sheet.create(tabs)
    before = snapshot(sheet, location)

    result = cli(
        "--sheet", location, "promo", "accept", "reels-pro", "-c", "012", env=ENV
    )

    assert result.exit_code == 1
    assert [line[:1] for line in result.stdout.splitlines() if line.strip()] == ["✗"]
    assert "está repetido en las filas" in result.stdout
    assert snapshot(sheet, location) == before
