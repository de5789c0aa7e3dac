"""The send journal: lines on disk, attempts folded back, and the sheet changes
that bring a sheet up to what the journal knows (reconciling)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from pixely_benefits.months import Month
from pixely_benefits.records import (
    Benefit,
    BusinessSettings,
    Client,
    ControlData,
    Delivery,
    DeliveryState,
)
from pixely_benefits.send_journal import (
    JOURNAL_NAME,
    DeliveryLog,
    SendJournal,
    data_folder,
    plan_reconcile,
)
from pixely_benefits.settings import Settings

SHEET = "/datos/beneficios.xlsx"
KEY = "001-publicaciones-adicionales-2026-12"
AT = datetime(2026, 12, 3, 9, 31)
NOW = datetime(2026, 12, 4, 8, 0)


@pytest.fixture
def journal(tmp_path: Path) -> SendJournal:
    return SendJournal(tmp_path / JOURNAL_NAME)


def test_the_data_folder_is_pixely_data_dir_when_set(tmp_path: Path) -> None:
    chosen = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    assert data_folder(chosen) == tmp_path
    assert SendJournal.default(chosen).path == tmp_path / JOURNAL_NAME


def test_each_step_of_an_attempt_is_folded_back(journal: SendJournal) -> None:
    first = journal.begin(SHEET, KEY, "<m1@pixely.pe>", "maria@laespiga.com.pe", AT)
    journal.refused(SHEET, first, AT, 550, "550 Buzón inexistente")
    second = journal.begin(SHEET, KEY, "<m2@pixely.pe>", "maria@espiga.pe", AT)
    journal.text_sent(SHEET, second)
    journal.accepted(SHEET, second, AT, "250 OK")
    journal.recorded(SHEET, [second])
    doubt = journal.begin(SHEET, "002-x", "<m3@pixely.pe>", "jorge@aroma.pe", AT)
    journal.text_sent(SHEET, doubt)
    journal.begin(SHEET, "003-x", "<m4@pixely.pe>", "ana@fuerza.pe", AT)

    logs = journal.logs(SHEET)
    assert list(logs) == [KEY, "002-x", "003-x"]
    refused, accepted = logs[KEY].attempts
    assert (refused.refused, refused.code, refused.reply) == (
        True,
        550,
        "550 Buzón inexistente",
    )
    assert accepted.accepted and accepted.recorded and accepted.accepted_at == AT
    assert logs[KEY].accepted is accepted and logs[KEY].last is accepted
    assert logs["002-x"].last.in_doubt and logs["002-x"].last.unfinished
    started = logs["003-x"].last
    assert started.unfinished and not started.in_doubt
    assert started.message_id == "<m4@pixely.pe>"


def test_sheets_are_kept_apart(journal: SendJournal) -> None:
    journal.begin(SHEET, KEY, "<m1@pixely.pe>", "maria@laespiga.com.pe", AT)
    journal.begin("google:otra", "009-x", "<m2@pixely.pe>", "raul@letras.pe", AT)
    assert list(journal.logs(SHEET)) == [KEY]
    assert list(journal.logs("google:otra")) == ["009-x"]


def test_a_line_cut_short_by_a_crash_is_skipped(journal: SendJournal) -> None:
    attempt = journal.begin(SHEET, KEY, "<m1@pixely.pe>", "maria@laespiga.com.pe", AT)
    with journal.path.open("a", encoding="utf-8") as cut:
        cut.write('{"kind": "accepted", "sheet": "' + SHEET)  # no end: the crash
    journal.text_sent(SHEET, attempt)
    lines = journal.path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    assert lines[2].startswith('{"kind": "text"')  # on a line of its own
    attempt_now = journal.logs(SHEET)[KEY].last
    assert attempt_now.in_doubt  # the cut "accepted" does not count


def test_the_journal_file_is_private(journal: SendJournal) -> None:
    journal.begin(SHEET, KEY, "<m1@pixely.pe>", "maria@laespiga.com.pe", AT)
    assert journal.path.stat().st_mode & 0o777 == 0o600


# --- reconciling ----------------------------------------------------------------------


def data(*rows: Delivery, bad: tuple[str, ...] = ()) -> ControlData:
    benefit = Benefit(
        row=2,
        code="publicaciones-adicionales",
        name="Publicaciones adicionales sin costo",
        min_months=3,
        due_days=10,
    )
    client = Client(row=2, client_id="001", name="Panadería La Espiga")
    return ControlData(
        clients=[client],
        periods={},
        benefits=[benefit],
        deliveries=list(rows),
        settings=BusinessSettings(),
        promotions=[],
        delivery_ids={r.delivery_id for r in rows} | set(bad),
    )


def delivery(state: str, **fields: Any) -> Delivery:
    return Delivery(
        20,
        KEY,
        "001",
        "publicaciones-adicionales",
        Month(2026, 12),
        DeliveryState(state),
        **fields,
    )


def logs_with(
    journal: SendJournal, outcome: str, *, recorded: bool = False
) -> dict[str, DeliveryLog]:
    attempt = journal.begin(SHEET, KEY, "<m1@pixely.pe>", "maria@laespiga.com.pe", AT)
    if outcome in ("accepted", "doubt"):
        journal.text_sent(SHEET, attempt)
    if outcome == "accepted":
        journal.accepted(SHEET, attempt, AT, "250 OK")
    elif outcome == "refused":
        journal.refused(SHEET, attempt, AT, 550, "550 5.1.1 Buzón inexistente")
    if recorded:
        journal.recorded(SHEET, [attempt])
    return journal.logs(SHEET)


def test_an_accepted_email_turns_its_pending_row_notified(journal: SendJournal) -> None:
    plan = plan_reconcile(
        logs_with(journal, "accepted"), data(delivery("pendiente")), NOW, "lucia"
    )
    [update] = plan.changes.updates
    assert (update.tab.name, update.key) == ("Entregas", KEY)
    assert dict(update.values) == {
        "Estado": "notificado",
        "Notificado": AT,  # when the server took it, not when the sheet learnt it
        "Canal": "correo",
        "Fecha límite": date(2026, 12, 13),  # + Plazo (días) 10
    }
    [history] = [dict(a.values) for a in plan.changes.appends]
    assert history["Fecha"] == NOW
    assert history["Acción"] == "notificar"
    assert history["ID entrega"] == KEY
    assert history["Detalle"].startswith("pendiente → notificado; canal: correo")
    assert [a.delivery_id for a in plan.notified] == [KEY]
    assert len(plan.recorded) == 1 and plan.notes == []


def test_a_refused_email_adds_its_reason_to_the_notes(journal: SendJournal) -> None:
    row = delivery("pendiente", notes="Llamar antes")
    plan = plan_reconcile(logs_with(journal, "refused"), data(row), NOW, "lucia")
    [update] = plan.changes.updates
    assert dict(update.values) == {
        "Notas": "Llamar antes\nCorreo no enviado el 03/12/2026 09:31: el servidor "
        "rechazó «maria@laespiga.com.pe» (550 5.1.1 Buzón inexistente)"
    }
    [history] = [dict(a.values) for a in plan.changes.appends]
    assert history["Acción"] == "correo rechazado"
    assert history["Detalle"] == (
        "pendiente; a maria@laespiga.com.pe: 550 5.1.1 Buzón inexistente"
    )
    assert len(plan.recorded) == 1


@pytest.mark.parametrize(
    ("outcome", "recorded", "state", "note", "marks_recorded"),
    [
        ("accepted", False, "notificado", None, True),  # `pixely sent` came first
        ("accepted", False, "entregado", None, True),
        ("accepted", False, "cancelado", "la fila está cancelada", True),
        ("accepted", True, "pendiente", None, False),  # a person put it back
        ("refused", False, "notificado", None, True),
        ("doubt", False, "pendiente", None, False),  # the sender decides, not this
        ("started", False, "pendiente", None, False),
    ],
)
def test_what_the_sheet_already_shows_is_left_alone(
    journal: SendJournal,
    outcome: str,
    recorded: bool,
    state: str,
    note: str | None,
    marks_recorded: bool,
) -> None:
    logs = logs_with(journal, outcome, recorded=recorded)
    plan = plan_reconcile(logs, data(delivery(state)), NOW, "lucia")
    assert not plan.changes
    assert bool(plan.recorded) is marks_recorded
    if note is None:
        assert plan.notes == []
    else:
        [text] = plan.notes
        assert note in text


def test_a_row_that_is_gone_or_unreadable_is_reported(journal: SendJournal) -> None:
    logs = logs_with(journal, "accepted")
    gone = plan_reconcile(logs, data(), NOW, "lucia")
    assert not gone.changes and len(gone.recorded) == 1
    assert "ya no está en «Entregas»" in gone.notes[0]
    unreadable = plan_reconcile(logs, data(bad=(KEY,)), NOW, "lucia")
    assert not unreadable.changes and unreadable.recorded == []  # tried again later
    assert "tiene problemas" in unreadable.notes[0]


def test_a_row_whose_id_is_repeated_gets_a_note_and_the_others_are_written(
    journal: SendJournal,
) -> None:
    """Fails before: the update of the repeated ID stopped the write for everyone."""
    other = "001-publicaciones-adicionales-2026-11"
    problem = f"el ID «{KEY}» está repetido en las filas 20 y 21 de «Entregas»"
    repeated = delivery("pendiente", key_problem=problem)
    fine = delivery("pendiente")._replace(
        row=22, delivery_id=other, month=Month(2026, 11)
    )
    logs_with(journal, "accepted")
    attempt = journal.begin(SHEET, other, "<m2@pixely.pe>", "maria@laespiga.com.pe", AT)
    journal.text_sent(SHEET, attempt)
    journal.accepted(SHEET, attempt, AT, "250 OK")

    plan = plan_reconcile(journal.logs(SHEET), data(repeated, fine), NOW, "lucia")

    assert [u.key for u in plan.changes.updates] == [other]
    assert plan.recorded == [attempt]  # the repeated row's is tried again later
    [note] = plan.notes
    assert note.startswith(f"{KEY}: el correo se envió el 03/12/2026 09:31, pero")
    assert problem in note
