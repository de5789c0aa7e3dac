"""What ClickUp is owed after the sheet changes, and sending it.

The CM records every notice, delivery, cancellation and follow-up in ClickUp as
well as in the sheet. After a command has written the sheet,
:func:`events_from_changes` reads its change set (each ``Historial`` row it
appends, with the ``Entregas`` change it logs) into events, and :func:`sync`
turns each one into a comment on the client's task (the ``ClickUp`` column of
``Clientes``). A client without a task gets one, created in the list
``PIXELY_CLICKUP_LIST`` with the benefit, month and due date; its ID is written
back into ``Clientes`` so it is never created twice.

ClickUp never blocks the sheet: the sheet is written first, and what ClickUp
has not accepted stays owed in the journal (:mod:`pixely_benefits.clickup_journal`)
until a later run sends it. Known limit: a request that ClickUp accepted just
before the machine died, with no ``done`` line yet, is sent again (a comment can
appear twice, never be lost).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pixely_benefits.clickup_journal import Action, DeliveryEvent, Journal, Pending
from pixely_benefits.errors import ConfigurationError, PixelyError
from pixely_benefits.records import ControlData, DeliveryState
from pixely_benefits.sheet.base import ChangeSet, RowUpdate
from pixely_benefits.sheet.cells import Cell
from pixely_benefits.sheet.schema import CLIENTS, DELIVERIES, HISTORY, normalize

if TYPE_CHECKING:
    from pixely_benefits.clickup import ClickUp
    from pixely_benefits.settings import Settings
    from pixely_benefits.sheet.base import Store

logger = logging.getLogger(__name__)

_BY_HISTORY = {
    "notificar": Action.NOTIFIED,
    "entregar": Action.DELIVERED,
    "cancelar": Action.CANCELLED,
    "seguimiento": Action.FOLLOWED_UP,
}
"""``Acción`` words of ``Historial`` (see ledger and followups) -> event."""

_BY_STATE = {
    DeliveryState.NOTIFIED.value: Action.NOTIFIED,
    DeliveryState.DELIVERED.value: Action.DELIVERED,
    DeliveryState.CANCELLED.value: Action.CANCELLED,
}
"""For any other ``Acción``: the ``Estado`` the logged change sets."""

# --- from a change set to events ----------------------------------------------------


def events_from_changes(changes: ChangeSet, data: ControlData) -> list[DeliveryEvent]:
    """The events in ``changes``: one per ``Historial`` row that logs a notice,
    delivery, cancellation or follow-up. ``data`` is the sheet as read before
    the write (the rows that were updated)."""
    rows = {row.delivery_id: row for row in data.deliveries}
    written: dict[str, dict[str, Cell]] = {}
    for append in changes.appends:
        if append.tab.name == DELIVERIES.name:
            key = _text(_get(append.values, "ID"))
            if key:
                written.setdefault(key, {}).update(append.values)
    for update in changes.updates:
        if update.tab.name == DELIVERIES.name:
            written.setdefault(update.key, {}).update(update.values)
    events: list[DeliveryEvent] = []
    for append in changes.appends:
        if append.tab.name != HISTORY.name:
            continue
        key = _text(_get(append.values, "ID entrega"))
        values = written.get(key or "", {})
        action = _BY_HISTORY.get(normalize(_text(_get(append.values, "Acción")) or ""))
        if action is None:
            action = _BY_STATE.get(normalize(_text(_get(values, "Estado")) or ""))
        moment = _get(append.values, "Fecha")
        if key is None or action is None or not isinstance(moment, datetime):
            continue
        row = rows.get(key)
        client_id = _text(_get(values, "ID cliente")) or (
            row.client_id if row else None
        )
        code = _text(_get(values, "Beneficio")) or (row.benefit if row else None)
        month = _text(_get(values, "Mes")) or (str(row.month) if row else None)
        if client_id is None or code is None or month is None:
            logger.debug("no ClickUp event for %s: row unknown", key)
            continue
        due = _get(values, "Fecha límite")
        if not isinstance(due, date):
            due = row.due if row else None
        benefit = data.benefit(code)
        events.append(
            DeliveryEvent(
                delivery_id=key,
                client_id=client_id,
                action=action,
                benefit=benefit.name if benefit else code,
                month=month,
                due=due,
                at=moment,
                detail=_text(_get(append.values, "Detalle")) or "",
            )
        )
    return events


def _get(values: Mapping[str, Cell], header: str) -> Cell:
    folded = normalize(header)
    for name, value in values.items():
        if normalize(name) == folded:
            return value
    return None


def _text(value: Cell) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


# --- sending ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Failure:
    delivery_id: str
    client_id: str
    message: str


@dataclass(slots=True)
class SyncReport:
    """What one run sent to ClickUp and what it left owed."""

    comments: int = 0
    tasks: dict[str, str] = field(default_factory=dict)
    """Client ID -> task created by this run."""
    failures: list[Failure] = field(default_factory=list)
    left: int = 0
    """Owed events not tried because ClickUp stopped answering."""
    store_error: str | None = None
    """Why new task IDs could not be written into ``Clientes`` (tried again later)."""
    busy: bool = False
    """Another run was sending: everything stays owed for the next run."""

    @property
    def owed(self) -> int:
        return len(self.failures) + self.left

    @property
    def sent(self) -> int:
        return self.comments + len(self.tasks)


def sheet_identity(store: Store) -> str:
    """The sheet as the journal names it: a resolved file path or a spreadsheet ID."""
    path = getattr(store, "path", None)
    if isinstance(path, Path):
        return str(path.resolve())
    key = getattr(store, "key", None)
    if isinstance(key, str):
        return f"google:{key}"
    return store.label


def sync(
    store: Store,
    data: ControlData,
    events: Iterable[DeliveryEvent],
    *,
    clickup: ClickUp,
    journal: Journal,
    list_id: str | None,
) -> SyncReport:
    """Record ``events`` as owed, then send everything owed for this sheet.

    ``data`` gives the clients' ``ClickUp`` cells. Events are sent oldest
    first; a fault of one task or client leaves that event owed and goes on,
    a fault of ClickUp itself (token, server, network) stops the run.
    """
    sheet = sheet_identity(store)
    journal.owe(sheet, events)
    report = SyncReport()
    with journal.lock() as held:
        if not held:
            report.busy = True
            report.left = len(journal.read(sheet).owed)
            return report
        pending = journal.read(sheet)
        sender = _Sender(data, clickup, journal, sheet, list_id, pending, report)
        for index, event in enumerate(pending.owed):
            try:
                sender.send(event)
            except PixelyError as error:
                report.failures.append(
                    Failure(event.delivery_id, event.client_id, error.message)
                )
                if getattr(error, "stops_run", False):
                    report.left = len(pending.owed) - index - 1
                    break
        _store_tasks(store, data, journal, sheet, pending.unstored, report)
    return report


@dataclass(slots=True)
class _Sender:
    data: ControlData
    clickup: ClickUp
    journal: Journal
    sheet: str
    list_id: str | None
    pending: Pending
    report: SyncReport

    def send(self, event: DeliveryEvent) -> None:
        task_id = self._task_of(event.client_id)
        if task_id is None:
            task_id = self._create_task(event)
        else:
            self.clickup.comment(task_id, event.comment())
            self.report.comments += 1
        self.journal.done(self.sheet, event, task_id)

    def _task_of(self, client_id: str) -> str | None:
        from pixely_benefits.clickup import task_id_from

        client = self.data.client(client_id)
        cell = client.clickup if client else None
        if cell:
            found = task_id_from(cell)
            if found is None:
                raise PixelyError(
                    f"La columna ClickUp del cliente {client_id} («{cell}») no es un ID "
                    "ni un enlace de tarea de ClickUp: corrígela o déjala vacía."
                )
            return found
        return self.pending.tasks.get(client_id)

    def _create_task(self, event: DeliveryEvent) -> str:
        if not self.list_id:
            raise ConfigurationError(
                f"El cliente {event.client_id} no tiene tarea en la columna ClickUp y "
                "falta PIXELY_CLICKUP_LIST (la lista donde crearla): configúrala o "
                "escribe el ID de su tarea en «Clientes»."
            )
        client = self.data.client(event.client_id)
        name = client.name if client else event.client_id
        task = self.clickup.create_task(
            self.list_id,
            f"{name} · {event.benefit} ({event.month})",
            _description(name, event),
            event.due,
        )
        self.journal.task_created(self.sheet, event.client_id, task.task_id)
        self.pending.tasks[event.client_id] = task.task_id
        self.pending.unstored[event.client_id] = task.task_id
        self.report.tasks[event.client_id] = task.task_id
        return task.task_id


def _description(name: str, event: DeliveryEvent) -> str:
    due = f"{event.due:%d/%m/%Y}" if event.due else "—"
    return "\n".join(
        [
            f"Cliente: {name} ({event.client_id})",
            f"Beneficio: {event.benefit}",
            f"Mes: {event.month}",
            f"Fecha límite: {due}",
            "",
            event.comment(),
            "",
            "Pixely comenta en esta tarea cada aviso, entrega, cancelación y "
            "seguimiento de los beneficios de este cliente.",
        ]
    )


def _store_tasks(
    store: Store,
    data: ControlData,
    journal: Journal,
    sheet: str,
    unstored: Mapping[str, str],
    report: SyncReport,
) -> None:
    """Write new task IDs into ``Clientes``; a failure is reported and tried again."""
    wanted = {
        client_id: task
        for client_id, task in unstored.items()
        if (client := data.client(client_id)) is not None and not client.clickup
    }
    if wanted:
        updates = [
            RowUpdate(CLIENTS, client_id, {"ClickUp": task})
            for client_id, task in wanted.items()
        ]
        try:
            store.write(ChangeSet(updates=updates))
        except PixelyError as error:
            report.store_error = error.message
            return
    if unstored:
        journal.stored(sheet, unstored)


# --- the whole step, from settings ---------------------------------------------------


def enabled(settings: Settings) -> bool:
    token = settings.clickup_token
    return token is not None and bool(token.get_secret_value().strip())


def client_from(settings: Settings) -> ClickUp:
    """A client for the configured token (:class:`ConfigurationError` without one)."""
    from pixely_benefits.clickup import DEFAULT_URL, ClickUp

    if not enabled(settings):
        raise ConfigurationError(
            "Falta PIXELY_CLICKUP_TOKEN: pon tu token personal de ClickUp "
            "(Configuración → Apps) en el entorno o en .env."
        )
    assert settings.clickup_token is not None
    token = settings.clickup_token.get_secret_value().strip()
    return ClickUp(token, settings.clickup_url or DEFAULT_URL)


def sync_after_write(
    store: Store, data: ControlData, changes: ChangeSet, settings: Settings
) -> SyncReport | None:
    """Send ClickUp what a command's write owes it; ``None`` when ClickUp is off."""
    if not enabled(settings):
        return None
    events = events_from_changes(changes, data)
    journal = Journal.default(settings)
    pending = journal.read(sheet_identity(store))
    if not events and not pending.owed and not pending.unstored:
        return None
    return sync(
        store,
        data,
        events,
        clickup=client_from(settings),
        journal=journal,
        list_id=settings.clickup_list,
    )
