"""The ``Entregas`` state changes — notify, sent, deliver, cancel — as data.

Each ``plan_*`` function takes what was read from the sheet, the moment
``now`` (naive local time, see :func:`pixely_benefits.clock.now`) and the user
name, and returns a :class:`Plan`: the :class:`ChangeSet` to write and one
:class:`Outcome` per client or row, in Spanish, for the command to show.
Nothing here reads, writes, prints or logs. Every function looks at the rows
as they are and asks only for what is missing, so running a command twice
changes nothing the second time. Every change to ``Entregas`` comes with one
``Historial`` row.

Life of a row: ``pendiente`` (created by ``notify``) → ``notificado``
(``sent``) → ``entregado`` (``deliver``); ``cancelado`` at any point before
delivery (``cancel``). Rows are never deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from pixely_benefits.contacts import Reachability, reachability
from pixely_benefits.errors import UsageError
from pixely_benefits.lookup import find_benefit, find_client, unique
from pixely_benefits.months import Month
from pixely_benefits.outbox import NoticeRequest
from pixely_benefits.records import (
    Benefit,
    Channel,
    Client,
    ControlData,
    Delivery,
    DeliveryState,
    delivery_id,
)
from pixely_benefits.rules import REASONS, decide
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
        self, row: Mapping[str, Cell], stamp: _Stamp, action: str, detail: str
    ) -> None:
        """Append ``row`` to ``Entregas``, logged as ``action`` with ``detail``."""
        self.changes.appends.append(RowAppend(DELIVERIES, row))
        self._log(
            stamp, action, str(row["ID"]), f"fila nueva, {row['Estado']}; {detail}"
        )

    def update(
        self,
        row: Delivery,
        values: Mapping[str, Cell],
        stamp: _Stamp,
        action: str,
        detail: str,
    ) -> None:
        """Set ``values`` on ``row`` (found by its ID at write time), logged."""
        key = row.delivery_id
        self.changes.updates.append(RowUpdate(DELIVERIES, key, values))
        state = values.get("Estado")
        change = row.state.value if state is None else f"{row.state.value} → {state}"
        self._log(stamp, action, key, f"{change}; {detail}")

    def _log(self, stamp: _Stamp, action: str, key: str, detail: str) -> None:
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


@dataclass(frozen=True, slots=True)
class _Stamp:
    """When and by whom: what every ``Historial`` row records."""

    now: datetime
    user: str


# --- notify -----------------------------------------------------------------------


def plan_notify(
    data: ControlData,
    month: Month,
    now: datetime,
    user: str,
    *,
    clients: Sequence[str] = (),
    resend: bool = False,
    created: Mapping[str, datetime] | None = None,
) -> Plan:
    """Create the ``pendiente`` row of every eligible client without one for ``month``.

    Every eligible client whose row is ``pendiente`` (new, or left by an earlier
    run) gets a notice; with ``resend``, ``notificado`` rows too. A client with
    no usable e-mail or WhatsApp gets no row. ``clients`` limits the run to
    those IDs and then says why any of them is left out. The due date a notice
    announces counts from the day its row was created (``created``, from
    ``Historial``; today for new rows), so that every run announces the same.
    """
    wanted = {find_client(data, c).client_id for c in unique(clients)}
    stamp = _Stamp(now, user)
    plan = Plan()
    for decision in decide(data, month):
        if wanted and decision.client_id not in wanted:
            continue
        client = data.client(decision.client_id)
        assert client is not None
        if decision.benefit is None:
            if wanted:
                reason = REASONS.get(decision.reason or "", decision.reason or "")
                plan.say(
                    client.client_id, None, Result.SKIPPED, f"no es elegible: {reason}"
                )
        elif decision.existing is not None:
            since = (created or {}).get(decision.existing.delivery_id, now)
            _notify_existing(plan, data, client, decision.existing, since, resend)
        else:
            _notify_new(plan, data, client, decision.benefit, month, stamp)
    return plan


def _notify_existing(
    plan: Plan,
    data: ControlData,
    client: Client,
    row: Delivery,
    since: datetime,
    resend: bool,
) -> None:
    key = row.delivery_id
    wanted = row.state is DeliveryState.PENDING or (
        resend and row.state is DeliveryState.NOTIFIED
    )
    if not wanted:
        when = _since(row.notified or row.delivered)
        plan.say(
            client.client_id,
            key,
            Result.UNCHANGED,
            f"ya {row.state.value}{when} ({row.benefit})",
        )
        return
    benefit = data.benefit(row.benefit)
    reach = reachability(client, data.settings)
    if benefit is None:
        message = (
            f"la fila «{key}» tiene el beneficio «{row.benefit}», que no está en "
            "«Beneficios»: corrige el código para preparar el mensaje"
        )
        plan.say(client.client_id, key, Result.SKIPPED, message)
    elif not reach.reachable:
        plan.say(
            client.client_id, key, Result.SKIPPED, _unreachable(reach, created=True)
        )
    else:
        due = since.date() + timedelta(days=benefit.due_days)
        plan.notices.append(NoticeRequest(key, client, benefit, row.month, due, reach))
        if row.state is DeliveryState.PENDING:
            plan.to_confirm.append(client.client_id)
        message = f"ya tenía su fila ({row.state.value}): {benefit.name}"
        plan.say(client.client_id, key, Result.UNCHANGED, message, reach.problems)


def _notify_new(
    plan: Plan,
    data: ControlData,
    client: Client,
    code: str,
    month: Month,
    stamp: _Stamp,
) -> None:
    benefit = data.benefit(code)
    assert benefit is not None  # the rules only choose benefits of the catalogue
    key = delivery_id(client.client_id, code, month)
    reach = reachability(client, data.settings)
    if not reach.reachable:
        plan.say(
            client.client_id, None, Result.SKIPPED, _unreachable(reach, created=False)
        )
        return
    taken = _taken(data, key)
    if taken:
        plan.say(client.client_id, key, Result.SKIPPED, taken)
        return
    row = _new_row(client, code, month, {"Estado": DeliveryState.PENDING.value})
    plan.create(row, stamp, CREATE, f"{benefit.name} ({code}) para {month}")
    due = stamp.now.date() + timedelta(days=benefit.due_days)
    plan.notices.append(NoticeRequest(key, client, benefit, month, due, reach))
    plan.to_confirm.append(client.client_id)
    message = f"fila creada (pendiente): {benefit.name}; aviso por {' y '.join(reach.channels)}"
    plan.say(client.client_id, key, Result.DONE, message, reach.problems)


def _unreachable(reach: Reachability, *, created: bool) -> str:
    why = "; ".join(reach.problems) or "no tiene correo ni WhatsApp"
    end = "" if created else "; no se creó su fila"
    return f"sin aviso ({why}): completa sus datos en «Clientes»{end}"


def _taken(data: ControlData, key: str) -> str | None:
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
    return (
        f"ya hay una fila con ID «{key}» en «Entregas» que tiene problemas: "
        "corrígela (pixely check la muestra)"
    )


def _new_row(
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


# --- sent -------------------------------------------------------------------------


def plan_sent(
    data: ControlData,
    clients: Sequence[str],
    month: Month,
    now: datetime,
    user: str,
    *,
    channel: Channel | None = None,
) -> Plan:
    """Mark the ``pendiente`` rows of ``clients`` for ``month`` as ``notificado``.

    ``Fecha límite`` is the notification date plus the benefit's ``Plazo
    (días)``. Without ``channel``, ``Canal`` gets the channels the client can
    be reached by (``ambos`` for both).
    """
    found = [find_client(data, c) for c in unique(clients)]
    stamp = _Stamp(now, user)
    plan = Plan()
    for client in found:
        rows = _rows(data, client.client_id, month)
        pending = [r for r in rows if r.state is DeliveryState.PENDING]
        if not pending:
            _nothing_to_send(plan, client, rows, month)
            continue
        used = channel.value if channel else _channel_of(client, data)
        for row in pending:
            benefit = data.benefit(row.benefit)
            days = benefit.due_days if benefit else DEFAULT_DUE_DAYS
            due = now.date() + timedelta(days=days)
            values: dict[str, Cell] = {
                "Estado": DeliveryState.NOTIFIED.value,
                "Notificado": now,
                "Fecha límite": due,
            }
            if used:
                values["Canal"] = used
            detail = f"canal: {used or '—'}; fecha límite: {_day(due)}"
            plan.update(row, values, stamp, SEND, detail)
            message = f"notificado ({row.benefit}); entregar hasta el {_day(due)}"
            plan.say(client.client_id, row.delivery_id, Result.DONE, message)
    return plan


def _nothing_to_send(
    plan: Plan, client: Client, rows: list[Delivery], month: Month
) -> None:
    if rows:
        row = rows[0]
        when = _since(row.notified or row.delivered)
        message = f"ya estaba {row.state.value}{when} ({row.benefit})"
        plan.say(client.client_id, row.delivery_id, Result.UNCHANGED, message)
        return
    message = (
        f"no tiene fila en «Entregas» para {month}: prepárala con "
        f"«pixely notify --month {month} --client {client.client_id}»"
    )
    plan.say(client.client_id, None, Result.SKIPPED, message)


def _channel_of(client: Client, data: ControlData) -> str | None:
    channels = reachability(client, data.settings).channels
    if len(channels) == 2:
        return Channel.BOTH.value
    return channels[0] if channels else None


# --- deliver ----------------------------------------------------------------------


def plan_deliver(
    data: ControlData,
    benefit_code: str,
    client_id: str,
    now: datetime,
    user: str,
    *,
    month: Month | None = None,
    link: str | None = None,
    note: str | None = None,
    create: bool = False,
) -> Plan:
    """Log the delivery of ``benefit_code`` to ``client_id``.

    The row is the client's open row (``pendiente``, ``notificado`` or
    ``aceptado``) of that benefit in ``month``; without ``month``, in any month
    (open in several → :class:`UsageError` asking for one). A row already
    ``entregado`` in the month (the month of ``now`` by default) is left alone.
    With no open row the plan explains, unless ``create`` logs the delivery
    outside the rotation as a new ``entregado`` row of that month.
    """
    benefit = find_benefit(data, benefit_code)
    client = find_client(data, client_id)
    target = month or Month.of(now.date())
    stamp = _Stamp(now, user)
    rows = [
        r
        for r in data.deliveries
        if r.client_id == client.client_id
        and r.benefit == benefit.code
        and not r.cancelled
    ]
    candidates = rows if month is None else [r for r in rows if r.month == month]
    open_rows = [r for r in candidates if r.state in OPEN_STATES]
    if len(open_rows) > 1:
        months = ", ".join(str(r.month) for r in open_rows)
        raise UsageError(
            f"{client.client_id} tiene «{benefit.code}» abierto en varios meses "
            f"({months}): indica cuál con --month."
        )
    plan = Plan()
    values = _delivered(benefit, now, link)
    if open_rows:
        row = open_rows[0]
        if note:
            values["Notas"] = append_note(row.notes, note)
        plan.update(row, values, stamp, DELIVER, _detail(values, note))
        message = f"{benefit.name} entregado ({row.month}){_followup(values)}"
        plan.say(client.client_id, row.delivery_id, Result.DONE, message)
        return plan
    done = [r for r in rows if r.month == target and r.state is DeliveryState.DELIVERED]
    if done:
        when = _since(done[0].delivered)
        message = (
            f"{benefit.name} ya estaba entregado{when} ({target}): no se cambió nada"
        )
        plan.say(client.client_id, done[0].delivery_id, Result.UNCHANGED, message)
        return plan
    if not create:
        plan.say(
            client.client_id,
            None,
            Result.SKIPPED,
            _no_open_row(data, client, benefit, target),
        )
        return plan
    key = delivery_id(client.client_id, benefit.code, target)
    taken = _taken(data, key)
    if taken:
        plan.say(client.client_id, key, Result.SKIPPED, taken)
        return plan
    if note:
        values["Notas"] = note.strip()
    row_values = _new_row(client, benefit.code, target, values)
    plan.create(
        row_values, stamp, DELIVER, "fuera de la rotación; " + _detail(values, note)
    )
    message = (
        f"{benefit.name} registrado como entregado fuera de la rotación ({target})"
        + _followup(values)
    )
    plan.say(client.client_id, key, Result.DONE, message)
    return plan


def _delivered(benefit: Benefit, now: datetime, link: str | None) -> dict[str, Cell]:
    values: dict[str, Cell] = {
        "Estado": DeliveryState.DELIVERED.value,
        "Entregado": now,
    }
    if link and link.strip():
        values["Enlace"] = link.strip()
    if benefit.followup_days is not None:
        values["Seguimiento"] = now.date() + timedelta(days=benefit.followup_days)
    return values


def _detail(values: Mapping[str, Cell], note: str | None) -> str:
    parts = []
    if "Enlace" in values:
        parts.append(f"enlace: {values['Enlace']}")
    followup = values.get("Seguimiento")
    if isinstance(followup, date):
        parts.append(f"seguimiento: {_day(followup)}")
    if note and note.strip():
        parts.append(f"nota: {note.strip()}")
    return "; ".join(parts) or "sin enlace ni nota"


def _followup(values: Mapping[str, Cell]) -> str:
    followup = values.get("Seguimiento")
    return f"; seguimiento el {_day(followup)}" if isinstance(followup, date) else ""


def _no_open_row(
    data: ControlData, client: Client, benefit: Benefit, month: Month
) -> str:
    others = _rows(data, client.client_id, month)
    listed = ", ".join(f"«{r.benefit}» ({r.state.value})" for r in others)
    this_month = f"; en {month} tiene {listed}" if others else ""
    return (
        f"no hay una entrega abierta de «{benefit.code}» en {month}{this_month}. "
        "Para registrarla fuera de la rotación, repite el comando con --crear"
    )


def append_note(existing: str | None, note: str) -> str:
    """``Notas`` with ``note`` added on a new line; what people wrote stays."""
    note = note.strip()
    if not existing or not existing.strip():
        return note
    return f"{existing.rstrip()}\n{note}"


# --- cancel -----------------------------------------------------------------------


def plan_cancel(
    data: ControlData,
    client_id: str,
    month: Month,
    reason: str,
    now: datetime,
    user: str,
    *,
    benefit_code: str | None = None,
) -> Plan:
    """Cancel the client's open row for ``month``; the row stays, the reason is noted.

    A client with several open rows in the month must name the benefit
    (:class:`UsageError` otherwise); a delivered row is not cancelled.
    """
    client = find_client(data, client_id)
    code = find_benefit(data, benefit_code).code if benefit_code else None
    every = [
        r
        for r in data.deliveries
        if r.client_id == client.client_id
        and r.month == month
        and (code is None or r.benefit == code)
    ]
    open_rows = [r for r in every if r.state in OPEN_STATES]
    if len(open_rows) > 1:
        codes = ", ".join(r.benefit for r in open_rows)
        raise UsageError(
            f"{client.client_id} tiene varias filas abiertas en {month} ({codes}): "
            "indica cuál con --beneficio."
        )
    plan = Plan()
    if not open_rows:
        _nothing_to_cancel(plan, client, every, month)
        return plan
    row = open_rows[0]
    reason = reason.strip()
    values: dict[str, Cell] = {
        "Estado": DeliveryState.CANCELLED.value,
        "Notas": append_note(row.notes, f"Cancelado: {reason}"),
    }
    plan.update(row, values, _Stamp(now, user), CANCEL, f"motivo: {reason}")
    plan.say(client.client_id, row.delivery_id, Result.DONE, f"{row.benefit} cancelado")
    return plan


def _nothing_to_cancel(
    plan: Plan, client: Client, rows: list[Delivery], month: Month
) -> None:
    delivered = [r for r in rows if r.state is DeliveryState.DELIVERED]
    if delivered:
        row = delivered[0]
        message = f"{row.benefit} ya se entregó{_since(row.delivered)}: una entrega no se cancela"
        plan.say(client.client_id, row.delivery_id, Result.SKIPPED, message)
    elif rows:
        message = f"{rows[0].benefit} ya estaba cancelado"
        plan.say(client.client_id, rows[0].delivery_id, Result.UNCHANGED, message)
    else:
        message = f"no tiene filas en «Entregas» para {month}"
        plan.say(client.client_id, None, Result.SKIPPED, message)


# --- helpers ----------------------------------------------------------------------


def _rows(data: ControlData, client_id: str, month: Month) -> list[Delivery]:
    """The client's rows for ``month`` that are not cancelled, in sheet order."""
    return [
        r
        for r in data.deliveries
        if r.client_id == client_id and r.month == month and not r.cancelled
    ]


def _day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def _since(value: datetime | None) -> str:
    return f" el {value.strftime('%d/%m/%Y %H:%M')}" if value else ""
