"""What every change to ``Entregas`` is made of, and the checks before making one.

A :class:`Plan` gathers the :class:`ChangeSet` of one command, one Spanish
:class:`Outcome` per client or row, and for ``notify`` the notices to prepare.
Every change to ``Entregas`` it records comes with one ``Historial`` row.

The checks keep a write from missing its row: a row whose ``ID`` is blank,
unreadable or repeated cannot be found at write time, so :meth:`Plan.update`
refuses it and says which row to fix; :func:`taken` and :func:`claimed` tell
why a new row would repeat one that is already there, even a bad one.
Pure: nothing here reads, writes, prints or logs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from pixely_benefits.months import Month
from pixely_benefits.outbox import NoticeRequest
from pixely_benefits.records import (
    BenefitKind,
    Client,
    ControlData,
    Delivery,
    DeliveryState,
    delivery_id,
)
from pixely_benefits.sheet.base import ChangeSet, RowAppend, RowUpdate
from pixely_benefits.sheet.cells import Cell
from pixely_benefits.sheet.schema import DELIVERIES, HISTORY

CREATE = "crear"
SEND = "notificar"
DELIVER = "entregar"
CANCEL = "cancelar"
"""The ``Acción`` words written to ``Historial``."""

DEFAULT_DUE_DAYS = 15
"""``Plazo (días)`` of a row whose benefit is no longer in the catalogue."""

OPEN_STATES = (DeliveryState.PENDING, DeliveryState.NOTIFIED, DeliveryState.ACCEPTED)
"""States of a row whose benefit is still to be delivered."""


class Result(StrEnum):
    DONE = "hecho"
    """The sheet changes (for notify: a row is created or its messages prepared)."""
    UNCHANGED = "sin cambios"
    """It was already so: nothing to do, and that is fine."""
    SKIPPED = "omitido"
    """It could not be done; the message says what to fix."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one client or row; ``message`` is Spanish, lower case."""

    client_id: str
    delivery_id: str | None
    result: Result
    message: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Stamp:
    """When and by whom: what every ``Historial`` row records."""

    now: datetime
    user: str


@dataclass(slots=True)
class Plan:
    """The writes of one command, what each client or row gets, and for notify
    the messages to prepare."""

    changes: ChangeSet = field(default_factory=ChangeSet)
    outcomes: list[Outcome] = field(default_factory=list)
    notices: list[NoticeRequest] = field(default_factory=list)
    to_confirm: list[str] = field(default_factory=list)
    """Clients whose notice is prepared and whose row waits for ``sent``."""

    def count(self, result: Result) -> int:
        return sum(1 for o in self.outcomes if o.result is result)

    @property
    def failed(self) -> bool:
        return any(o.result is Result.SKIPPED for o in self.outcomes)

    def say(
        self,
        client_id: str,
        key: str | None,
        result: Result,
        message: str,
        warnings: Iterable[str] = (),
    ) -> None:
        self.outcomes.append(Outcome(client_id, key, result, message, tuple(warnings)))

    def create(
        self, row: Mapping[str, Cell], stamp: Stamp, action: str, detail: str
    ) -> None:
        """Append ``row`` to ``Entregas``, logged as ``action`` with ``detail``."""
        self.changes.appends.append(RowAppend(DELIVERIES, row))
        self._log(
            stamp, action, str(row["ID"]), f"fila nueva, {row['Estado']}; {detail}"
        )

    def writable(self, row: Delivery) -> bool:
        """Whether a write can find ``row`` by its ID; if not, say why for its client."""
        if row.key_problem is None:
            return True
        key = row.delivery_id or None
        self.say(row.client_id, key, Result.SKIPPED, row.key_problem)
        return False

    def update(
        self,
        row: Delivery,
        values: Mapping[str, Cell],
        stamp: Stamp,
        action: str,
        detail: str,
    ) -> None:
        """Set ``values`` on ``row`` (found by its ID at write time), logged.

        A row that no write can find (see :meth:`writable`) is left alone and
        its client gets the reason.
        """
        if not self.writable(row):
            return
        key = row.delivery_id
        self.changes.updates.append(RowUpdate(DELIVERIES, key, values))
        state = values.get("Estado")
        change = row.state.value if state is None else f"{row.state.value} → {state}"
        self._log(stamp, action, key, f"{change}; {detail}")

    def _log(self, stamp: Stamp, action: str, key: str, detail: str) -> None:
        if not self.changes.new_tabs:
            self.changes.new_tabs.extend([DELIVERIES, HISTORY])
        values: dict[str, Cell] = {
            "Fecha": stamp.now,
            "Usuario": stamp.user,
            "Acción": action,
            "ID entrega": key,
            "Detalle": detail,
        }
        self.changes.appends.append(RowAppend(HISTORY, values))


def append_note(existing: str | None, note: str) -> str:
    """``Notas`` with ``note`` added on a new line; what people wrote stays."""
    note = note.strip()
    if not existing or not existing.strip():
        return note
    return f"{existing.rstrip()}\n{note}"


def new_row(
    client: Client, code: str, month: Month, values: Mapping[str, Cell]
) -> dict[str, Cell]:
    return {
        "ID": delivery_id(client.client_id, code, month),
        "ID cliente": client.client_id,
        "Cliente": client.name,
        "Beneficio": code,
        "Mes": str(month),
        "Responsable": client.cm,
        **values,
    }


# --- before a new row -----------------------------------------------------------


def taken(data: ControlData, key: str) -> str | None:
    """Why ``key`` cannot be used for a new row, or ``None`` when it is free."""
    if key not in data.delivery_ids:
        return None
    for row in data.deliveries:
        if row.delivery_id == key and row.cancelled:
            return (
                f"la fila «{key}» está cancelada (fila {row.row} de «Entregas»): "
                "si debe recibirlo, cambia su Estado a pendiente"
            )
        if row.delivery_id == key:
            return (
                f"ya hay una fila con ID «{key}» (fila {row.row} de «Entregas», "
                f"{row.state.value}) que no corresponde a este cliente y mes: revísala"
            )
    rows = [stub.row for stub in data.unread_deliveries if stub.delivery_id == key]
    where = f" (fila {rows[0]} de «Entregas»)" if rows else " en «Entregas»"
    return (
        f"ya hay una fila con ID «{key}»{where} que tiene problemas: "
        "corrígela (pixely check la muestra)"
    )


def claimed(data: ControlData, client_id: str, month: Month) -> str | None:
    """Why the client's ``mensual`` row for ``month`` may already be there, in a
    row left out as bad; ``None`` when no such row is.

    A bad row whose cells say (or whose ID says) it is this client's, for this
    month, of a ``mensual`` or unknown benefit and not cancelled may be the
    benefit the client was given: a new row beside it could give two.
    """
    for stub in data.unread_deliveries:
        if stub.state is DeliveryState.CANCELLED:
            continue
        if stub.benefit is not None and not is_monthly(data, stub.benefit):
            continue
        key = stub.delivery_id or ""
        mine = (
            stub.client_id == client_id
            if stub.client_id is not None
            else key.startswith(f"{client_id}-")
        )
        when = (
            stub.month == month if stub.month is not None else key.endswith(f"-{month}")
        )
        if mine and when:
            return (
                f"la fila {stub.row} de «Entregas» parece ser su beneficio de {month}, "
                "pero tiene problemas: corrígela (pixely check la muestra); no se "
                "creó otra fila"
            )
    return None


def is_monthly(data: ControlData, code: str) -> bool:
    """Rows of ``mensual`` benefits, and of codes the catalogue lacks, are monthly."""
    benefit = data.benefit(code)
    return benefit is None or benefit.kind is BenefitKind.MONTHLY


def pending_after(data: ControlData, month: Month, changes: ChangeSet) -> set[str]:
    """IDs of the rows of ``month`` that are ``pendiente`` once ``changes`` are written.

    Rows that no write can find are left out: nothing can be confirmed on them.
    """
    pending = {
        row.delivery_id
        for row in data.deliveries
        if row.month == month
        and row.state is DeliveryState.PENDING
        and row.key_problem is None
    }
    for update in changes.updates:
        state = update.values.get("Estado")
        if update.tab.name != DELIVERIES.name or state is None:
            continue
        if state == DeliveryState.PENDING.value:
            pending.add(update.key)
        else:
            pending.discard(update.key)
    for append in changes.appends:
        values = append.values
        if (
            append.tab.name == DELIVERIES.name
            and values.get("Estado") == DeliveryState.PENDING.value
            and values.get("Mes") == str(month)
        ):
            pending.add(str(values["ID"]))
    return pending


# --- words ----------------------------------------------------------------------


def day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def since(value: datetime | None) -> str:
    return f" el {value.strftime('%d/%m/%Y %H:%M')}" if value else ""


def last_change(row: Delivery) -> str:
    """`` el 04/12/2026 11:15``: when the row reached its state, as far as it says."""
    if row.state is DeliveryState.DELIVERED:
        return since(row.delivered or row.notified)
    return since(row.notified)


def plural(count: int, one: str, many: str) -> str:
    """``1 fila nueva``, ``2 filas nuevas``."""
    return f"{count} {one if count == 1 else many}"
