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

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

from pixely_benefits.contacts import EMAIL, WHATSAPP, Reachability, reachability
from pixely_benefits.errors import UsageError
from pixely_benefits.ledger_plan import (
    CANCEL,
    CREATE,
    DEFAULT_DUE_DAYS,
    DELIVER,
    OPEN_STATES,
    SEND,
    Outcome,
    Plan,
    Result,
    Stamp,
    append_note,
    claimed,
    day,
    is_monthly,
    last_change,
    new_row,
    pending_after,
    since,
    taken,
)
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
from pixely_benefits.sheet.cells import Cell

__all__ = [
    "CANCEL",
    "CREATE",
    "DEFAULT_DUE_DAYS",
    "DELIVER",
    "OPEN_STATES",
    "SEND",
    "Outcome",
    "Plan",
    "Result",
    "append_note",
    "pending_after",
    "plan_cancel",
    "plan_deliver",
    "plan_notify",
    "plan_sent",
]

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
    dry_run: bool = False,
) -> Plan:
    """Create the ``pendiente`` row of every eligible client without one for ``month``.

    Every eligible client whose row is ``pendiente`` (new, or left by an earlier
    run) gets a notice; with ``resend``, ``notificado`` rows too. A client with
    no usable e-mail or WhatsApp gets no row, and no row is created where one
    is already there, even a bad one (see :func:`claimed`). ``clients`` limits
    the run to those IDs and then says why any of them is left out.
    ``created`` (from ``Historial``) dates the notices of rows created by an
    earlier run. ``dry_run`` only changes the words: what would be done.
    """
    wanted = {find_client(data, c).client_id for c in unique(clients)}
    stamp = Stamp(now, user)
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
            _notify_new(plan, data, client, decision.benefit, month, stamp, dry_run)
    return plan


def _cancelled(
    plan: Plan, data: ControlData, client: Client, key: str, month: Month
) -> bool:
    """Whether a person cancelled the client's row for ``month``: then it is left
    alone, and said as information, not as a failure."""
    if key not in data.delivery_ids:  # the usual case: no scan of every row
        return False
    rows = [r for r in data.deliveries if r.delivery_id == key]
    if len(rows) != 1 or not rows[0].cancelled or rows[0].key_problem is not None:
        return False
    message = (
        f"su fila «{key}» de {month} está cancelada (fila {rows[0].row} de "
        "«Entregas»), no se crea otra; si debe recibirlo, cambia su Estado a pendiente"
    )
    plan.say(client.client_id, key, Result.UNCHANGED, message)
    return True


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
        message = f"ya {row.state.value}{last_change(row)} ({row.benefit})"
        plan.say(client.client_id, key or None, Result.UNCHANGED, message)
        return
    if not plan.writable(row):  # its notice could never be confirmed
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
        plan.say(client.client_id, key, Result.SKIPPED, _unreachable(reach))
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
    stamp: Stamp,
    dry_run: bool,
) -> None:
    benefit = data.benefit(code)
    assert benefit is not None  # the rules only choose benefits of the catalogue
    key = delivery_id(client.client_id, code, month)
    reach = reachability(client, data.settings)
    if not reach.reachable:
        left = "no se crearía su fila" if dry_run else "no se creó su fila"
        message = f"{_unreachable(reach)}; {left}"
        plan.say(client.client_id, None, Result.SKIPPED, message)
        return
    if _cancelled(plan, data, client, key, month):
        return
    blocked = taken(data, key) or claimed(data, client.client_id, month)
    if blocked:
        plan.say(client.client_id, key, Result.SKIPPED, blocked)
        return
    row = new_row(client, code, month, {"Estado": DeliveryState.PENDING.value})
    plan.create(row, stamp, CREATE, f"{benefit.name} ({code}) para {month}")
    due = stamp.now.date() + timedelta(days=benefit.due_days)
    plan.notices.append(NoticeRequest(key, client, benefit, month, due, reach))
    plan.to_confirm.append(client.client_id)
    done = "se crearía su fila" if dry_run else "fila creada"
    channels = " y ".join(reach.channels)
    message = f"{done} (pendiente): {benefit.name}; aviso por {channels}"
    plan.say(client.client_id, key, Result.DONE, message, reach.problems)


def _unreachable(reach: Reachability) -> str:
    why = "; ".join(reach.problems) or "no tiene correo ni WhatsApp"
    return f"sin aviso ({why}): completa sus datos en «Clientes»"


# --- sent -------------------------------------------------------------------------


def plan_sent(
    data: ControlData,
    clients: Sequence[str],
    month: Month,
    now: datetime,
    user: str,
    *,
    channel: Channel | None = None,
    benefit_code: str | None = None,
) -> Plan:
    """Mark the notice of each of ``clients`` for ``month`` as sent: ``notificado``.

    Without ``benefit_code`` the notice is the client's ``mensual`` row of the
    month (the one the rules use: the first in sheet order); with it, the
    client's rows of that benefit in the month, such as an invitation to a
    promotion. ``Fecha límite`` is the notification date plus the benefit's
    ``Plazo (días)``. ``Canal`` gets ``channel``, which the client must have,
    or else the channels the client can be reached by (``ambos`` for both).
    """
    found = [find_client(data, c) for c in unique(clients)]
    code = find_benefit(data, benefit_code).code if benefit_code else None
    stamp = Stamp(now, user)
    plan = Plan()
    for client in found:
        rows = _rows(data, client.client_id, month)
        if code is None:
            targets = [r for r in rows if is_monthly(data, r.benefit)][:1]
        else:
            targets = [r for r in rows if r.benefit == code]
        pending = [r for r in targets if r.state is DeliveryState.PENDING]
        if not pending:
            _nothing_to_send(plan, data, client, targets, month, code)
            continue
        missing = _missing_channel(client, data, channel) if channel else None
        if missing:
            plan.say(client.client_id, pending[0].delivery_id, Result.SKIPPED, missing)
            continue
        used = channel.value if channel else _channel_of(client, data)
        for row in pending:
            if not plan.writable(row):
                continue
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
            detail = f"canal: {used or '—'}; fecha límite: {day(due)}"
            plan.update(row, values, stamp, SEND, detail)
            message = f"notificado ({row.benefit}); entregar hasta el {day(due)}"
            plan.say(client.client_id, row.delivery_id, Result.DONE, message)
    return plan


def _nothing_to_send(
    plan: Plan,
    data: ControlData,
    client: Client,
    targets: list[Delivery],
    month: Month,
    code: str | None,
) -> None:
    cid = client.client_id
    if targets:
        row = targets[0]
        message = f"ya estaba {row.state.value}{last_change(row)} ({row.benefit})"
        plan.say(cid, row.delivery_id or None, Result.UNCHANGED, message)
        return
    every = [r for r in data.rows_of(cid) if r.month == month]
    mine = [
        r
        for r in every
        if r.benefit == code or (code is None and is_monthly(data, r.benefit))
    ]
    others = [r for r in every if r not in mine and r.state is DeliveryState.PENDING]
    if mine:  # every one of them is cancelled
        row = mine[0]
        message = (
            f"su fila «{row.label}» de {month} está cancelada: no se marcó; si el "
            "aviso salió igual, cambia su Estado a pendiente en «Entregas» y repite "
            "el comando"
        )
    elif code is None and (problem := claimed(data, cid, month)):
        message = problem.replace("; no se creó otra fila", "")
    elif code is None and others:
        row = others[0]
        message = (
            f"en {month} no tiene aviso mensual pendiente, sino «{row.benefit}»: si "
            f"es ese el que enviaste, confírmalo con «pixely sent {cid} --beneficio "
            f"{row.benefit} --month {month}»"
        )
    elif code is not None:
        message = f"no tiene fila de «{code}» en «Entregas» para {month}"
    else:
        message = (
            f"no tiene fila en «Entregas» para {month}: prepárala con "
            f"«pixely notify --month {month} --client {cid}»"
        )
    plan.say(cid, None, Result.SKIPPED, message)


_CHANNEL_NAMES = {EMAIL: "correo válido", WHATSAPP: "WhatsApp válido"}


def _missing_channel(client: Client, data: ControlData, channel: Channel) -> str | None:
    """Why the notice cannot have gone out by ``channel``, or ``None`` if it could."""
    # The client's own Canal does not matter here: the CM says what was used.
    found = reachability(client.model_copy(update={"channel": None}), data.settings)
    wanted = (EMAIL, WHATSAPP) if channel is Channel.BOTH else (channel.value,)
    missing = [_CHANNEL_NAMES[c] for c in wanted if c not in found.channels]
    if not missing:
        return None
    return (
        f"no tiene {' ni '.join(missing)} en «Clientes», así que el aviso no pudo "
        f"salir por {channel.value}: no se marcó; indica con --canal el canal que "
        "usaste"
    )


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
    stamp = Stamp(now, user)
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
        if not plan.writable(row):
            return plan
        if note:
            values["Notas"] = append_note(row.notes, note)
        plan.update(row, values, stamp, DELIVER, _detail(values, note))
        message = f"{benefit.name} entregado ({row.month}){_followup(values)}"
        plan.say(client.client_id, row.delivery_id, Result.DONE, message)
        return plan
    done = [r for r in rows if r.month == target and r.state is DeliveryState.DELIVERED]
    if done:
        when = since(done[0].delivered)
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
    blocked = taken(data, key)
    if blocked:
        plan.say(client.client_id, key, Result.SKIPPED, blocked)
        return plan
    if note:
        values["Notas"] = note.strip()
    row_values = new_row(client, benefit.code, target, values)
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
        parts.append(f"seguimiento: {day(followup)}")
    if note and note.strip():
        parts.append(f"nota: {note.strip()}")
    return "; ".join(parts) or "sin enlace ni nota"


def _followup(values: Mapping[str, Cell]) -> str:
    followup = values.get("Seguimiento")
    return f"; seguimiento el {day(followup)}" if isinstance(followup, date) else ""


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
    if not plan.writable(row):
        return plan
    reason = reason.strip()
    values: dict[str, Cell] = {
        "Estado": DeliveryState.CANCELLED.value,
        "Notas": append_note(row.notes, f"Cancelado: {reason}"),
    }
    plan.update(row, values, Stamp(now, user), CANCEL, f"motivo: {reason}")
    plan.say(client.client_id, row.delivery_id, Result.DONE, f"{row.benefit} cancelado")
    return plan


def _nothing_to_cancel(
    plan: Plan, client: Client, rows: list[Delivery], month: Month
) -> None:
    delivered = [r for r in rows if r.state is DeliveryState.DELIVERED]
    if delivered:
        row = delivered[0]
        when = since(row.delivered)
        message = f"{row.benefit} ya se entregó{when}: una entrega no se cancela"
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
    return [r for r in data.rows_of(client_id) if r.month == month and not r.cancelled]
