"""``notify --send`` and ``pixely run`` against real SMTP servers on 127.0.0.1.

Every test that is about the sheet runs on both backends (the ``sheet``
fixture) and ends by checking the sheet is consistent with what the server
received: a row is ``notificado`` exactly when its e-mail arrived, once.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from pixely_benefits.send_journal import SendJournal
from pixely_benefits.sending import Throttle
from tests.conftest import Cell, SheetFactory, demo_rows, write_xlsx
from tests.smtp_servers import Gate, SmtpServer, free_port
from tests.test_cli_monthly import MONTH, record, snapshot, stored_rows

pytestmark = pytest.mark.filterwarnings(
    "ignore:Requiring AUTH while not requiring TLS:UserWarning"
)

NOW = datetime(2026, 12, 3, 9, 30)
BASE_ENV = {"PIXELY_NOW": "2026-12-03T09:30", "PIXELY_USER": "lucia"}
EMAILS = {
    "001-publicaciones-adicionales-2026-12": "maria@laespiga.com.pe",
    "002-estudio-mercado-2026-12": "jorge@cafearoma.com.pe",
    "008-publicaciones-adicionales-2026-12": "citas@dentalsonrisa.com.pe",
    "012-consultoria-negocio-2026-12": "andres@consultoriovida.com.pe",
}
"""The demo's e-mail notices for December 2026, in sending order."""
WHATSAPP_ONLY = "014-publicaciones-adicionales-2026-12"
DUE_DAYS = {"001": 10, "002": 20, "008": 10, "012": 20}
PASSWORD = "clave-secreta-123"


@pytest.fixture
def demo(sheet: SheetFactory) -> str:
    return sheet.create(demo_rows())


def env_for(server: SmtpServer | None, tmp_path: Path, **extra: str) -> dict[str, str]:
    smtp = server.env() if server is not None else {}
    return {**BASE_ENV, "PIXELY_DATA_DIR": str(tmp_path / "datos"), **smtp, **extra}


def notify_send(
    cli: Any, location: str, tmp_path: Path, env: dict[str, str], *extra: str
) -> Any:
    return cli(
        "--sheet",
        location,
        "notify",
        "--month",
        MONTH,
        "--salida",
        str(tmp_path / "salida"),
        "--send",
        *extra,
        env=env,
    )


def run_month(
    cli: Any, location: str, tmp_path: Path, env: dict[str, str], *extra: str
) -> Any:
    return cli(
        "--sheet",
        location,
        "run",
        "--month",
        MONTH,
        "--salida",
        str(tmp_path / "salida"),
        *extra,
        env=env,
    )


def day(value: Cell) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    assert value is None or isinstance(value, date)
    return value


def assert_consistent(
    sheet: SheetFactory,
    location: str,
    notified: dict[str, datetime],
    *,
    pending: tuple[str, ...] = (),
) -> None:
    """``notified`` rows are ``notificado`` by e-mail at that time with their due
    date and one ``Historial`` line; ``pending`` rows are still ``pendiente``."""
    rows = stored_rows(sheet, location, "Entregas")
    for key, moment in notified.items():
        row = record(rows, key)
        assert (row["Estado"], row["Canal"], row["Notificado"]) == (
            "notificado",
            "correo",
            moment,
        ), key
        due = day(row["Fecha límite"])
        assert due is not None and (due - moment.date()).days == DUE_DAYS[key[:3]]
    for key in pending:
        row = record(rows, key)
        assert (row["Estado"], row["Notificado"]) == ("pendiente", None), key
    history = stored_rows(sheet, location, "Historial")
    told = Counter(r[3] for r in history[1:] if r[2] == "notificar")
    assert {k: told[k] for k in (*notified, *pending)} == {
        **dict.fromkeys(notified, 1),
        **dict.fromkeys(pending, 0),
    }


def once(*keys: str) -> Counter[str | None]:
    return Counter(dict.fromkeys(keys, 1))


# --- notify --send ------------------------------------------------------------------


def test_notify_send_tells_each_client_once_by_email(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    with SmtpServer() as server:
        env = env_for(server, tmp_path)
        result = notify_send(cli, demo, tmp_path, env)
        assert result.exit_code == 0, result.output
        assert server.deliveries() == once(*EMAILS)
        assert [r.recipients for r in server.received] == [[a] for a in EMAILS.values()]
        message = server.received[0].message
        draft = (
            tmp_path / "salida" / MONTH / "001-publicaciones-adicionales-2026-12.eml"
        )
        assert (
            message["Message-ID"]
            == draft.read_text().split("Message-ID: ")[1].split()[0]
        )
        assert str(message["From"]) == "Pixely <hola@pixely.pe>"
        assert str(message["Reply-To"]) == "Equipo Pixely <equipo@pixely.pe>"
        assert str(message["To"]) == "María Quispe <maria@laespiga.com.pe>"
        assert message["Subject"] == (
            "María Quispe, tu beneficio de diciembre de 2026: "
            "Publicaciones adicionales sin costo"
        )
        assert message["X-Unsent"] is None
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        assert text is not None and "Publicaciones adicionales" in text.get_content()
        assert html is not None and "<html" in html.get_content().lower()
        assert "enviado 4/4: 012 Consultorio Vida" in result.stdout
        assert "Notificados por correo en esta ejecución: 4." in result.stdout
        assert "Por WhatsApp, a mano" in result.stdout
        assert f"pixely --sheet {demo} sent 014 --month 2026-12" in result.stdout
        assert_consistent(
            sheet, demo, dict.fromkeys(EMAILS, NOW), pending=(WHATSAPP_ONLY,)
        )

        before = snapshot(sheet, demo)
        again = notify_send(cli, demo, tmp_path, env)
        assert again.exit_code == 0, again.output
        assert len(server.received) == 4  # nothing twice
        assert snapshot(sheet, demo) == before


def test_a_refused_recipient_stays_pending_with_the_reason(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    refused = "002-estudio-mercado-2026-12"
    with SmtpServer(refuse=(EMAILS[refused],)) as server:
        result = notify_send(cli, demo, tmp_path, env_for(server, tmp_path))
    assert result.exit_code == 1
    assert (
        "002-estudio-mercado-2026-12 (Café Aroma): el servidor rechazó "
        "«jorge@cafearoma.com.pe» (550 5.1.1 Buzón inexistente); sigue pendiente"
    ) in result.stdout
    sent = {k: NOW for k in EMAILS if k != refused}
    assert server.deliveries() == once(*sent)
    assert_consistent(sheet, demo, sent, pending=(refused, WHATSAPP_ONLY))
    row = record(stored_rows(sheet, demo, "Entregas"), refused)
    assert row["Notas"] == (
        "Correo no enviado el 03/12/2026 09:30: el servidor rechazó "
        "«jorge@cafearoma.com.pe» (550 5.1.1 Buzón inexistente)"
    )
    actions = [r[2:4] for r in stored_rows(sheet, demo, "Historial")[1:]]
    assert ["correo rechazado", refused] in actions


@pytest.mark.parametrize(
    ("credentials", "code", "expected"),
    [
        (
            {"PIXELY_SMTP_USER": "hola@pixely.pe", "PIXELY_SMTP_PASSWORD": PASSWORD},
            0,
            None,
        ),
        (
            {
                "PIXELY_SMTP_USER": "hola@pixely.pe",
                "PIXELY_SMTP_PASSWORD": "otra-clave",
            },
            1,
            "rechazó el usuario o la contraseña",
        ),
        ({}, 1, "pide usuario y contraseña"),
    ],
)
def test_a_server_that_requires_authentication(
    cli: Any,
    sheet: SheetFactory,
    demo: str,
    tmp_path: Path,
    credentials: dict[str, str],
    code: int,
    expected: str | None,
) -> None:
    with SmtpServer(user="hola@pixely.pe", password=PASSWORD) as server:
        result = notify_send(
            cli, demo, tmp_path, env_for(server, tmp_path, **credentials)
        )
    assert result.exit_code == code, result.output
    assert PASSWORD not in result.output and "otra-clave" not in result.output
    if expected is None:
        assert server.deliveries() == once(*EMAILS)
        assert_consistent(sheet, demo, dict.fromkeys(EMAILS, NOW))
        return
    assert f"El envío se detuvo: El servidor de correo 127.0.0.1:{server.port}" in (
        result.stdout
    )
    assert expected in result.stdout
    assert "Quedan 4 correos pendientes para la próxima ejecución." in result.stdout
    assert server.received == []
    assert_consistent(sheet, demo, {}, pending=(*EMAILS, WHATSAPP_ONLY))


def test_an_unreachable_host_leaves_every_row_pending(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        **env_for(None, tmp_path),
        "PIXELY_SMTP_HOST": "127.0.0.1",
        "PIXELY_SMTP_PORT": str(port),
        "PIXELY_SMTP_SECURITY": "none",
        "PIXELY_MAIL_FROM": "hola@pixely.pe",
    }
    result = notify_send(cli, demo, tmp_path, env)
    assert result.exit_code == 1
    assert (
        f"El envío se detuvo: No se pudo conectar con el servidor de correo "
        f"127.0.0.1:{port} (conexión rechazada" in result.stdout
    )
    assert_consistent(sheet, demo, {}, pending=(*EMAILS, WHATSAPP_ONLY))
    with SmtpServer() as server:  # the server is back: the next run sends them
        later = notify_send(cli, demo, tmp_path, env_for(server, tmp_path))
    assert later.exit_code == 0, later.output
    assert server.deliveries() == once(*EMAILS)
    assert_consistent(sheet, demo, dict.fromkeys(EMAILS, NOW))


def test_a_connection_dropped_mid_batch_is_opened_again(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    with SmtpServer(drop_at_mail=(3,)) as server:
        result = notify_send(cli, demo, tmp_path, env_for(server, tmp_path))
    assert result.exit_code == 0, result.output
    assert "cortó la conexión antes de recibir el correo" in result.stdout
    assert "Se vuelve a conectar y se envía 008-publicaciones" in result.stdout
    assert server.deliveries() == once(*EMAILS)
    assert_consistent(sheet, demo, dict.fromkeys(EMAILS, NOW))


def test_a_server_that_keeps_hanging_up_stops_the_batch_and_the_next_run_ends_it(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    first, rest = list(EMAILS)[:2], list(EMAILS)[2:]
    with SmtpServer(drop_at_mail=(3, 4, 5)) as server:
        result = notify_send(cli, demo, tmp_path, env_for(server, tmp_path))
    assert result.exit_code == 1
    assert "El envío se detuvo: El servidor de correo" in result.stdout
    assert "Quedan 2 correos pendientes para la próxima ejecución." in result.stdout
    assert server.deliveries() == once(*first)
    assert_consistent(sheet, demo, dict.fromkeys(first, NOW), pending=tuple(rest))

    with SmtpServer() as again:
        later = notify_send(cli, demo, tmp_path, env_for(again, tmp_path))
    assert later.exit_code == 0, later.output
    assert again.deliveries() == once(*rest)
    assert_consistent(sheet, demo, dict.fromkeys(EMAILS, NOW))


def test_an_answer_lost_after_the_text_is_sent_again_with_the_same_message_id(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    """The one window of doubt (see send_journal): the server took the text of
    the second message and hung up before answering. pixely cannot know, so it
    sends it again, with the same Message-ID, and the summary says so."""
    doubtful = list(EMAILS)[1]
    with SmtpServer(drop_after_text=(2,)) as server:
        result = notify_send(cli, demo, tmp_path, env_for(server, tmp_path))
    assert result.exit_code == 0, result.output
    assert "justo después de recibir el correo" in result.stdout
    assert "(reenviado tras una conexión perdida)" in result.stdout
    counts = server.deliveries()
    assert counts == Counter({**dict.fromkeys(EMAILS, 1), doubtful: 2})
    ids = {
        str(r.message["Message-ID"]) for r in server.received if r.delivery == doubtful
    }
    assert len(ids) == 1
    assert_consistent(sheet, demo, dict.fromkeys(EMAILS, NOW))


def test_max_sends_part_of_the_batch_and_the_next_run_the_rest(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    first, rest = list(EMAILS)[:2], list(EMAILS)[2:]
    with SmtpServer() as server:
        env = env_for(server, tmp_path)
        result = notify_send(cli, demo, tmp_path, env, "--max", "2")
        assert result.exit_code == 0, result.output
        assert "Quedan para la próxima ejecución (--max): 2 correos." in result.stdout
        assert server.deliveries() == once(*first)
        assert_consistent(sheet, demo, dict.fromkeys(first, NOW), pending=tuple(rest))
        later = notify_send(cli, demo, tmp_path, env, "--max", "2")
        assert later.exit_code == 0, later.output
    assert server.deliveries() == once(*EMAILS)
    assert_consistent(sheet, demo, dict.fromkeys(EMAILS, NOW))


def test_a_slow_server_under_a_rate_shows_one_plain_line_per_message(
    cli: Any, demo_xlsx: Path, tmp_path: Path
) -> None:
    with SmtpServer(delay=0.2) as server:
        env = env_for(server, tmp_path)
        result = notify_send(cli, str(demo_xlsx), tmp_path, env, "--rate", "600/min")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("enviado ")]
    assert lines == [
        "enviado 1/4: 001 Panadería La Espiga <maria@laespiga.com.pe>",
        "enviado 2/4: 002 Café Aroma <jorge@cafearoma.com.pe>",
        "enviado 3/4: 008 Dental Sonrisa <citas@dentalsonrisa.com.pe>",
        "enviado 4/4: 012 Consultorio Vida <andres@consultoriovida.com.pe>",
    ]
    assert server.deliveries() == once(*EMAILS)


def test_throttle_keeps_the_rate_between_messages() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    throttle = Throttle(20, clock=lambda: now[0], sleep=sleep)
    throttle.wait()  # the first goes at once
    now[0] += 1.0  # sending it took a second
    throttle.wait()
    now[0] += 5.0
    throttle.wait()
    assert slept == [2.0]  # 3 s apart at 20/min; the third was already late
    unlimited = Throttle(None, clock=lambda: now[0], sleep=sleep)
    unlimited.wait()
    unlimited.wait()
    assert slept == [2.0]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--rate", "rápido"), "no es un ritmo"),
        (("--rate", "0/min"), "no es un ritmo"),
        (("--max", "0"), "--max"),
    ],
)
def test_bad_throttling_options_are_refused(
    cli: Any, demo_xlsx: Path, tmp_path: Path, args: tuple[str, ...], expected: str
) -> None:
    result = notify_send(cli, str(demo_xlsx), tmp_path, env_for(None, tmp_path), *args)
    assert result.exit_code == 2
    assert expected in result.output


def test_missing_mail_settings_stop_before_anything_is_written(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    before = snapshot(sheet, demo)
    result = notify_send(cli, demo, tmp_path, env_for(None, tmp_path))
    assert result.exit_code == 2
    assert "Falta PIXELY_SMTP_HOST" in result.stderr
    assert snapshot(sheet, demo) == before


def test_without_a_usable_journal_nothing_is_sent(
    cli: Any, demo_xlsx: Path, tmp_path: Path
) -> None:
    (tmp_path / "datos" / "envios-correo.jsonl").mkdir(parents=True)  # not a file
    with SmtpServer() as server:
        result = notify_send(cli, str(demo_xlsx), tmp_path, env_for(server, tmp_path))
    assert result.exit_code == 2
    assert "No se puede usar el registro de envíos" in result.stderr
    assert "sin él no se envía nada" in result.stderr
    assert server.received == []


# --- pixely run ---------------------------------------------------------------------

STAMPED = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} (.*)$")


def log_lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [STAMPED.match(line) for line in lines]
    assert all(found), lines
    return [m.group(1) for m in found if m]


def test_run_sends_summarises_logs_and_mails_the_summary(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    log = tmp_path / "registro" / "pixely.log"
    with SmtpServer() as server:
        result = run_month(
            cli,
            demo,
            tmp_path,
            env_for(server, tmp_path),
            "--send",
            "--log-file",
            str(log),
            "--resumen-a",
            "lucia@pixely.pe",
        )
    assert result.exit_code == 0, result.output
    summary = [r for r in server.received if r.recipients == ["lucia@pixely.pe"]]
    assert server.deliveries() == Counter({**dict.fromkeys(EMAILS, 1), None: 1})
    assert_consistent(sheet, demo, dict.fromkeys(EMAILS, NOW), pending=(WHATSAPP_ONLY,))
    lines = result.stdout.splitlines()
    assert "Notificados por correo en esta ejecución: 4." in lines
    assert "Por enviar a mano: 1 (abre «" in result.stdout
    assert any(
        line.startswith(
            "  · 014 Óptica Visión Clara (014-publicaciones-adicionales-2026-12): "
            "whatsapp → pixely --sheet "
        )
        and line.endswith(
            "sent 014 --month 2026-12 --beneficio publicaciones-adicionales"
        )
        for line in lines
    )
    assert "Fallos: ninguno." in lines
    assert "Resultado: todo bien (código de salida 0)." in lines
    assert "Resumen enviado a lucia@pixely.pe." in lines

    [mailed] = summary
    message = mailed.message
    assert message["Subject"] == (
        "Pixely · beneficios de diciembre de 2026: 4 avisos enviados, todo bien"
    )
    body = message.get_content()
    assert "Notificados por correo en esta ejecución: 4." in body
    assert "No elegibles este mes: 9" in body

    logged = log_lines(log)
    assert logged[0] == "inicio: pixely run --month 2026-12 --send"
    assert "enviado 1/4: 001 Panadería La Espiga <maria@laespiga.com.pe>" in logged
    assert "Resultado: todo bien (código de salida 0)." in logged
    assert logged[-1] == "fin: código 0"


def test_run_without_send_prepares_and_lists_what_to_send_by_hand(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    result = run_month(cli, demo, tmp_path, env_for(None, tmp_path))
    assert result.exit_code == 0, result.output
    assert "Filas nuevas en Entregas: 5; mensajes nuevos en «" in result.stdout
    assert "Por enviar a mano: 5" in result.stdout
    line = next(x for x in result.stdout.splitlines() if x.startswith("  · 001 "))
    assert line.startswith(
        "  · 001 Panadería La Espiga (001-publicaciones-adicionales-2026-12): correo y "
        "whatsapp → pixely --sheet "
    )
    # The suggested command names the benefit, so it also confirms invitations.
    assert line.endswith(
        "sent 001 --month 2026-12 --beneficio publicaciones-adicionales"
    )
    assert "Notificados por correo" not in result.stdout
    assert_consistent(sheet, demo, {}, pending=(*EMAILS, WHATSAPP_ONLY))


def test_run_summary_lists_late_rows_follow_ups_and_sheet_problems(
    cli: Any, sheet: SheetFactory, tmp_path: Path
) -> None:
    tabs = demo_rows()
    periods = tabs["Suscripciones"]
    periods.append(["015", "el año pasado", None, None])  # a bad row
    location = sheet.create(tabs)
    env = env_for(None, tmp_path)
    cli(
        "--sheet",
        location,
        "deliver",
        "consultoria-negocio",
        "-c",
        "012",
        "--crear",
        "--month",
        MONTH,
        env={**env, "PIXELY_NOW": "2026-11-25T09:00"},
    )
    result = run_month(
        cli, location, tmp_path, {**env, "PIXELY_NOW": "2026-12-26T09:00"}
    )
    assert result.exit_code == 1  # the sheet has a bad row
    lines = result.stdout.splitlines()
    assert "Entregas vencidas: 1." in lines
    assert (
        "  · 007-publicaciones-adicionales-2026-12 (Boutique Aurora): fecha límite "
        "18/12/2026, notificado, CM Lucía" in lines
    )
    assert "Seguimientos por hacer: 1." in lines
    assert any(line.startswith("  · 012-consultoria-negocio-2026-12") for line in lines)
    assert any(line.startswith("Problemas en la hoja: 1 filas") for line in lines)
    check = f"«pixely --sheet {shlex.quote(location)} check»"  # the sheet it was given
    assert any(
        line.startswith("Problemas en la hoja:") and check in line for line in lines
    )
    assert any("Suscripciones, fila" in line for line in lines)
    assert "Resultado: hay fallos o cosas por revisar (código de salida 1)." in lines


def test_run_stops_at_a_structural_error_and_logs_it(
    cli: Any, sheet: SheetFactory, tmp_path: Path
) -> None:
    tabs = demo_rows()
    del tabs["Beneficios"]
    location = sheet.create(tabs)
    log = tmp_path / "pixely.log"
    before = snapshot(sheet, location)
    with SmtpServer() as server:
        result = run_month(
            cli,
            location,
            tmp_path,
            env_for(server, tmp_path),
            "--send",
            "--log-file",
            str(log),
        )
    assert result.exit_code == 2
    assert "Falta la pestaña «Beneficios»" in result.stderr
    assert server.received == []
    assert snapshot(sheet, location) == before
    logged = log_lines(log)
    assert logged[-2].startswith("error: Falta la pestaña «Beneficios»")
    assert logged[-1] == "fin: código 2"


def test_run_dry_run_writes_and_sends_nothing(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    before = snapshot(sheet, demo)
    with SmtpServer() as server:
        result = run_month(
            cli, demo, tmp_path, env_for(server, tmp_path), "--send", "--dry-run"
        )
    assert result.exit_code == 0, result.output
    assert "Simulación (--dry-run): no se escribió ni se envió nada." in result.stdout
    assert "se crearían 5. Correos que se enviarían: 4." in result.stdout
    assert server.received == []
    assert snapshot(sheet, demo) == before
    assert not (tmp_path / "salida").exists()
    assert not (tmp_path / "datos" / "envios-correo.jsonl").exists()


def test_run_with_a_broken_template_writes_nothing_to_the_sheet(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    """Fails before: run wrote the rows, then stopped at the template."""
    templates = tmp_path / "plantillas" / "notifications"
    templates.mkdir(parents=True)
    (templates / "whatsapp.txt").write_bytes(b"Hola {{ apodo }}\n")
    before = snapshot(sheet, demo)
    env = env_for(None, tmp_path, PIXELY_TEMPLATES=str(templates.parent))
    result = run_month(cli, demo, tmp_path, env)
    assert result.exit_code == 2, result.output
    assert "usa una variable que no existe" in " ".join(result.stderr.split())
    assert snapshot(sheet, demo) == before
    assert not (tmp_path / "salida" / MONTH / "index.html").exists()


def test_run_index_confirms_on_the_sheet_it_was_given(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    result = run_month(cli, demo, tmp_path, env_for(None, tmp_path))
    assert result.exit_code == 0, result.output
    page = (tmp_path / "salida" / MONTH / "index.html").read_text(encoding="utf-8")
    assert "pixely --sheet" in page


def test_run_reconciles_what_a_crashed_run_left_in_the_journal(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    """A run died after the server accepted 001 and before writing the sheet:
    the next run marks 001 notificado, with the server's time, sending nothing."""
    from pixely_benefits.clickup_sync import sheet_identity
    from pixely_benefits.sheet import open_store

    env = env_for(None, tmp_path)
    prepared = run_month(cli, demo, tmp_path, env)
    assert prepared.exit_code == 0, prepared.output
    journal = SendJournal(tmp_path / "datos" / "envios-correo.jsonl")
    identity = sheet_identity(open_store(demo))
    key = "001-publicaciones-adicionales-2026-12"
    accepted_at = datetime(2026, 12, 3, 9, 31)
    attempt = journal.begin(identity, key, "<m@pixely.pe>", EMAILS[key], accepted_at)
    journal.text_sent(identity, attempt)
    journal.accepted(identity, attempt, accepted_at, "250 OK")

    result = run_month(cli, demo, tmp_path, {**env, "PIXELY_NOW": "2026-12-04T08:00"})
    assert result.exit_code == 0, result.output
    assert (
        "Ya enviados por una ejecución anterior y anotados ahora: 1 "
        "(001-publicaciones-adicionales-2026-12)." in result.stdout
    )
    rest = tuple(k for k in EMAILS if k != key)
    assert_consistent(sheet, demo, {key: accepted_at}, pending=(*rest, WHATSAPP_ONLY))
    assert journal.logs(identity)[key].last.recorded


def test_a_run_that_finds_the_lock_taken_exits_3_and_does_nothing(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    from pixely_benefits.monthly_run import run_lock
    from pixely_benefits.settings import Settings

    before = snapshot(sheet, demo)
    held = Settings(_env_file=None, data_dir=tmp_path / "datos")  # type: ignore[call-arg]
    log = tmp_path / "pixely.log"
    with SmtpServer() as server, run_lock(held):
        result = run_month(
            cli,
            demo,
            tmp_path,
            env_for(server, tmp_path),
            "--send",
            "--log-file",
            str(log),
        )
        notified = notify_send(cli, demo, tmp_path, env_for(server, tmp_path))
    assert result.exit_code == 3
    assert (
        "Otra ejecución de pixely (run o notify --send) está en marcha" in result.stderr
    )
    assert notified.exit_code == 3
    assert server.received == []
    assert snapshot(sheet, demo) == before
    assert log_lines(log)[-1] == "fin: código 3"


def test_two_runs_started_together_one_works_the_other_exits_3(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "beneficios.xlsx", demo_rows())
    gate = Gate("MAIL", 1)  # whoever gets the lock waits here until one has exited
    with SmtpServer(gate=gate) as server:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("PIXELY_")},
            **env_for(server, tmp_path),
        }
        command = [
            sys.executable,
            "-m",
            "pixely_benefits",
            "--sheet",
            str(path),
            "run",
            "--month",
            MONTH,
            "--send",
            "--salida",
            str(tmp_path / "salida"),
        ]
        runs = [
            subprocess.Popen(
                command,
                cwd=tmp_path,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        deadline = time.monotonic() + 60
        while all(r.poll() is None for r in runs) and time.monotonic() < deadline:
            time.sleep(0.05)
        [loser] = [r for r in runs if r.poll() is not None]
        gate.release()
        [winner] = [r for r in runs if r is not loser]
        out, err = winner.communicate(timeout=60)
        lost_out, lost_err = loser.communicate(timeout=10)
    assert loser.returncode == 3, lost_out + lost_err
    assert "Otra ejecución de pixely" in lost_err
    assert winner.returncode == 0, out + err
    assert server.deliveries() == once(*EMAILS)


def test_help_is_in_spanish_with_the_exit_codes(cli: Any) -> None:
    run_help = cli("run", "--help").stdout
    for text in (
        "Códigos de salida",
        "--send",
        "--log-file",
        "--resumen-a",
        "--rate",
        "--max",
        "3 otra ejecución",
    ):
        assert text in run_help
    notify_help = cli("notify", "--help").stdout
    for text in ("--send", "--rate", "--max", "N/min"):
        assert text in notify_help
