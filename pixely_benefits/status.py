"""What needs attention in ``Entregas``: the month's counts, late rows, follow-ups.

Pure, like the rules: it takes the records and the ``Historial`` tab as read
and returns a :class:`StatusReport` for ``pixely status`` to show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from pixely_benefits.errors import StructuralError
from pixely_benefits.ledger import CREATE, OPEN_STATES
from pixely_benefits.months import Month
from pixely_benefits.records import ControlData, Delivery, DeliveryState
from pixely_benefits.sheet import cells
from pixely_benefits.sheet.base import RawTab
from pixely_benefits.sheet.schema import HISTORY, match_headers

STALE_PENDING_DAYS = 3
"""A row still ``pendiente`` more than this many days after it was created is late."""

FOLLOWUP_WINDOW_DAYS = 30
"""Follow-ups that fell due up to this many days ago are still shown."""


@dataclass(frozen=True, slots=True)
class Stale:
    """A row still ``pendiente``, and since when."""

    row: Delivery
    since: datetime


@dataclass(frozen=True, slots=True)
class StatusReport:
    """What ``pixely status`` shows.

    ``counts`` covers the rows of ``month`` (every state, zeros included); the
    lists cover every month, as of ``today``.
    """

    month: Month
    today: date
    counts: dict[DeliveryState, int]
    stale: list[Stale]
    late: list[Delivery]
    followups: list[Delivery]


def status_report(
    data: ControlData, month: Month, now: datetime, created: Mapping[str, datetime]
) -> StatusReport:
    """Counts per state for ``month``; stale, late and follow-up rows of any month.

    ``created`` maps row IDs to when ``notify`` created them (see
    :func:`creation_times`); a row that a person typed counts from the first
    day of its month. Late: an open row whose ``Fecha límite`` has passed.
    Follow-ups: delivered rows whose ``Seguimiento`` fell due in the last
    :data:`FOLLOWUP_WINDOW_DAYS` days, today included.
    """
    today = now.date()
    counts = dict.fromkeys(DeliveryState, 0)
    stale: list[Stale] = []
    late: list[Delivery] = []
    followups: list[Delivery] = []
    oldest_followup = today - timedelta(days=FOLLOWUP_WINDOW_DAYS)
    for row in data.deliveries:
        if row.month == month:
            counts[row.state] += 1
        if row.state is DeliveryState.PENDING:
            since = created.get(row.delivery_id) or datetime.combine(
                row.month.first_day, datetime.min.time()
            )
            if now - since > timedelta(days=STALE_PENDING_DAYS):
                stale.append(Stale(row, since))
        if row.state in OPEN_STATES and row.due is not None and row.due < today:
            late.append(row)
        followup = row.followup
        delivered = row.state is DeliveryState.DELIVERED
        if delivered and followup is not None and oldest_followup <= followup <= today:
            followups.append(row)
    stale.sort(key=lambda s: (s.since, s.row.row))
    late.sort(key=lambda r: (r.due or today, r.row))
    followups.sort(key=lambda r: (r.followup or today, r.row))
    return StatusReport(month, today, counts, stale, late, followups)


def creation_times(history: RawTab | None) -> dict[str, datetime]:
    """When ``notify`` created each ``Entregas`` row, from ``Historial`` as read.

    Rows of the log that cannot be read are skipped: it only informs status.
    """
    if history is None:
        return {}
    try:
        columns = match_headers(HISTORY, history.header)
    except StructuralError:
        return {}
    at, action, key = (columns.get(k) for k in ("at", "action", "delivery_id"))
    if at is None or action is None or key is None:
        return {}
    found: dict[str, datetime] = {}
    for raw in history.rows:
        values = raw.values
        if max(at, action, key) >= len(values) or cells.word(values[action]) != CREATE:
            continue
        try:
            moment = cells.moment(values[at])
            row_id = cells.identifier(values[key])
        except cells.CellError:
            continue
        if moment is not None and row_id is not None:
            found.setdefault(row_id, moment)
    return found
