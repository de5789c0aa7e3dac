"""``pixely status`` per community manager: notified, on time, late, on-time rate."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest

from pixely_benefits.months import Month
from pixely_benefits.records import Delivery, DeliveryState
from pixely_benefits.scorecard import CmScore
from tests.conftest import Cell, SheetFactory, demo_rows

ENV = {"PIXELY_NOW": "2026-12-20T09:00"}


def row(key: str, client: str, state: str, **values: Cell) -> dict[str, Cell]:
    return {
        "ID": key,
        "ID cliente": client,
        "Beneficio": "publicaciones-adicionales",
        "Mes": "2026-12",
        "Estado": state,
        **values,
    }


def on(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 12, day, hour)


# The demo already has 007's row for 2026-12: notificado, due 18/12 (Lucía), so
# overdue on 20/12.
ROWS = [
    row("L1", "001", "entregado", **{"Responsable": "Lucía", "Notificado": on(1),
        "Fecha límite": date(2026, 12, 15), "Entregado": on(14)}),
    row("L2", "002", "entregado", **{"Responsable": "Lucía", "Notificado": on(1),
        "Fecha límite": date(2026, 12, 15), "Entregado": on(18)}),
    row("L3", "005", "notificado", **{"Responsable": "Lucía", "Notificado": on(1),
        "Fecha límite": date(2026, 12, 10)}),
    row("L4", "011", "notificado", **{"Responsable": "Lucía", "Notificado": on(13),
        "Fecha límite": date(2026, 12, 28)}),
    row("L5", "013", "pendiente", **{"Responsable": "Lucía"}),
    row("L6", "015", "cancelado", **{"Responsable": "Lucía", "Notificado": on(1),
        "Fecha límite": date(2026, 12, 5)}),
    row("D1", "008", "entregado", **{"Responsable": "Diego", "Entregado": on(9)}),
    row("D2", "010", "aceptado", **{"Responsable": "Diego", "Notificado": on(2),
        "Fecha límite": date(2026, 12, 25)}),
    # No Responsable: the client's CM (006 is Diego's) counts it.
    row("D3", "006", "entregado", **{"Notificado": on(2),
        "Fecha límite": date(2026, 12, 17), "Entregado": on(17, 18)}),
    # 009 has no CM at all in this sheet.
    row("N1", "009", "notificado", **{"Notificado": on(1),
        "Fecha límite": date(2026, 12, 1)}),
    # Another month: not counted.
    {**row("X1", "001", "entregado", **{"Responsable": "Lucía",
        "Fecha límite": date(2026, 11, 5), "Entregado": on(1)}), "Mes": "2026-11"},
]  # fmt: skip


@pytest.fixture
def month_sheet(sheet: SheetFactory) -> str:
    tabs = demo_rows()
    for client in tabs["Clientes"][1:]:
        if client[0] == "009":
            client[8] = None
    header = [str(h) for h in tabs["Entregas"][0]]
    for values in ROWS:
        tabs["Entregas"].append([values.get(h) for h in header])
    return sheet.create(tabs)


EXPECTED = [
    {"cm": "Diego", "rows": 3, "notified": 3, "delivered": 2, "on_time": 2,
     "late": 0, "delivered_late": 0, "overdue": 0, "on_time_rate": 1.0},
    {"cm": "Lucía", "rows": 6, "notified": 5, "delivered": 2, "on_time": 1,
     "late": 3, "delivered_late": 1, "overdue": 2, "on_time_rate": 0.25},
    {"cm": "(sin CM)", "rows": 1, "notified": 1, "delivered": 0, "on_time": 0,
     "late": 1, "delivered_late": 0, "overdue": 1, "on_time_rate": 0.0},
]  # fmt: skip


def test_status_json_has_the_month_per_cm(cli: Any, month_sheet: str) -> None:
    result = cli(
        "--sheet", month_sheet, "status", "-m", "2026-12", "-f", "json", env=ENV
    )
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found["month"] == "2026-12"
    assert found["today"] == "2026-12-20"
    assert found["by_cm"] == EXPECTED
    assert found["total"] == {
        "cm": "Total", "rows": 10, "notified": 9, "delivered": 4, "on_time": 3,
        "late": 4, "delivered_late": 1, "overdue": 3, "on_time_rate": 0.4286,
    }  # fmt: skip
    assert found["counts"] == {
        "pendiente": 1,
        "notificado": 4,
        "entregado": 4,
        "cancelado": 1,
        "aceptado": 1,
    }
    late = {r["delivery_id"] for r in found["late"]}
    assert late == {"L3", "N1", "007-publicaciones-adicionales-2026-12"}


def test_status_table_shows_the_rate_per_cm(cli: Any, month_sheet: str) -> None:
    result = cli("--sheet", month_sheet, "status", "-m", "2026-12", env=ENV)
    assert result.exit_code == 0, result.output
    lines = [" ".join(line.split()) for line in result.stdout.splitlines()]
    assert "Diego 3 3 2 2 0 100%" in lines
    assert "Lucía 6 5 2 1 3 25%" in lines
    assert "(sin CM) 1 1 0 0 1 0%" in lines
    assert "Total 10 9 4 3 4 43%" in lines


def test_a_month_without_rows_says_so(cli: Any, month_sheet: str) -> None:
    result = cli("--sheet", month_sheet, "status", "-m", "2027-03", env=ENV)
    assert result.exit_code == 0, result.output
    assert "Por CM (2027-03): no hay entregas en el mes." in result.stdout
    as_json = cli(
        "--sheet", month_sheet, "status", "-m", "2027-03", "-f", "json", env=ENV
    )
    found = json.loads(as_json.stdout)
    assert found["by_cm"] == []
    assert found["total"]["on_time_rate"] is None


def _delivery(state: DeliveryState, **fields: Any) -> Delivery:
    return Delivery(
        row=2,
        delivery_id="X",
        client_id="001",
        benefit="estudio-mercado",
        month=Month(2026, 12),
        state=state,
        **fields,
    )


@pytest.mark.parametrize(
    ("delivery", "counts"),
    [
        (_delivery(DeliveryState.PENDING), (0, 0, 0, 0)),
        (
            _delivery(DeliveryState.PENDING, notified=on(1), due=date(2026, 12, 2)),
            (1, 0, 0, 1),
        ),
        (
            _delivery(
                DeliveryState.DELIVERED, delivered=on(15, 23), due=date(2026, 12, 15)
            ),
            (1, 1, 0, 0),
        ),
        (
            _delivery(
                DeliveryState.DELIVERED, delivered=on(16, 0), due=date(2026, 12, 15)
            ),
            (1, 0, 1, 0),
        ),
        (_delivery(DeliveryState.NOTIFIED, due=date(2026, 12, 20)), (1, 0, 0, 0)),
        (_delivery(DeliveryState.NOTIFIED, due=date(2026, 12, 19)), (1, 0, 0, 1)),
    ],
)
def test_how_one_row_counts(
    delivery: Delivery, counts: tuple[int, int, int, int]
) -> None:
    score = CmScore("Lucía")
    score.add(delivery, date(2026, 12, 20))
    assert (
        score.notified,
        score.on_time,
        score.delivered_late,
        score.overdue,
    ) == counts
    assert score.rows == 1
