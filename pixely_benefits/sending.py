"""Sending the month's prepared e-mails, each exactly once, and writing it back.

:func:`send_notices` is what ``notify --send`` and ``run --send`` do after the
notices are prepared in the outbox:

1. read the sheet and reconcile it with the send journal
   (:mod:`pixely_benefits.send_journal`), so that what an earlier run sent is
   marked ``notificado`` and never sent again;
2. send, in order, the e-mail of every notice whose row is still
   ``pendiente``, at most ``--max`` of them and no faster than ``--rate`` per
   minute; every step is in the journal before it happens;
3. every few messages, and at the end, reconcile again: that is how the
   sheet gets each outcome (``notificado``, or the refusal in ``Notas``).

A refused address or message is noted and the batch goes on. A lost
connection is opened again (twice at most per run) and the message in hand is
sent again; a server that cannot be reached, a wrong password or a sheet that
cannot be written stops the batch, and what is left stays ``pendiente`` for
the next run. WhatsApp notices are not sent: they stay links for the CM.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.utils import make_msgid
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from pixely_benefits.errors import PixelyError
from pixely_benefits.mail import MailConfig, MailConnectionError, SmtpSession
from pixely_benefits.records import BusinessSettings, DeliveryState
from pixely_benefits.send_journal import Reconciliation, SendJournal

if TYPE_CHECKING:
    from pixely_benefits.loading import Loaded
    from pixely_benefits.outbox import NoticeRequest
    from pixely_benefits.records import ControlData
    from pixely_benefits.sheet.base import ChangeSet, Store

FLUSH_EVERY = 10
"""Write the outcomes to the sheet after this many messages..."""
FLUSH_SECONDS = 60.0
"""...or when this many seconds have passed since the last write."""
RECONNECTS = 2
"""How many times one run opens the connection again after losing it."""

AfterWrite = Callable[["ChangeSet", "ControlData"], None]
"""Called after each write with the changes and the sheet as read before it."""


@dataclass(frozen=True, slots=True)
class Limits:
    """``--rate`` (messages per minute) and ``--max`` (messages per run)."""

    per_minute: float | None = None
    most: int | None = None


@dataclass(frozen=True, slots=True)
class SendEvent:
    """Progress, for the command to show: ``text`` is one Spanish line."""

    kind: str
    """``inicio``, ``enviado``, ``rechazado``, ``reintento`` or ``parada``."""
    done: int
    total: int
    text: str


@dataclass(frozen=True, slots=True)
class Mailed:
    """One e-mail handed to the server: accepted, or refused with ``reply``."""

    delivery_id: str
    client_id: str
    client: str
    address: str
    reply: str
    resent: bool = False
    """Sent again because an earlier try may or may not have reached the server."""


@dataclass(slots=True)
class SendReport:
    """What :func:`send_notices` did."""

    total: int = 0
    sent: list[Mailed] = field(default_factory=list)
    refused: list[Mailed] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    """Rows marked ``notificado`` from the journal: sent by an earlier run."""
    held: list[tuple[str, str]] = field(default_factory=list)
    """(delivery ID, why) of e-mails not sent, that need the CM."""
    left: list[str] = field(default_factory=list)
    """Delivery IDs not sent in this run (``--max``, or the batch stopped)."""
    error: str | None = None
    """Why the batch stopped: the server, the password, the connection."""
    write_error: str | None = None
    """Why the sheet could not be written (the journal keeps everything)."""
    notes: list[str] = field(default_factory=list)
    loaded: Loaded | None = None
    """The sheet as it is after the last write."""

    @property
    def failed(self) -> bool:
        return bool(
            self.refused or self.held or self.error or self.write_error or self.notes
        )


@dataclass(slots=True)
class Throttle:
    """Keeps at least ``60 / per_minute`` seconds between two messages."""

    per_minute: float | None
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _last: float | None = None

    def wait(self) -> None:
        if self.per_minute and self._last is not None:
            gap = 60.0 / self.per_minute - (self.clock() - self._last)
            if gap > 0:
                self.sleep(gap)
        self._last = self.clock()


@dataclass(slots=True)
class _Target:
    request: NoticeRequest
    draft: Path
    address: str
    message_id: str | None
    resent: bool


@dataclass(slots=True)
class Sender:
    """Everything :func:`send_notices` needs besides the notices."""

    store: Store
    journal: SendJournal
    mail: MailConfig
    user: str
    business: BusinessSettings
    """The sheet's ``Configuración``: its ``zona_horaria`` dates everything."""
    after_write: AfterWrite = lambda changes, data: None
    on_event: Callable[[SendEvent], None] = lambda event: None
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep

    @property
    def sheet(self) -> str:
        from pixely_benefits.clickup_sync import sheet_identity

        return sheet_identity(self.store)

    def now(self) -> datetime:
        """Naive local time in ``zona_horaria``: what the sheet and journal hold."""
        from pixely_benefits.clock import now

        return now(self.business)


def reconcile(
    store: Store,
    journal: SendJournal,
    user: str,
    now: datetime,
    after_write: AfterWrite,
) -> tuple[Loaded, Reconciliation]:
    """Read the sheet, write what the journal holds that it lacks; the sheet after."""
    from pixely_benefits.clickup_sync import sheet_identity
    from pixely_benefits.loading import load
    from pixely_benefits.send_journal import plan_reconcile
    from pixely_benefits.sheet.schema import HISTORY

    sheet = sheet_identity(store)
    loaded = load(store, (HISTORY,))
    plan = plan_reconcile(journal.logs(sheet), loaded.data, now, user)
    if plan.changes:
        store.write(plan.changes)
        after_write(plan.changes, loaded.data)
        journal.recorded(sheet, plan.recorded)
        return load(store, (HISTORY,)), plan
    journal.recorded(sheet, plan.recorded)
    return loaded, plan


def send_notices(
    sender: Sender, notices: list[NoticeRequest], folder: Path, limits: Limits
) -> SendReport:
    """Send the e-mail of each notice whose row is ``pendiente``; see the module doc.

    ``folder`` is the month's outbox folder, where each notice's ``.eml`` is.
    """
    report = SendReport()
    first = _flush(sender, report, first=True)
    assert first is not None
    targets = _targets(sender, notices, first, folder, report)
    most = len(targets) if limits.most is None else max(limits.most, 0)
    todo, rest = targets[:most], targets[most:]
    report.total = len(todo)
    report.left = [t.request.delivery_id for t in rest]
    if todo:
        _send_all(sender, todo, limits, report)
    last = _flush(sender, report)
    report.loaded = last or first
    return report


def _flush(sender: Sender, report: SendReport, *, first: bool = False) -> Loaded | None:
    """Reconcile; on failure note why and return ``None``.

    The first one, before anything is sent, lets its error through: with a
    sheet that cannot be read or written the command cannot run.
    """
    try:
        loaded, plan = reconcile(
            sender.store, sender.journal, sender.user, sender.now(), sender.after_write
        )
    except PixelyError as error:
        if first:
            raise
        report.write_error = error.message
        return None
    sent_now = {m.delivery_id for m in (*report.sent, *report.refused)}
    report.recovered.extend(
        a.delivery_id for a in plan.notified if a.delivery_id not in sent_now
    )
    report.notes.extend(plan.notes)
    report.loaded = loaded
    return loaded


def _targets(
    sender: Sender,
    notices: list[NoticeRequest],
    loaded: Loaded,
    folder: Path,
    report: SendReport,
) -> list[_Target]:
    from pixely_benefits.outbox import EMAIL_SUFFIX, file_stem

    rows = {row.delivery_id: row for row in loaded.data.deliveries}
    logs = sender.journal.logs(sender.sheet)
    targets: list[_Target] = []
    for request in dict((n.delivery_id, n) for n in notices).values():
        key, address = request.delivery_id, request.reach.email
        row = rows.get(key)
        if address is None or row is None or row.state is not DeliveryState.PENDING:
            continue
        log = logs.get(key)
        accepted = log.accepted if log else None
        if accepted is not None:
            assert accepted.accepted_at is not None
            report.held.append(
                (
                    key,
                    f"el correo ya se envió el {accepted.accepted_at:%d/%m/%Y %H:%M} a "
                    f"«{accepted.address}» y la fila volvió a «pendiente»; pixely no lo "
                    "reenvía solo: si hace falta, envíalo desde la carpeta de salida y "
                    "confírmalo con «pixely sent»",
                )
            )
            continue
        draft = folder / (file_stem(key) + EMAIL_SUFFIX)
        if not draft.exists():
            report.held.append(
                (
                    key,
                    f"falta el correo preparado «{draft.name}»: ejecuta pixely notify",
                )
            )
            continue
        last = log.last if log else None
        unfinished = last is not None and last.unfinished
        targets.append(
            _Target(
                request=request,
                draft=draft,
                address=address,
                message_id=last.message_id if unfinished and last else None,
                resent=bool(last and last.in_doubt),
            )
        )
    return targets


def _send_all(
    sender: Sender, todo: list[_Target], limits: Limits, report: SendReport
) -> None:
    total = len(todo)
    sender.on_event(
        SendEvent(
            "inicio", 0, total, f"enviando {total} correos por {sender.mail.server}"
        )
    )
    session = SmtpSession(sender.mail)
    throttle = Throttle(limits.per_minute, sender.clock, sender.sleep)
    index = reconnects = unwritten = 0
    written_at = sender.clock()
    try:
        session.open()
        while index < total:
            target = todo[index]
            throttle.wait()
            try:
                mailed, accepted = _send_one(sender, session, target)
            except MailConnectionError as error:
                if reconnects >= RECONNECTS:
                    raise
                reconnects += 1
                target.resent = target.resent or error.after_text
                again = "se reenvía" if error.after_text else "se envía"
                sender.on_event(
                    SendEvent(
                        "reintento",
                        index,
                        total,
                        f"{error.message} Se vuelve a conectar y {again} "
                        f"{target.request.delivery_id}.",
                    )
                )
                session.open()
                continue
            index += 1
            unwritten += 1
            (report.sent if accepted else report.refused).append(mailed)
            _announce(sender, mailed, accepted, index, total)
            due = (
                unwritten >= FLUSH_EVERY or sender.clock() - written_at >= FLUSH_SECONDS
            )
            if due and index < total:
                if _flush(sender, report) is None:
                    break
                unwritten, written_at = 0, sender.clock()
    except PixelyError as error:  # the server, the journal or the outbox
        report.error = error.message
        sender.on_event(SendEvent("parada", index, total, error.message))
    finally:
        session.close()
    report.left[:0] = [t.request.delivery_id for t in todo[index:]]


def _send_one(
    sender: Sender, session: SmtpSession, target: _Target
) -> tuple[Mailed, bool]:
    from pixely_benefits.mail import outgoing
    from pixely_benefits.outbox import OutboxError, read_email

    request = target.request
    key, sheet = request.delivery_id, sender.sheet
    try:
        draft = read_email(target.draft)
    except OSError as error:
        raise OutboxError(
            f"No se puede leer el correo preparado «{target.draft}» "
            f"({error.strerror or error}): revisa la carpeta de salida."
        ) from None
    message_id = target.message_id or str(draft.get("Message-ID") or "").strip()
    if not message_id:
        message_id = make_msgid(domain=sender.mail.sender.domain or "pixely.local")
    target.message_id = message_id  # a retry of this message keeps it
    started = sender.now()
    attempt = sender.journal.begin(sheet, key, message_id, target.address, started)
    message = outgoing(
        draft,
        sender.mail,
        to=Address(display_name=request.client.greeting_name, addr_spec=target.address),
        message_id=message_id,
        sent_at=aware(started, sender.business),
    )
    del message["X-Pixely-Delivery"]
    message["X-Pixely-Delivery"] = key
    reply = session.send(
        message,
        target.address,
        before_text=lambda: sender.journal.text_sent(sheet, attempt),
    )
    # Nothing but the journal line between the server's answer and its fsync:
    # that keeps the window of doubt (see send_journal) as short as it can be.
    # The time recorded is when the message started out, seconds before.
    if reply.accepted:
        sender.journal.accepted(sheet, attempt, started, reply.describe())
    else:
        sender.journal.refused(sheet, attempt, started, reply.code, reply.describe())
    mailed = Mailed(
        key,
        request.client.client_id,
        request.client.name,
        target.address,
        reply.describe(),
        resent=target.resent,
    )
    return mailed, reply.accepted


def _announce(
    sender: Sender, mailed: Mailed, accepted: bool, done: int, total: int
) -> None:
    who = f"{mailed.client_id} {mailed.client} <{mailed.address}>"
    if accepted:
        again = (
            " (reenviado: el intento anterior quedó sin confirmar)"
            if mailed.resent
            else ""
        )
        text = f"enviado {done}/{total}: {who}{again}"
        sender.on_event(SendEvent("enviado", done, total, text))
    else:
        text = f"rechazado {done}/{total}: {who}: {mailed.reply}"
        sender.on_event(SendEvent("rechazado", done, total, text))


def aware(moment: datetime, settings: BusinessSettings) -> datetime:
    """``moment`` (local time in ``zona_horaria``) with its offset."""
    if settings.timezone:
        return moment.replace(tzinfo=ZoneInfo(settings.timezone))
    return moment.astimezone()
