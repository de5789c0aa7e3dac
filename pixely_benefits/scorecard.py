"""The month per community manager: benefits notified, on time, late.

Pure: it counts the ``Entregas`` rows of one month that are not cancelled,
grouped by their ``Responsable`` (the client's ``CM`` when the row has none).

- notified: rows that reached the client (``notificado``, ``aceptado`` or
  ``entregado``, or with a ``Notificado`` date);
- on time: delivered on or before ``Fecha límite`` (a delivery with no due
  date counts as on time: there was nothing to be late for);
- late: delivered after ``Fecha límite``, plus open rows whose ``Fecha
  límite`` has passed by ``today`` (overdue, still to deliver);
- on-time rate: on time / (on time + late), ``None`` while both are zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from pixely_benefits.months import Month
from pixely_benefits.records import ControlData, Delivery, DeliveryState

if TYPE_CHECKING:
    from pixely_benefits.status import StatusReport

NO_CM = "(sin CM)"
"""The group of rows whose client has no community manager."""

_REACHED = (DeliveryState.NOTIFIED, DeliveryState.ACCEPTED, DeliveryState.DELIVERED)
_OPEN = (DeliveryState.PENDING, DeliveryState.NOTIFIED, DeliveryState.ACCEPTED)


@dataclass(slots=True)
class CmScore:
    cm: str
    rows: int = 0
    notified: int = 0
    delivered: int = 0
    on_time: int = 0
    delivered_late: int = 0
    overdue: int = 0

    @property
    def late(self) -> int:
        return self.delivered_late + self.overdue

    @property
    def on_time_rate(self) -> float | None:
        judged = self.on_time + self.late
        return None if judged == 0 else self.on_time / judged

    def add(self, row: Delivery, today: date) -> None:
        self.rows += 1
        if row.state in _REACHED or row.notified is not None:
            self.notified += 1
        if row.state is DeliveryState.DELIVERED:
            self.delivered += 1
            delivered = row.delivered.date() if row.delivered else None
            if row.due is None or delivered is None or delivered <= row.due:
                self.on_time += 1
            else:
                self.delivered_late += 1
        elif row.state in _OPEN and row.due is not None and row.due < today:
            self.overdue += 1

    def as_json(self) -> dict[str, str | int | float | None]:
        rate = self.on_time_rate
        return {
            "cm": self.cm,
            "rows": self.rows,
            "notified": self.notified,
            "delivered": self.delivered,
            "on_time": self.on_time,
            "late": self.late,
            "delivered_late": self.delivered_late,
            "overdue": self.overdue,
            "on_time_rate": None if rate is None else round(rate, 4),
        }


def scorecard(data: ControlData, month: Month, today: date) -> list[CmScore]:
    """One line per CM with rows in ``month`` (by name), then :data:`NO_CM`."""
    cms = {c.client_id: c.cm for c in data.clients}
    scores: dict[str, CmScore] = {}
    for row in data.deliveries:
        if row.month != month or row.cancelled:
            continue
        cm = (row.cm or cms.get(row.client_id) or "").strip() or NO_CM
        scores.setdefault(cm, CmScore(cm)).add(row, today)
    return sorted(scores.values(), key=lambda s: (s.cm == NO_CM, s.cm.casefold()))


def total(scores: list[CmScore]) -> CmScore:
    """Every CM together, for the last line of the table."""
    whole = CmScore("Total")
    for s in scores:
        whole.rows += s.rows
        whole.notified += s.notified
        whole.delivered += s.delivered
        whole.on_time += s.on_time
        whole.delivered_late += s.delivered_late
        whole.overdue += s.overdue
    return whole


def status_json(report: StatusReport, scores: list[CmScore]) -> dict[str, Any]:
    """``status --format json``: the month's counts, the lists and the per-CM view.

    Dates are ISO text; ``by_cm`` holds one :meth:`CmScore.as_json` per CM and
    ``total`` all of them together.
    """
    return {
        "month": str(report.month),
        "today": report.today.isoformat(),
        "counts": {state.value: n for state, n in report.counts.items()},
        "stale": [
            {**_row(s.row), "since": s.since.isoformat(timespec="minutes")}
            for s in report.stale
        ],
        "late": [_row(r) for r in report.late],
        "followups": [_row(r) for r in report.followups],
        "by_cm": [s.as_json() for s in scores],
        "total": total(scores).as_json(),
    }


def _row(row: Delivery) -> dict[str, str | None]:
    return {
        "delivery_id": row.delivery_id,
        "client_id": row.client_id,
        "benefit": row.benefit,
        "month": str(row.month),
        "state": row.state.value,
        "due": row.due.isoformat() if row.due else None,
        "followup": row.followup.isoformat() if row.followup else None,
        "cm": row.cm,
    }
