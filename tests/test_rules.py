"""Eligibility and rotation rules (contract: "Eligibility for month M")."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import pytest

from pixely_benefits.errors import UsageError
from pixely_benefits.months import Month
from pixely_benefits.records import (
    Benefit,
    BusinessSettings,
    Client,
    ControlData,
    Delivery,
    DeliveryState,
    Period,
    delivery_id,
)
from pixely_benefits.rules import (
    Block,
    continuity_start,
    continuous_months,
    decide,
    explain,
    merge_periods,
)
from pixely_benefits.sheet.schema import DEFAULT_CATALOGUE

DEC = Month(2026, 12)
PUB = "publicaciones-adicionales"
OPT = "optimizacion-estrategia"
ANA = "analisis-competidores"
EST = "estudio-mercado"
ADS = "asesoria-meta-ads"
CON = "consultoria-negocio"
ACC = "acceso-preferencial"


# --- builders ---------------------------------------------------------------------


def d(text: str) -> date:
    return date.fromisoformat(text)


def client(cid: str = "C1", row: int = 2, **fields: Any) -> Client:
    return Client(row=row, client_id=cid, name=f"Empresa {cid}", **fields)


def benefit(code: str, min_months: int = 0, row: int = 2, **fields: Any) -> Benefit:
    return Benefit(
        row=row, code=code, name=code.title(), min_months=min_months, **fields
    )


def catalogue(changes: dict[str, dict[str, Any]] | None = None) -> list[Benefit]:
    """The default catalogue; ``changes`` maps a code to the fields it changes."""
    found = []
    for row, (code, name, kind, least, repeat, due, follow) in enumerate(
        DEFAULT_CATALOGUE, start=2
    ):
        fields: dict[str, Any] = {
            "row": row,
            "code": code,
            "name": name,
            "kind": kind,
            "min_months": least,
            "repeat_months": repeat,
            "due_days": due,
            "followup_days": follow,
        }
        fields.update((changes or {}).get(code, {}))
        found.append(Benefit(**fields))
    return found


def period(start: str, end: str | None = None, cid: str = "C1", row: int = 2) -> Period:
    return Period(row, cid, d(start), None if end is None else d(end))


def delivery(
    code: str, month: str, state: str = "entregado", cid: str = "C1", row: int = 2
) -> Delivery:
    found = Month.parse(month)
    return Delivery(
        row, delivery_id(cid, code, found), cid, code, found, DeliveryState(state)
    )


def control(
    clients: Sequence[Client] | None = None,
    periods: Sequence[Period] = (),
    deliveries: Sequence[Delivery] = (),
    benefits: Sequence[Benefit] | None = None,
    **settings: Any,
) -> ControlData:
    by_client: dict[str, list[Period]] = {}
    for item in periods:
        by_client.setdefault(item.client_id, []).append(item)
    return ControlData(
        clients=list(clients) if clients is not None else [client()],
        periods=by_client,
        benefits=list(benefits) if benefits is not None else catalogue(),
        deliveries=list(deliveries),
        settings=BusinessSettings(**settings),
        promotions=[],
        delivery_ids={x.delivery_id for x in deliveries},
    )


def outcome(
    data: ControlData, month: Month = DEC, on: date | None = None
) -> tuple[Any, ...]:
    """(eligible, months, benefit, reason, status) of the only client."""
    (found,) = decide(data, month, on)
    return found.eligible, found.months, found.benefit, found.reason, found.status


# --- rules 3 and 4: blocks and continuous months ----------------------------------


@pytest.mark.parametrize(
    ("start", "on", "months"),
    [
        ("2026-06-15", "2026-12-01", 5),
        ("2026-06-01", "2026-12-01", 6),
        ("2026-01-31", "2026-02-28", 1),
        ("2026-01-31", "2026-02-27", 0),
        ("2024-01-31", "2024-02-29", 1),
        ("2026-03-31", "2026-04-30", 1),
        ("2026-12-01", "2026-12-01", 0),
        ("2025-12-01", "2026-12-01", 12),
    ],
)
def test_continuous_months(start: str, on: str, months: int) -> None:
    assert continuous_months(d(start), d(on)) == months


@pytest.mark.parametrize(
    ("periods", "grace", "blocks"),
    [
        pytest.param([], 7, [], id="no periods"),
        pytest.param(
            [("2026-01-01", "2026-03-31"), ("2026-04-08", "2026-06-30")],
            7,
            [("2026-01-01", "2026-06-30")],
            id="7 uncovered days join with grace 7",
        ),
        pytest.param(
            [("2026-01-01", "2026-03-31"), ("2026-04-09", "2026-06-30")],
            7,
            [("2026-01-01", "2026-03-31"), ("2026-04-09", "2026-06-30")],
            id="8 uncovered days break with grace 7",
        ),
        pytest.param(
            [("2026-01-01", "2026-03-31"), ("2026-04-01", "2026-06-30")],
            0,
            [("2026-01-01", "2026-06-30")],
            id="back to back with grace 0",
        ),
        pytest.param(
            [("2026-01-01", "2026-03-31"), ("2026-04-02", "2026-06-30")],
            0,
            [("2026-01-01", "2026-03-31"), ("2026-04-02", "2026-06-30")],
            id="one uncovered day with grace 0",
        ),
        pytest.param(
            [("2026-01-01", "2026-06-30"), ("2026-03-01", "2026-03-31")],
            7,
            [("2026-01-01", "2026-06-30")],
            id="contained period keeps the later end",
        ),
        pytest.param(
            [("2026-03-01", "2026-08-31"), ("2026-01-01", "2026-03-31")],
            7,
            [("2026-01-01", "2026-08-31")],
            id="overlap, unsorted input",
        ),
        pytest.param(
            [("2026-01-01", None), ("2026-06-01", "2026-06-30")],
            7,
            [("2026-01-01", None)],
            id="open period swallows later ones",
        ),
        pytest.param(
            [("2026-01-01", "2026-03-31"), ("2026-04-05", None)],
            7,
            [("2026-01-01", None)],
            id="open period joins within grace",
        ),
        pytest.param(
            [("2025-01-01", "2025-06-30"), ("2026-01-01", None)],
            7,
            [("2025-01-01", "2025-06-30"), ("2026-01-01", None)],
            id="return after a cancellation",
        ),
    ],
)
def test_merge_periods(
    periods: list[tuple[str, str | None]],
    grace: int,
    blocks: list[tuple[str, str | None]],
) -> None:
    rows = [
        period(start, end, row=n) for n, (start, end) in enumerate(periods, start=2)
    ]
    expected = [Block(d(s), None if e is None else d(e)) for s, e in blocks]
    assert merge_periods(rows, grace) == expected


BLOCKS = [Block(d("2025-01-01"), d("2025-06-30")), Block(d("2026-01-10"), None)]


@pytest.mark.parametrize(
    ("on", "start"),
    [
        ("2025-01-01", "2025-01-01"),
        ("2025-06-30", "2025-01-01"),
        ("2025-07-01", None),
        ("2024-12-31", None),
        ("2026-01-09", None),
        ("2026-01-10", "2026-01-10"),
        ("2030-05-01", "2026-01-10"),
    ],
)
def test_continuity_start(on: str, start: str | None) -> None:
    assert continuity_start(BLOCKS, d(on)) == (None if start is None else d(start))


# --- decide(): one scenario per row -------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            control(periods=[period("2026-06-01")]),
            (True, 6, PUB, None, None),
            id="6 months, never given: first of the catalogue",
        ),
        pytest.param(
            control(periods=[period("2026-06-15")]),
            (True, 5, PUB, None, None),
            id="5 months",
        ),
        pytest.param(
            control(periods=[period("2026-10-01")]),
            (False, 2, None, "antiguedad", None),
            id="too few months",
        ),
        pytest.param(
            control([client(state="pausado")], [period("2026-01-01")]),
            (False, 11, None, "estado", None),
            id="paused",
        ),
        pytest.param(
            control([client(state=" Cancelado ")], [period("2026-01-01")]),
            (False, 11, None, "estado", None),
            id="cancelled",
        ),
        pytest.param(
            control([client(state="pausado")]),
            (False, None, None, "estado", None),
            id="estado comes before sin-suscripcion",
        ),
        pytest.param(
            control(), (False, None, None, "sin-suscripcion", None), id="no periods"
        ),
        pytest.param(
            control(periods=[period("2027-01-01")]),
            (False, None, None, "sin-suscripcion", None),
            id="future period",
        ),
        pytest.param(
            control(periods=[period("2026-01-01", "2026-11-30")]),
            (False, None, None, "sin-suscripcion", None),
            id="Fin before D",
        ),
        pytest.param(
            control(periods=[period("2026-01-01", "2026-12-01")]),
            (True, 11, PUB, None, None),
            id="Fin on D still contains D",
        ),
        pytest.param(
            control(
                periods=[period("2026-01-01", "2026-05-31"), period("2026-06-08", None)]
            ),
            (True, 11, PUB, None, None),
            id="gap within grace keeps the first start",
        ),
        pytest.param(
            control(
                periods=[period("2026-01-01", "2026-05-31"), period("2026-06-09", None)]
            ),
            (True, 5, PUB, None, None),
            id="gap over grace restarts the count",
        ),
        pytest.param(
            control(
                periods=[
                    period("2026-01-01", "2026-05-31"),
                    period("2026-06-09", None),
                ],
                grace_days=8,
            ),
            (True, 11, PUB, None, None),
            id="dias_gracia from settings",
        ),
    ],
)
def test_decide_basics(data: ControlData, expected: tuple[Any, ...]) -> None:
    assert outcome(data) == expected


PREMIUM_ONLY = {"plans": "Premium"}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            control(
                [client(plan="Básico")],
                [period("2026-11-01")],
                benefits=catalogue(
                    dict.fromkeys([PUB, OPT, ANA, EST, ADS, CON], PREMIUM_ONLY)
                ),
            ),
            (False, 1, None, "sin-beneficio", None),
            id="plan admits no mensual benefit: before antiguedad",
        ),
        pytest.param(
            control(
                periods=[period("2026-11-01")],
                benefits=[benefit("a", 3, active="no"), benefit("b", kind="campaña")],
            ),
            (False, 1, None, "sin-beneficio", None),
            id="only inactive and campaign benefits",
        ),
        pytest.param(
            control(
                [client(plan="Básico")],
                [period("2026-08-01")],
                benefits=catalogue({PUB: PREMIUM_ONLY, OPT: PREMIUM_ONLY}),
            ),
            (False, 4, None, "antiguedad", None),
            id="antiguedad uses the smallest minimum the plan admits",
        ),
        pytest.param(
            control(
                [client(plan=" premium ")],
                [period("2026-08-01")],
                benefits=catalogue({PUB: PREMIUM_ONLY, OPT: PREMIUM_ONLY}),
            ),
            (True, 4, PUB, None, None),
            id="plan names match leniently",
        ),
        pytest.param(
            control(
                [client()],
                [period("2026-01-01")],
                benefits=catalogue({PUB: {"plans": "Premium, Pro"}}),
            ),
            (True, 11, OPT, None, None),
            id="client without plan skips plan-limited benefits",
        ),
        pytest.param(
            control(
                periods=[period("2026-01-01")],
                benefits=catalogue({PUB: {"active": "no"}}),
            ),
            (True, 11, OPT, None, None),
            id="inactive benefit is skipped",
        ),
        pytest.param(
            control(
                periods=[period("2026-01-01")],
                benefits=[benefit("promo", kind="campaña"), *catalogue()],
            ),
            (True, 11, PUB, None, None),
            id="campaign benefits never rotate",
        ),
        pytest.param(
            control(
                periods=[period("2026-08-01")],
                deliveries=[delivery(PUB, "2026-10"), delivery(OPT, "2026-09")],
            ),
            (False, 4, None, "sin-beneficio", None),
            id="every candidate within its repeat window",
        ),
    ],
)
def test_decide_catalogue(data: ControlData, expected: tuple[Any, ...]) -> None:
    assert outcome(data) == expected


SIX_MONTHS = [period("2026-06-01")]


@pytest.mark.parametrize(
    ("deliveries", "settings", "expected"),
    [
        pytest.param(
            [delivery(CON, "2026-12", "notificado")],
            {},
            (True, 6, CON, None, "notificado"),
            id="rule 5: existing row kept though it needs 12 months",
        ),
        pytest.param(
            [delivery(PUB, "2026-11"), delivery(PUB, "2026-12", "pendiente", row=3)],
            {"months_between": 3},
            (True, 6, PUB, None, "pendiente"),
            id="rule 5 wins over rules 6 and 7",
        ),
        pytest.param(
            [
                delivery(ANA, "2026-12", row=5),
                delivery(EST, "2026-12", "notificado", row=3),
            ],
            {},
            (True, 6, EST, None, "notificado"),
            id="rule 5: first row in sheet order",
        ),
        pytest.param(
            [delivery(EST, "2026-12", "cancelado")],
            {},
            (True, 6, PUB, None, None),
            id="rule 5: cancelled row ignored",
        ),
        pytest.param(
            [delivery(ACC, "2026-12", "aceptado")],
            {},
            (True, 6, PUB, None, None),
            id="rule 5: campaign row is not a mensual row",
        ),
        pytest.param(
            [delivery("plan-antiguo", "2026-12", "pendiente")],
            {},
            (True, 6, "plan-antiguo", None, "pendiente"),
            id="rule 5: unknown code counts as mensual",
        ),
        pytest.param(
            [delivery(PUB, "2026-11")],
            {},
            (True, 6, OPT, None, None),
            id="rule 6: months_between 1 never waits after last month",
        ),
        pytest.param(
            [delivery(PUB, "2026-11")],
            {"months_between": 2},
            (False, 6, None, "beneficio-reciente", None),
            id="rule 6: months_between 2, last month",
        ),
        pytest.param(
            [delivery(PUB, "2026-10")],
            {"months_between": 2},
            (True, 6, OPT, None, None),
            id="rule 6: months_between 2, two months ago",
        ),
        pytest.param(
            [delivery(PUB, "2026-11", "cancelado")],
            {"months_between": 2},
            (True, 6, PUB, None, None),
            id="rule 6: cancelled row does not count",
        ),
        pytest.param(
            [delivery("plan-antiguo", "2026-11")],
            {"months_between": 2},
            (False, 6, None, "beneficio-reciente", None),
            id="rule 6: unknown code counts as mensual",
        ),
        pytest.param(
            [delivery(ACC, "2026-11", "aceptado")],
            {"months_between": 2},
            (True, 6, PUB, None, None),
            id="rule 6: campaign rows do not count",
        ),
        pytest.param(
            [delivery(PUB, "2027-01", "pendiente")],
            {"months_between": 2},
            (True, 6, PUB, None, None),
            id="rules 6 and 7: rows after M do not count",
        ),
    ],
)
def test_existing_and_recent(
    deliveries: list[Delivery], settings: dict[str, Any], expected: tuple[Any, ...]
) -> None:
    assert (
        outcome(control(periods=SIX_MONTHS, deliveries=deliveries, **settings))
        == expected
    )


def test_rule_5_counts_inactive_benefits_by_kind() -> None:
    data = control(
        periods=SIX_MONTHS,
        deliveries=[delivery(PUB, "2026-12")],
        benefits=catalogue({PUB: {"active": "no"}}),
    )
    assert outcome(data) == (True, 6, PUB, None, "entregado")


@pytest.mark.parametrize(
    ("state", "periods", "reason"),
    [("pausado", SIX_MONTHS, "estado"), ("activo", [], "sin-suscripcion")],
)
def test_existing_row_of_an_excluded_client_sets_status(
    state: str, periods: list[Period], reason: str
) -> None:
    row = delivery(EST, "2026-12", "pendiente", row=9)
    (found,) = decide(control([client(state=state)], periods, [row]), DEC)
    assert (found.eligible, found.benefit, found.reason) == (False, None, reason)
    assert found.status == "pendiente"
    assert found.existing == row


@pytest.mark.parametrize(
    ("k", "state", "expected"),
    [
        (1, "entregado", None),
        (2, "notificado", None),
        (3, "entregado", "x"),
        (4, "entregado", "x"),
        (1, "cancelado", "x"),
    ],
)
def test_repeat_window(k: int, state: str, expected: str | None) -> None:
    data = control(
        periods=SIX_MONTHS,
        deliveries=[delivery("x", str(DEC.shift(-k)), state)],
        benefits=[benefit("x", repeat_months=3)],
    )
    found = outcome(data)
    assert found[2] == expected
    assert found[3] == (None if expected else "sin-beneficio")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param({}, "a", id="nothing given: first"),
        pytest.param({"a": ["2026-11"]}, "b", id="never given first"),
        pytest.param(
            {"a": ["2026-11"], "b": ["2026-01"]}, "c", id="never given beats old"
        ),
        pytest.param(
            {"a": ["2026-05"], "b": ["2026-03"], "c": ["2026-08"]},
            "b",
            id="longest ago",
        ),
        pytest.param(
            {"a": ["2026-03"], "b": ["2026-03"], "c": ["2026-08"]},
            "a",
            id="tie: catalogue",
        ),
        pytest.param(
            {"a": ["2026-01", "2026-10"], "b": ["2026-05"], "c": ["2026-07"]},
            "b",
            id="latest row of each benefit counts",
        ),
        pytest.param(
            {"b": ["2026-05"], "c": ["2026-07"], "a!": ["2026-01"]},
            "a",
            id="cancelled row is not given",
        ),
    ],
)
def test_rotation_order(given: dict[str, list[str]], expected: str) -> None:
    rows: list[Delivery] = []
    for code, months in given.items():
        for month in months:
            state = "cancelado" if code.endswith("!") else "entregado"
            rows.append(delivery(code.rstrip("!"), month, state, row=len(rows) + 2))
    data = control(
        periods=SIX_MONTHS,
        deliveries=rows,
        benefits=[benefit(code, repeat_months=1) for code in "abc"],
    )
    assert outcome(data)[2] == expected


def test_rotation_respects_minimum_months() -> None:
    benefits = [benefit("a", 12), benefit("b", 6), benefit("c", 3)]
    assert outcome(control(periods=SIX_MONTHS, benefits=benefits))[2] == "b"


@pytest.mark.parametrize(
    ("periods", "on", "expected"),
    [
        ([period("2026-06-15")], None, (True, 5, PUB, None, None)),
        ([period("2026-06-15")], "2026-12-15", (True, 6, PUB, None, None)),
        ([period("2026-06-01", "2026-12-10")], None, (True, 6, PUB, None, None)),
        (
            [period("2026-06-01", "2026-12-10")],
            "2026-12-15",
            (False, None, None, "sin-suscripcion", None),
        ),
    ],
)
def test_explicit_evaluation_date(
    periods: list[Period], on: str | None, expected: tuple[Any, ...]
) -> None:
    day = None if on is None else d(on)
    assert outcome(control(periods=periods), DEC, day) == expected


def test_decisions_follow_client_order_and_json_shape() -> None:
    clients = [client("B2", plan="Pro"), client("007", state="pausado"), client("A1")]
    data = control(
        clients,
        [period("2026-01-01", cid="B2"), period("2026-11-01", cid="A1")],
        [delivery(EST, "2026-12", "notificado", cid="007")],
    )
    found = decide(data, DEC)
    assert [x.client_id for x in found] == ["B2", "007", "A1"]
    payload = [x.as_json() for x in found]
    assert [list(x) for x in payload] == [
        ["client_id", "client", "eligible", "months", "benefit", "reason", "status"]
    ] * 3
    assert json.loads(json.dumps(payload)) == [
        {
            "client_id": "B2",
            "client": "Empresa B2",
            "eligible": True,
            "months": 11,
            "benefit": PUB,
            "reason": None,
            "status": None,
        },
        {
            "client_id": "007",
            "client": "Empresa 007",
            "eligible": False,
            "months": None,
            "benefit": None,
            "reason": "estado",
            "status": "notificado",
        },
        {
            "client_id": "A1",
            "client": "Empresa A1",
            "eligible": False,
            "months": 1,
            "benefit": None,
            "reason": "antiguedad",
            "status": None,
        },
    ]


def test_decide_handles_a_large_random_sheet() -> None:
    # Speed is measured in benchmarks/, never asserted here.
    pick = random.Random(7)
    states = ["activo"] * 8 + ["pausado", "cancelado"]
    clients = [
        client(
            f"C{n}", row=n + 2, state=pick.choice(states), plan=pick.choice(["A", None])
        )
        for n in range(1_000)
    ]
    periods = []
    for n in range(10_000):
        start = date(2020, 1, 1) + timedelta(days=pick.randrange(2_500))
        end = (
            None if pick.random() < 0.3 else start + timedelta(days=pick.randrange(400))
        )
        periods.append(Period(n + 2, f"C{n % 1_000}", start, end))
    codes = [b.code for b in catalogue()] + ["codigo-viejo"]
    states = ["entregado"] * 6 + ["pendiente", "cancelado"]
    deliveries = [
        delivery(
            pick.choice(codes),
            str(DEC.shift(-pick.randrange(48))),
            pick.choice(states),
            cid=f"C{pick.randrange(1_000)}",
            row=n + 2,
        )
        for n in range(10_000)
    ]
    data = control(clients, periods, deliveries)
    found = decide(data, DEC)
    assert [x.client_id for x in found] == [c.client_id for c in clients]
    reasons = {x.reason for x in found}
    assert reasons >= {None, "estado", "sin-suscripcion", "antiguedad"}


# --- explain() --------------------------------------------------------------------


def check_reasons(data: ControlData, month: Month = DEC) -> dict[str, list[str]]:
    return {c.code: c.reasons for c in explain(data, "C1", month).checks}


def test_explain_eligible_client() -> None:
    periods = [
        period("2026-06-08", None, row=3),
        period("2026-01-01", "2026-05-31", row=2),
    ]
    rows = [
        delivery(ANA, "2026-09", row=4),
        delivery(ACC, "2026-10", "aceptado", row=2),
        delivery(PUB, "2027-01", "pendiente", row=3),
    ]
    found = explain(control(periods=periods, deliveries=rows), "C1", DEC)
    assert found.client.client_id == "C1"
    assert found.on == d("2026-12-01")
    assert [p.row for p in found.periods] == [2, 3]
    assert found.blocks == [Block(d("2026-01-01"), None)]
    assert (found.since, found.months) == (d("2026-01-01"), 11)
    assert (found.decision.eligible, found.decision.benefit) == (True, PUB)
    assert [r.row for r in found.deliveries] == [2, 4]
    assert found.next_eligible is None
    checks = {c.code: c for c in found.checks}
    assert list(checks) == [b.code for b in catalogue()]
    assert checks[PUB].candidate
    assert checks[PUB].reasons == ["elegido: nunca lo recibió"]
    assert checks[OPT].reasons == [f"disponible, pero se eligió «{PUB}»"]
    assert checks[ANA].reasons == [
        "ya lo recibió en 2026-09; puede repetirse desde 2027-09"
    ]
    assert not checks[ANA].candidate
    assert checks[CON].reasons == ["requiere 12 meses continuos (tiene 11)"]
    assert checks[ACC].reasons == ["es de campaña"]


def test_explain_oldest_given_and_plan_and_inactive() -> None:
    benefits = [
        benefit("a", repeat_months=1, plans="Premium"),
        benefit("b", repeat_months=1, active="no"),
        benefit("c", repeat_months=1),
        benefit("e", repeat_months=1),
    ]
    rows = [delivery("c", "2026-08"), delivery("e", "2026-02", row=3)]
    data = control([client(plan="Básico")], SIX_MONTHS, rows, benefits)
    assert check_reasons(data) == {
        "a": ["el plan «Básico» no lo incluye"],
        "b": ["no está activo"],
        "c": ["disponible, pero se eligió «e»"],
        "e": ["elegido: el que hace más tiempo recibió"],
    }


@pytest.mark.parametrize(
    ("data", "pub_reasons"),
    [
        pytest.param(
            control(
                [client(state="pausado")],
                SIX_MONTHS,
                [delivery(CON, "2026-12", row=7)],
            ),
            ["disponible, pero el cliente no es elegible: cliente pausado o cancelado"],
            id="paused",
        ),
        pytest.param(
            control(periods=SIX_MONTHS, deliveries=[delivery(CON, "2026-12", row=7)]),
            [f"disponible, pero 2026-12 ya tiene «{CON}»"],
            id="existing row",
        ),
        pytest.param(control(), ["sin suscripción vigente"], id="no subscription"),
    ],
)
def test_explain_when_the_client_is_decided_elsewhere(
    data: ControlData, pub_reasons: list[str]
) -> None:
    reasons = check_reasons(data)
    assert reasons[PUB] == pub_reasons
    if data.deliveries:
        assert reasons[CON] == [
            "requiere 12 meses continuos (tiene 6)",
            "ya está registrado para 2026-12 (fila 7 de «Entregas»)",
        ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            control(periods=[period("2026-10-15")]), Month(2027, 2), id="antiguedad"
        ),
        pytest.param(
            control(periods=[period("2026-10-15", "2027-01-31")]),
            None,
            id="block ends first",
        ),
        pytest.param(
            control(periods=[period("2027-03-01")]), Month(2027, 6), id="future period"
        ),
        pytest.param(
            control(periods=[period("2024-01-01", "2026-06-30")]), None, id="ended"
        ),
        pytest.param(
            control([client(state="pausado")], SIX_MONTHS), None, id="paused: never"
        ),
        pytest.param(
            control(
                periods=SIX_MONTHS,
                deliveries=[delivery(PUB, "2026-11")],
                months_between=3,
            ),
            Month(2027, 2),
            id="beneficio-reciente waits",
        ),
        pytest.param(
            control(
                periods=SIX_MONTHS,
                deliveries=[delivery("x", "2026-11")],
                benefits=[benefit("x", repeat_months=40)],
            ),
            None,
            id="beyond the 36-month horizon",
        ),
        pytest.param(control(periods=SIX_MONTHS), None, id="eligible now"),
    ],
)
def test_next_eligible(data: ControlData, expected: Month | None) -> None:
    assert explain(data, "C1", DEC).next_eligible == expected


def test_explain_uses_explicit_date() -> None:
    found = explain(control(periods=[period("2026-06-15")]), "C1", DEC, d("2026-12-20"))
    assert (found.on, found.months, found.decision.months) == (d("2026-12-20"), 6, 6)


def test_explain_unknown_client() -> None:
    with pytest.raises(UsageError, match="«C9»"):
        explain(control(), "C9", DEC)
