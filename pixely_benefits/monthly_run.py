"""The monthly job, ``pixely run``: check the sheet, notify (and send), summarise.

:func:`run_month` does, in order:

1. read and check the sheet: a missing tab or header stops it (nothing is
   written); bad rows are left out and listed in the summary;
2. reconcile the send journal with the sheet (what an earlier run sent);
3. ``notify``: create the ``pendiente`` row of every eligible client and
   prepare the messages in the outbox;
4. with ``send``, send the e-mails (:mod:`pixely_benefits.sending`);
5. read the sheet again and build the :class:`~pixely_benefits.run_summary.RunSummary`:
   notified, skipped and why, failures, late deliveries, follow-ups due,
   problems in the sheet. With ``summary_to`` it goes to the CM by e-mail.

Only one run at a time: :func:`run_lock` holds a lock in the data folder, and
a second run (or a ``notify --send``) that finds it taken stops at once with
:class:`AnotherRunError` (exit code 3).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pixely_benefits.errors import PixelyError
from pixely_benefits.run_summary import RunSummary, as_is
from pixely_benefits.sending import AfterWrite, Limits, SendEvent

if TYPE_CHECKING:
    from pixely_benefits.ledger import Plan
    from pixely_benefits.loading import Loaded
    from pixely_benefits.mail import MailConfig
    from pixely_benefits.months import Month
    from pixely_benefits.outbox import RenderedMonth
    from pixely_benefits.records import ControlData
    from pixely_benefits.send_journal import SendJournal
    from pixely_benefits.settings import Settings
    from pixely_benefits.sheet.base import Store

LOCK_NAME = "pixely-ejecucion.lock"


class AnotherRunError(PixelyError):
    """Another ``pixely run`` or ``notify --send`` holds the lock."""

    exit_code = 3


@contextmanager
def run_lock(settings: Settings) -> Iterator[None]:
    """Hold the machine's run lock, or raise :class:`AnotherRunError` at once.

    The lock is an operating-system lock on a file of the data folder: it
    goes with the process, so a run that was killed never leaves it taken.
    """
    from filelock import FileLock, Timeout

    from pixely_benefits.send_journal import data_folder

    folder = data_folder(settings)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PixelyError(
            f"No se puede crear la carpeta de datos «{folder}» ({error.strerror}): "
            "revisa sus permisos o indica otra con PIXELY_DATA_DIR."
        ) from None
    lock = FileLock(str(folder / LOCK_NAME), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise AnotherRunError(
            "Otra ejecución de pixely (run o notify --send) está en marcha en este "
            "equipo: espera a que termine; esta no hizo nada."
        ) from None
    try:
        yield
    finally:
        lock.release()


@dataclass(frozen=True)
class RunOptions:
    month: Month | None = None
    send: bool = False
    dry_run: bool = False
    outbox: Path = Path("salida")
    limits: Limits = field(default_factory=Limits)
    summary_to: str | None = None
    command: str = "pixely"
    """``pixely`` and the options that name the sheet, for the commands the
    month's index.html suggests."""
    suggest: Callable[[str], str] = as_is
    """Writes the commands the summary suggests as the user should type them."""


@dataclass
class RunHooks:
    """How the command hears about the run while it goes."""

    line: Callable[[str], None] = lambda text: None
    """A step worth one line in the log."""
    on_event: Callable[[SendEvent], None] = lambda event: None
    after_write: AfterWrite = lambda changes, data: None


def run_month(
    store: Store,
    options: RunOptions,
    hooks: RunHooks,
    *,
    user: str,
    journal: SendJournal,
    mail: MailConfig | None,
) -> RunSummary:
    """The monthly job; see the module doc. ``mail`` is required to send."""
    from pixely_benefits.clock import current_month, now
    from pixely_benefits.loading import load
    from pixely_benefits.sending import reconcile
    from pixely_benefits.sheet.schema import HISTORY

    loaded = load(store, (HISTORY,))
    business = loaded.data.settings
    month = options.month or current_month(business)
    summary = RunSummary(
        month=month,
        sheet=store.label,
        send=options.send,
        dry_run=options.dry_run,
        outbox=options.outbox / str(month),
        clients=len(loaded.data.clients),
        problems=loaded.problems,
        suggest=options.suggest,
    )
    rows = len({(p.tab, p.row) for p in loaded.problems})
    hooks.line(f"hoja revisada: {summary.clients} clientes, {rows} filas con problemas")
    if not options.dry_run:
        loaded, recovered = reconcile(
            store, journal, user, now(business), hooks.after_write
        )
        summary.recovered.extend(a.delivery_id for a in recovered.notified)
        summary.notes.extend(recovered.notes)
        if recovered.notified:
            hooks.line(
                f"registro de envíos: {len(recovered.notified)} filas marcadas "
                "notificadas (correos de una ejecución anterior)"
            )
    plan = _notify(store, loaded, month, options, hooks, user, summary)
    if options.dry_run:
        summary.would_send = _would_send(store, loaded, plan, journal)
        _finish(summary, loaded, month)
        return summary
    if options.send:
        assert mail is not None
        _send(store, loaded, plan, options, hooks, user, journal, mail, summary)
    final = summary.final or load(store, (HISTORY,))
    _finish(summary, final, month)
    if options.summary_to:
        _mail_summary(summary, options.summary_to, mail, loaded)
    return summary


def _notify(
    store: Store,
    loaded: Loaded,
    month: Month,
    options: RunOptions,
    hooks: RunHooks,
    user: str,
    summary: RunSummary,
) -> Plan:
    from pixely_benefits.clock import now
    from pixely_benefits.ledger import Result, plan_notify
    from pixely_benefits.rules import REASONS, decide
    from pixely_benefits.sheet.schema import HISTORY
    from pixely_benefits.status import creation_times

    data = loaded.data
    moment = now(data.settings)
    plan = plan_notify(
        data,
        month,
        moment,
        user,
        created=creation_times(loaded.tabs.get(HISTORY.name)),
    )
    summary.created = plan.count(Result.DONE)
    for outcome in plan.outcomes:
        if outcome.result is Result.SKIPPED:
            client = data.client(outcome.client_id)
            name = client.name if client else ""
            summary.skipped.append((outcome.client_id, name, outcome.message))
    reasons = Counter(
        REASONS.get(d.reason or "", d.reason or "")
        for d in decide(data, month)
        if d.benefit is None
    )
    summary.not_eligible = dict(reasons)
    rendered = _render(store, data, month, plan, options, moment)
    if options.dry_run:
        return plan
    if rendered is not None:
        rendered.check_writable()
    if plan.changes:
        store.write(plan.changes)
        hooks.after_write(plan.changes, data)
    if rendered is not None:
        rendered.write()
        summary.prepared = rendered.new_files
    hooks.line(
        f"avisos de {month}: {summary.created} filas nuevas en Entregas, "
        f"{summary.prepared} mensajes nuevos en «{summary.outbox}»"
    )
    return plan


def _render(
    store: Store,
    data: ControlData,
    month: Month,
    plan: Plan,
    options: RunOptions,
    moment: datetime,
) -> RenderedMonth | None:
    """The month folder's files as they will be once ``plan`` is written, rendered
    before the sheet is, as ``notify`` does: a broken template stops the run with
    nothing written. ``None`` with no notices and no folder yet."""
    from pixely_benefits.clickup_sync import sheet_identity
    from pixely_benefits.ledger import pending_after
    from pixely_benefits.outbox import month_folder, render_month
    from pixely_benefits.sending import aware

    if not plan.notices and not month_folder(options.outbox, month).is_dir():
        return None
    return render_month(
        plan.notices,
        options.outbox,
        month,
        data.settings,
        resend=False,
        now=aware(moment, data.settings),
        sheet=sheet_identity(store),
        open_ids=pending_after(data, month, plan.changes),
        command=options.command,
    )


def _send(
    store: Store,
    loaded: Loaded,
    plan: Plan,
    options: RunOptions,
    hooks: RunHooks,
    user: str,
    journal: SendJournal,
    mail: MailConfig,
    summary: RunSummary,
) -> None:
    from pixely_benefits.sending import Sender, send_notices

    sender = Sender(
        store=store,
        journal=journal,
        mail=mail,
        user=user,
        business=loaded.data.settings,
        after_write=hooks.after_write,
        on_event=hooks.on_event,
    )
    report = send_notices(
        sender, plan.notices, options.outbox / str(summary.month), options.limits
    )
    summary.report = report
    summary.final = report.loaded
    hooks.line(
        f"envío terminado: {len(report.sent)} aceptados, {len(report.refused)} "
        f"rechazados, {len(report.left)} sin enviar"
    )


def _would_send(store: Store, loaded: Loaded, plan: Plan, journal: SendJournal) -> int:
    """How many e-mails a real run would send now (for ``--dry-run``)."""
    from pixely_benefits.clickup_sync import sheet_identity
    from pixely_benefits.records import DeliveryState

    rows = {row.delivery_id: row for row in loaded.data.deliveries}
    logs = journal.logs(sheet_identity(store))
    count = 0
    for notice in plan.notices:
        row = rows.get(notice.delivery_id)
        pending = row is None or row.state is DeliveryState.PENDING
        log = logs.get(notice.delivery_id)
        sent = log is not None and log.accepted is not None
        if notice.reach.email and pending and not sent:
            count += 1
    return count


def _finish(summary: RunSummary, loaded: Loaded, month: Month) -> None:
    """Fill what the sheet says at the end: rows by hand, late rows, follow-ups."""
    from pixely_benefits.clock import now
    from pixely_benefits.contacts import reachability
    from pixely_benefits.records import DeliveryState
    from pixely_benefits.sheet.schema import HISTORY
    from pixely_benefits.status import creation_times, status_report

    data = loaded.data
    created = creation_times(loaded.tabs.get(HISTORY.name))
    summary.status = status_report(data, month, now(data.settings), created)
    reported = summary.reported_ids()
    for row in data.deliveries:
        if row.month != month or row.state is not DeliveryState.PENDING:
            continue
        if row.delivery_id in reported:
            continue
        client = data.client(row.client_id)
        if client is None:
            continue
        channels = reachability(client, data.settings).channels
        if summary.send:
            channels = tuple(c for c in channels if c != "correo")
        summary.by_hand.append(
            (row.delivery_id, client.client_id, client.name, row.benefit, channels)
        )


def _mail_summary(
    summary: RunSummary, to: str, mail: MailConfig | None, loaded: Loaded
) -> None:
    from pixely_benefits.clock import now
    from pixely_benefits.mail import MailError, send_one, summary_message
    from pixely_benefits.sending import aware

    assert mail is not None
    business = loaded.data.settings
    message = summary_message(
        mail,
        to,
        summary.subject(business.agency),
        "\n".join(summary.lines()) + "\n",
        aware(now(business), business),
    )
    try:
        reply = send_one(mail, message, to)
    except MailError as error:
        summary.mail_error = error.message
        return
    if not reply.accepted:
        summary.mail_error = (
            f"el servidor rechazó el resumen para «{to}» ({reply.describe()})"
        )
