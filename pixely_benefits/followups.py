"""Follow-ups after a delivery: which are due, and recording one as done.

A delivered benefit whose catalogue has ``Seguimiento (días)`` gets a date in
the ``Seguimiento`` column of its ``Entregas`` row (see ``pixely deliver``).
That date is the to-do: :func:`due_followups` lists the delivered rows whose
date has come (or comes by a given day). Recording the follow-up
(:func:`plan_followup_done`) appends a dated line to ``Notas`` with what was
done, and clears ``Seguimiento`` so that it leaves every list, or moves it to
the next date when another follow-up is agreed. ``Historial`` keeps the date
that was due. Pure like :mod:`pixely_benefits.ledger`, whose :class:`Plan` it
returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pixely_benefits.errors import UsageError
from pixely_benefits.ledger import Plan, Result, append_note
from pixely_benefits.ledger_plan import Stamp
from pixely_benefits.lookup import find_benefit, find_client
from pixely_benefits.months import Month
from pixely_benefits.records import ControlData, Delivery, DeliveryState
from pixely_benefits.sheet.cells import Cell

FOLLOWUP = "seguimiento"
"""The ``Acción`` word written to ``Historial``."""


@dataclass(frozen=True, slots=True)
class DueFollowup:
    """A delivered row whose follow-up date has come, with what people read."""

    row: Delivery
    client: str
    benefit: str
    cm: str | None
    days_late: int
    """Days since the follow-up date: 0 today, negative when still ahead."""

    def as_json(self) -> dict[str, str | int | None]:
        assert self.row.followup is not None
        return {
            "delivery_id": self.row.delivery_id,
            "client_id": self.row.client_id,
            "client": self.client,
            "benefit": self.row.benefit,
            "month": str(self.row.month),
            "followup": self.row.followup.isoformat(),
            "days_late": self.days_late,
            "cm": self.cm,
        }


def due_followups(data: ControlData, until: date, today: date) -> list[DueFollowup]:
    """Delivered rows with a ``Seguimiento`` on or before ``until``, oldest first."""
    clients = {c.client_id: c for c in data.clients}
    names = {b.code: b.name for b in data.benefits}
    found: list[DueFollowup] = []
    for row in data.deliveries:
        day = row.followup
        if row.state is not DeliveryState.DELIVERED or day is None or day > until:
            continue
        client = clients.get(row.client_id)
        found.append(
            DueFollowup(
                row=row,
                client=client.name if client else (row.client or row.client_id),
                benefit=names.get(row.benefit, row.benefit),
                cm=row.cm or (client.cm if client else None),
                days_late=(today - day).days,
            )
        )
    found.sort(key=lambda f: (f.row.followup or today, f.row.row))
    return found


def plan_followup_done(
    data: ControlData,
    client_id: str,
    benefit_code: str,
    note: str,
    now: datetime,
    user: str,
    *,
    month: Month | None = None,
    next_date: date | None = None,
) -> Plan:
    """Record the follow-up of the client's delivered ``benefit_code``.

    The row is the client's delivered row of that benefit with a pending
    ``Seguimiento`` (in ``month`` if given; several → :class:`UsageError`).
    ``Notas`` gets ``Seguimiento del <fecha> hecho el <hoy>: <nota>``;
    ``Seguimiento`` is cleared, or set to ``next_date``. When the follow-up
    was already recorded (no pending date), ``next_date`` is still set on the
    latest delivered row, with the note; without it nothing changes.
    """
    client = find_client(data, client_id)
    benefit = find_benefit(data, benefit_code)
    note = note.strip()
    if not note:
        raise UsageError("Escribe en --note qué se habló o acordó en el seguimiento.")
    delivered = [
        r
        for r in data.deliveries
        if r.client_id == client.client_id
        and r.benefit == benefit.code
        and r.state is DeliveryState.DELIVERED
        and (month is None or r.month == month)
    ]
    pending = [r for r in delivered if r.followup is not None]
    if len(pending) > 1:
        months = ", ".join(str(r.month) for r in pending)
        raise UsageError(
            f"{client.client_id} tiene seguimientos pendientes de «{benefit.code}» en "
            f"varios meses ({months}): indica cuál con --month."
        )
    if next_date is not None and next_date <= now.date():
        raise UsageError(
            f"La fecha del próximo seguimiento ({next_date:%d/%m/%Y}) ya pasó: "
            "indica una fecha futura en --siguiente."
        )
    plan = Plan()
    stamp = Stamp(now, user)
    if not pending:
        where = f" en {month}" if month else ""
        if not delivered:
            message = (
                f"no hay una entrega de «{benefit.code}»{where}: registra primero la "
                f"entrega con «pixely deliver {benefit.code} --client {client.client_id}»"
            )
            plan.say(client.client_id, None, Result.SKIPPED, message)
            return plan
        latest = max(delivered, key=lambda r: (r.month, r.row))
        if next_date is not None:
            _schedule(plan, latest, next_date, note, stamp, benefit.name)
            return plan
        message = (
            f"«{benefit.code}» ({latest.month}) no tiene un seguimiento pendiente (ya "
            "se registró, o la columna Seguimiento está vacía): no se cambió nada; "
            "para acordar otro, repite el comando con --siguiente FECHA"
        )
        plan.say(client.client_id, latest.delivery_id, Result.UNCHANGED, message)
        return plan
    row = pending[0]
    assert row.followup is not None
    if next_date is not None and next_date == row.followup:
        # A re-run of the command that already moved Seguimiento to next_date:
        # the follow-up now pending is that future one, not done yet.
        message = (
            f"el próximo seguimiento de «{benefit.code}» ({row.month}) ya está fijado "
            f"para el {next_date:%d/%m/%Y}: no se cambió nada"
        )
        plan.say(client.client_id, row.delivery_id, Result.UNCHANGED, message)
        return plan
    if not plan.writable(row):  # no ID, or a repeated one: the reason is said
        return plan
    line = f"Seguimiento del {row.followup:%d/%m/%Y} hecho el {now:%d/%m/%Y}: {note}"
    values: dict[str, Cell] = {
        "Seguimiento": next_date,
        "Notas": append_note(row.notes, line),
    }
    detail = f"seguimiento del {row.followup:%d/%m/%Y} hecho; nota: {note}"
    if next_date is not None:
        detail += f"; próximo: {next_date:%d/%m/%Y}"
    plan.update(row, values, stamp, FOLLOWUP, detail)
    after = (
        f"; próximo seguimiento el {next_date:%d/%m/%Y}"
        if next_date
        else "; sale de la lista de seguimientos"
    )
    message = f"seguimiento de {benefit.name} registrado ({row.month}){after}"
    plan.say(client.client_id, row.delivery_id, Result.DONE, message)
    return plan


def _schedule(
    plan: Plan, row: Delivery, next_date: date, note: str, stamp: Stamp, name: str
) -> None:
    """Set the next ``Seguimiento`` of a row whose last follow-up is recorded."""
    if not plan.writable(row):  # no ID, or a repeated one: the reason is said
        return
    line = (
        f"Próximo seguimiento acordado el {stamp.now:%d/%m/%Y} para el "
        f"{next_date:%d/%m/%Y}: {note}"
    )
    values: dict[str, Cell] = {
        "Seguimiento": next_date,
        "Notas": append_note(row.notes, line),
    }
    detail = f"próximo seguimiento: {next_date:%d/%m/%Y}; nota: {note}"
    plan.update(row, values, stamp, FOLLOWUP, detail)
    message = (
        f"el seguimiento de {name} ({row.month}) ya estaba registrado; próximo "
        f"seguimiento el {next_date:%d/%m/%Y}"
    )
    plan.say(row.client_id, row.delivery_id, Result.DONE, message)
