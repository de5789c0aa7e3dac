"""The local journal of e-mails sent, so that no client is told twice.

``envios-correo.jsonl`` in the user data folder (``PIXELY_DATA_DIR``
overrides it) holds one JSON object a line. Every line is appended and
flushed to disk (fsync) before the step it announces, for every sheet the
machine works on (``sheet`` names it). One delivery may have several
attempts; each line of an attempt carries its ``attempt`` ID:

* ``sending``: about to send: the row, the address and the ``Message-ID``;
* ``text``: the server said ``354`` and the message text is about to go out;
* ``accepted``: the server answered ``250`` to the text: the client is told
  (its ``at`` is when the message started out, so that nothing but this line
  stands between the answer and its fsync);
* ``refused``: the server refused the address or the message (code, reason);
* ``recorded``: the sheet holds the outcome (``notificado``, or the note).

The sheet is written from the journal, never the other way round: every run
first calls :func:`plan_reconcile`, which turns each ``accepted`` attempt not
yet ``recorded`` whose row is still ``pendiente`` into ``notificado`` (with
the time it was sent), without sending anything again.

Where a crash (power cut, ``kill -9``) can fall, and what the next run does:

1. Before ``sending``: nothing left the machine; the row is ``pendiente`` and
   the next run sends it.
2. After ``sending``, before ``text``: the server may have the envelope but
   never the text, and a server only keeps a message once it has the whole
   text. The next run sends it again, with the same ``Message-ID``: no double.
3. After ``text``, before ``accepted``: **the one window of doubt.** The server
   may have taken the text and answered ``250`` just as the machine died
   (RFC 1047 describes this window of SMTP itself). Only the server's side
   shows it (the ``Message-ID`` and ``X-Pixely-Delivery`` headers identify the
   message). The next run sends it again, with the same ``Message-ID``, and
   says so in its summary: rather one client told twice than one never told.
   Mail programs such as Gmail show two messages with one ``Message-ID`` as
   one. Messages go out one at a time, so a crash leaves at most one message
   in this state; the window lasts from sending the text to the fsync of the
   ``accepted`` line (the time the server takes to answer the text).
4. After ``accepted``, before the sheet is written: reconciled as above; the
   message is never sent again.
5. After the sheet is written, before ``recorded``: the row is already
   ``notificado``, so reconciling only adds ``recorded``.

A line cut short by a crash is skipped and the next line starts on a new one.
An accepted attempt is final: if a person puts the row back to ``pendiente``,
pixely does not send it again by itself (it says so; the CM can send it from
the outbox). Known limits: the journal only grows (a few hundred bytes per
e-mail), and a workbook that is moved or renamed is a new sheet to it.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pixely_benefits.errors import PixelyError
from pixely_benefits.ledger import DEFAULT_DUE_DAYS, SEND, append_note
from pixely_benefits.records import ControlData, Delivery, DeliveryState
from pixely_benefits.sheet.base import ChangeSet, RowAppend, RowUpdate
from pixely_benefits.sheet.cells import Cell
from pixely_benefits.sheet.schema import DELIVERIES, HISTORY

if TYPE_CHECKING:
    from pixely_benefits.settings import Settings

logger = logging.getLogger(__name__)

JOURNAL_NAME = "envios-correo.jsonl"
REFUSED = "correo rechazado"
"""The ``Acción`` of the ``Historial`` row that notes a refused e-mail."""
EMAIL_CHANNEL = "correo"


class SendJournalError(PixelyError):
    """The journal cannot be read or written: nothing may be sent without it."""


def data_folder(settings: Settings) -> Path:
    """``PIXELY_DATA_DIR``, else the user data folder (``~/.local/share/pixely``)."""
    if settings.data_dir is not None:
        return settings.data_dir
    import platformdirs

    return Path(platformdirs.user_data_dir("pixely"))


@dataclass(slots=True)
class Attempt:
    """One try at sending one delivery's e-mail, as the journal tells it."""

    attempt_id: str
    delivery_id: str
    message_id: str
    address: str
    started: datetime
    text_sent: bool = False
    accepted_at: datetime | None = None
    refused_at: datetime | None = None
    code: int | None = None
    reply: str = ""
    recorded: bool = False

    @property
    def accepted(self) -> bool:
        return self.accepted_at is not None

    @property
    def refused(self) -> bool:
        return self.refused_at is not None and not self.accepted

    @property
    def in_doubt(self) -> bool:
        """The text went out and no answer was recorded: the server may have it."""
        return self.text_sent and not self.accepted and self.refused_at is None

    @property
    def unfinished(self) -> bool:
        """Started and never answered (a crash or a lost connection)."""
        return not self.accepted and self.refused_at is None

    @property
    def permanent(self) -> bool:
        """A refusal the server means for good (5xx), not a temporary one (4xx)."""
        return self.refused and (self.code or 0) >= 500


@dataclass(slots=True)
class DeliveryLog:
    """Every attempt of one delivery, oldest first."""

    delivery_id: str
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def accepted(self) -> Attempt | None:
        return next((a for a in self.attempts if a.accepted), None)

    @property
    def last(self) -> Attempt:
        return self.attempts[-1]


class SendJournal:
    """The JSON-lines file of e-mails sent, shared by every sheet of the machine."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def default(cls, settings: Settings) -> SendJournal:
        return cls(data_folder(settings) / JOURNAL_NAME)

    def logs(self, sheet: str) -> dict[str, DeliveryLog]:
        """Delivery ID -> its attempts, for ``sheet``."""
        attempts: dict[str, Attempt] = {}
        logs: dict[str, DeliveryLog] = {}
        for record in self._records():
            if record.get("sheet") != sheet:
                continue
            try:
                _fold(record, attempts, logs)
            except (KeyError, TypeError, ValueError) as error:
                logger.debug("send journal line skipped: %s", error)
        return logs

    def begin(
        self, sheet: str, delivery_id: str, message_id: str, address: str, at: datetime
    ) -> str:
        """Record the intent to send; returns the attempt's ID."""
        attempt = uuid.uuid4().hex
        self._append(
            {
                "kind": "sending",
                "sheet": sheet,
                "attempt": attempt,
                "delivery_id": delivery_id,
                "message_id": message_id,
                "to": address,
                "at": at.isoformat(),
            }
        )
        return attempt

    def text_sent(self, sheet: str, attempt: str) -> None:
        self._append({"kind": "text", "sheet": sheet, "attempt": attempt})

    def accepted(self, sheet: str, attempt: str, at: datetime, reply: str) -> None:
        self._append(
            {
                "kind": "accepted",
                "sheet": sheet,
                "attempt": attempt,
                "at": at.isoformat(),
                "reply": reply,
            }
        )

    def refused(
        self, sheet: str, attempt: str, at: datetime, code: int, reply: str
    ) -> None:
        self._append(
            {
                "kind": "refused",
                "sheet": sheet,
                "attempt": attempt,
                "at": at.isoformat(),
                "code": code,
                "reply": reply,
            }
        )

    def recorded(self, sheet: str, attempts: Iterable[str]) -> None:
        lines = [{"kind": "recorded", "sheet": sheet, "attempt": a} for a in attempts]
        self._append(*lines)

    def _records(self) -> Iterator[dict[str, Any]]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        except OSError as error:
            raise self._error(error) from None
        for line in text.splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue  # a line cut short by a crash
            if isinstance(record, dict):
                yield record

    def _append(self, *records: dict[str, Any]) -> None:
        if not records:
            return
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                size = os.fstat(descriptor).st_size
                if size and os.pread(descriptor, 1, size - 1) != b"\n":
                    text = "\n" + text  # after a line cut short, start a new one
                os.write(descriptor, text.encode("utf-8"))
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
        except OSError as error:
            raise self._error(error) from None

    def _error(self, error: OSError) -> SendJournalError:
        return SendJournalError(
            f"No se puede usar el registro de envíos «{self.path}» "
            f"({error.strerror or error}): revisa los permisos y el espacio libre de "
            "esa carpeta (o indica otra con PIXELY_DATA_DIR); sin él no se envía nada."
        )


def _fold(
    record: dict[str, Any], attempts: dict[str, Attempt], logs: dict[str, DeliveryLog]
) -> None:
    kind = record.get("kind")
    key = str(record["attempt"])
    if kind == "sending":
        attempt = Attempt(
            attempt_id=key,
            delivery_id=str(record["delivery_id"]),
            message_id=str(record["message_id"]),
            address=str(record["to"]),
            started=datetime.fromisoformat(record["at"]),
        )
        attempts[key] = attempt
        log = logs.setdefault(attempt.delivery_id, DeliveryLog(attempt.delivery_id))
        log.attempts.append(attempt)
        return
    attempt = attempts[key]
    if kind == "text":
        attempt.text_sent = True
    elif kind == "accepted":
        attempt.accepted_at = datetime.fromisoformat(record["at"])
        attempt.reply = str(record.get("reply") or "")
    elif kind == "refused":
        attempt.refused_at = datetime.fromisoformat(record["at"])
        attempt.code = int(record["code"])
        attempt.reply = str(record.get("reply") or "")
    elif kind == "recorded":
        attempt.recorded = True


# --- from the journal to the sheet ---------------------------------------------------


@dataclass(slots=True)
class Reconciliation:
    """What the sheet lacks of the journal, as the changes that add it."""

    changes: ChangeSet = field(default_factory=ChangeSet)
    recorded: list[str] = field(default_factory=list)
    """Attempts to mark ``recorded`` once ``changes`` are written."""
    notified: list[Attempt] = field(default_factory=list)
    """Accepted e-mails whose row becomes ``notificado``."""
    noted: list[Attempt] = field(default_factory=list)
    """Refused e-mails whose reason goes into ``Notas``."""
    notes: list[str] = field(default_factory=list)
    """What the CM should know, in Spanish (a cancelled row that got an e-mail...)."""


def plan_reconcile(
    logs: dict[str, DeliveryLog], data: ControlData, now: datetime, user: str
) -> Reconciliation:
    """The changes that bring ``data`` (the sheet as just read) up to the journal.

    An accepted e-mail turns its ``pendiente`` row ``notificado``, with
    ``Notificado`` = the time it was sent, ``Canal`` = correo and
    ``Fecha límite`` = that day + ``Plazo (días)``. A refused one adds its
    reason to the row's ``Notas``. Each change adds a ``Historial`` row. A row
    no write can find (see ``Delivery.key_problem``) only gets a note, so that the
    other rows are still written.
    """
    rows = {row.delivery_id: row for row in data.deliveries}
    plan = Reconciliation()
    for key, log in logs.items():
        waiting = [a for a in log.attempts if not a.recorded and not a.unfinished]
        if not waiting:
            continue
        row = rows.get(key)
        if row is None:
            _without_row(plan, key, waiting, known=key in data.delivery_ids)
            continue
        if row.key_problem is not None and row.state is DeliveryState.PENDING:
            _unwritable(plan, key, waiting, row.key_problem)  # the others go on
            continue
        accepted = log.accepted
        if accepted is not None and not accepted.recorded:
            _accepted(plan, data, row, accepted, now, user)
        elif accepted is None:
            _refused(plan, row, [a for a in waiting if a.refused], now, user)
        plan.recorded.extend(a.attempt_id for a in waiting)
    return plan


def _accepted(
    plan: Reconciliation,
    data: ControlData,
    row: Delivery,
    attempt: Attempt,
    now: datetime,
    user: str,
) -> None:
    assert attempt.accepted_at is not None
    at = attempt.accepted_at
    if row.state is not DeliveryState.PENDING:
        if row.state is DeliveryState.CANCELLED:
            plan.notes.append(
                f"{row.delivery_id}: el correo se envió el {at:%d/%m/%Y %H:%M}, pero la "
                "fila está cancelada; avisa al cliente si hace falta."
            )
        return  # already notificado (or further on): nothing to add
    benefit = data.benefit(row.benefit)
    due = at.date() + timedelta(days=benefit.due_days if benefit else DEFAULT_DUE_DAYS)
    values: dict[str, Cell] = {
        "Estado": DeliveryState.NOTIFIED.value,
        "Notificado": at,
        "Canal": EMAIL_CHANNEL,
        "Fecha límite": due,
    }
    detail = (
        f"canal: {EMAIL_CHANNEL}; fecha límite: {_day(due)}; correo enviado a "
        f"{attempt.address} el {at:%d/%m/%Y %H:%M} y aceptado por el servidor"
    )
    _update(plan.changes, row, values, now, user, SEND, detail)
    plan.notified.append(attempt)


def _refused(
    plan: Reconciliation,
    row: Delivery,
    attempts: list[Attempt],
    now: datetime,
    user: str,
) -> None:
    if not attempts or row.state is not DeliveryState.PENDING:
        return
    notes = row.notes
    for attempt in attempts:
        notes = append_note(notes, refusal_note(attempt))
    last = attempts[-1]
    detail = f"a {last.address}: {last.reply}"
    _update(plan.changes, row, {"Notas": notes}, now, user, REFUSED, detail)
    plan.noted.extend(attempts)


def refusal_note(attempt: Attempt) -> str:
    """The line a refused e-mail adds to ``Notas``."""
    assert attempt.refused_at is not None
    return (
        f"Correo no enviado el {attempt.refused_at:%d/%m/%Y %H:%M}: el servidor "
        f"rechazó «{attempt.address}» ({attempt.reply})"
    )


def _without_row(
    plan: Reconciliation, key: str, waiting: list[Attempt], *, known: bool
) -> None:
    accepted = next((a for a in waiting if a.accepted), None)
    if accepted is None:
        plan.recorded.extend(a.attempt_id for a in waiting)  # nothing to note
        return
    assert accepted.accepted_at is not None
    when = f"{accepted.accepted_at:%d/%m/%Y %H:%M}"
    if known:  # the row is there but cannot be read: try again once it is fixed
        plan.notes.append(
            f"{key}: el correo se envió el {when}, pero su fila de «Entregas» tiene "
            "problemas (pixely check los muestra); se marcará notificada al corregirla."
        )
        return
    plan.notes.append(
        f"{key}: el correo se envió el {when}, pero la fila ya no está en «Entregas»."
    )
    plan.recorded.extend(a.attempt_id for a in waiting)


def _unwritable(
    plan: Reconciliation, key: str, waiting: list[Attempt], problem: str
) -> None:
    """A row no write can find (a repeated ID...): say so, and try again once it
    is fixed."""
    accepted = next((a for a in waiting if a.accepted), None)
    if accepted is not None and accepted.accepted_at is not None:
        what = f"el correo se envió el {accepted.accepted_at:%d/%m/%Y %H:%M}"
    else:
        what = "el servidor rechazó el correo"
    plan.notes.append(
        f"{key}: {what}, pero no se pudo anotar en «Entregas» porque {problem}; "
        "se anotará al corregirla."
    )


def _update(
    changes: ChangeSet,
    row: Delivery,
    values: dict[str, Cell],
    now: datetime,
    user: str,
    action: str,
    detail: str,
) -> None:
    """Change ``row`` (found by its ID at write time) and log it in ``Historial``."""
    if not changes.new_tabs:
        changes.new_tabs.extend([DELIVERIES, HISTORY])
    changes.updates.append(RowUpdate(DELIVERIES, row.delivery_id, values))
    state = values.get("Estado")
    change = row.state.value if state is None else f"{row.state.value} → {state}"
    history: dict[str, Cell] = {
        "Fecha": now,
        "Usuario": user,
        "Acción": action,
        "ID entrega": row.delivery_id,
        "Detalle": f"{change}; {detail}",
    }
    changes.appends.append(RowAppend(HISTORY, history))


def _day(value: date) -> str:
    return value.strftime("%d/%m/%Y")
