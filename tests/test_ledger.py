"""The Entregas state changes as data: plans for notify, sent, deliver and cancel,
the status report and the look-ups with "¿Quisiste decir …?"."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import pytest

from pixely_benefits.errors import UsageError
from pixely_benefits.ledger import (
    Plan,
    Result,
    append_note,
    pending_after,
    plan_cancel,
    plan_deliver,
    plan_notify,
    plan_sent,
)
from pixely_benefits.lookup import find_benefit, find_client
from pixely_benefits.months import Month
from pixely_benefits.records import (
    Benefit,
    BusinessSettings,
    Channel,
    Client,
    ControlData,
    Delivery,
    DeliveryState,
    DeliveryStub,
    Period,
    delivery_id,
)
from pixely_benefits.sheet.base import RawRow, RawTab, RowAppend
from pixely_benefits.sheet.schema import DEFAULT_CATALOGUE, DELIVERIES, HISTORY
from pixely_benefits.status import creation_times, status_report

DEC = Month(2026, 12)
NOV = Month(2026, 11)
NOW = datetime(2026, 12, 3, 9, 30)
USER = "lucia"
PUB = "publicaciones-adicionales"
OPT = "optimizacion-estrategia"
CON = "consultoria-negocio"


# --- builders ---------------------------------------------------------------------


def client(cid: str, **fields: Any) -> Client:
    values: dict[str, Any] = {
        "name": f"Empresa {cid}",
        "email": f"hola{cid}@ejemplo.pe",
        "phone": "+51 987 654 321",
        "cm": "Lucía",
    }
    values.update(fields)
    return Client(row=2, client_id=cid, **values)


def catalogue() -> list[Benefit]:
    return [
        Benefit(
            row=row,
            code=code,
            name=name,
            kind=kind,
            min_months=least,
            repeat_months=repeat,
            due_days=due,
            followup_days=follow,
        )
        for row, (code, name, kind, least, repeat, due, follow) in enumerate(
            DEFAULT_CATALOGUE, start=2
        )
    ]


def row(
    cid: str,
    code: str,
    state: str,
    month: Month = DEC,
    number: int = 2,
    **fields: Any,
) -> Delivery:
    key = fields.pop("key", delivery_id(cid, code, month))
    return Delivery(number, key, cid, code, month, DeliveryState(state), **fields)


def control(
    clients: Sequence[Client],
    deliveries: Sequence[Delivery] = (),
    extra_ids: Sequence[str] = (),
) -> ControlData:
    """Every client subscribed since January 2025 (23 months by December 2026)."""
    return ControlData(
        clients=list(clients),
        periods={
            c.client_id: [Period(2, c.client_id, date(2025, 1, 1), None)]
            for c in clients
        },
        benefits=catalogue(),
        deliveries=list(deliveries),
        settings=BusinessSettings(phone_region="PE"),
        promotions=[],
        delivery_ids={d.delivery_id for d in deliveries} | set(extra_ids),
    )


def rows_of(plan: Plan, tab: str) -> list[dict[str, Any]]:
    return [dict(a.values) for a in plan.changes.appends if a.tab.name == tab]


def updates_of(plan: Plan) -> dict[str, dict[str, Any]]:
    return {u.key: dict(u.values) for u in plan.changes.updates}


def results(plan: Plan) -> list[tuple[str, Result]]:
    return [(o.client_id, o.result) for o in plan.outcomes]


def history_matches_changes(plan: Plan) -> bool:
    """One Historial row per change to Entregas, naming the row it changed."""
    logged = [r["ID entrega"] for r in rows_of(plan, "Historial")]
    changed = [r["ID"] for r in rows_of(plan, "Entregas")]
    changed += [u.key for u in plan.changes.updates]
    return sorted(logged) == sorted(changed)


# --- notify -----------------------------------------------------------------------


def test_notify_creates_the_pending_row_and_its_history() -> None:
    plan = plan_notify(control([client("001")]), DEC, NOW, USER)
    key = "001-publicaciones-adicionales-2026-12"
    assert rows_of(plan, "Entregas") == [
        {
            "ID": key,
            "ID cliente": "001",
            "Cliente": "Empresa 001",
            "Beneficio": PUB,
            "Mes": "2026-12",
            "Estado": "pendiente",
            "Responsable": "Lucía",
        }
    ]
    assert rows_of(plan, "Historial") == [
        {
            "Fecha": NOW,
            "Usuario": USER,
            "Acción": "crear",
            "ID entrega": key,
            "Detalle": "fila nueva, pendiente; Publicaciones adicionales sin costo "
            "(publicaciones-adicionales) para 2026-12",
        }
    ]
    assert plan.changes.new_tabs == [DELIVERIES, HISTORY]
    (notice,) = plan.notices
    assert (notice.delivery_id, notice.benefit.code, notice.month) == (key, PUB, DEC)
    assert notice.due == date(2026, 12, 13)  # Plazo (días) 10
    assert notice.reach.email == "hola001@ejemplo.pe"
    assert notice.reach.phone_e164 == "+51987654321"
    assert results(plan) == [("001", Result.DONE)]


def test_notify_skips_a_client_it_cannot_reach_and_goes_on() -> None:
    clients = [client("001", email=None, phone=None), client("002")]
    plan = plan_notify(control(clients), DEC, NOW, USER)
    assert results(plan) == [("001", Result.SKIPPED), ("002", Result.DONE)]
    assert "no tiene correo ni WhatsApp" in plan.outcomes[0].message
    assert "no se creó su fila" in plan.outcomes[0].message
    assert [r["ID cliente"] for r in rows_of(plan, "Entregas")] == ["002"]
    assert [n.client.client_id for n in plan.notices] == ["002"]


def test_notify_warns_about_one_bad_channel_and_uses_the_other() -> None:
    plan = plan_notify(control([client("001", phone="12")]), DEC, NOW, USER)
    (outcome,) = plan.outcomes
    assert outcome.result is Result.DONE
    assert outcome.message.endswith("aviso por correo")
    assert any("«12»" in w for w in outcome.warnings)
    assert plan.notices[0].reach.phone_e164 is None


@pytest.mark.parametrize(
    ("state", "resend", "noticed"),
    [
        ("pendiente", False, True),
        ("pendiente", True, True),
        ("notificado", False, False),
        ("notificado", True, True),
        ("entregado", False, False),
        ("entregado", True, False),
    ],
)
def test_notify_never_repeats_a_row_and_prepares_only_open_ones(
    state: str, resend: bool, noticed: bool
) -> None:
    existing = row("001", OPT, state)
    plan = plan_notify(
        control([client("001")], [existing]), DEC, NOW, USER, resend=resend
    )
    assert not plan.changes
    assert results(plan) == [("001", Result.UNCHANGED)]
    assert [n.delivery_id for n in plan.notices] == (
        [existing.delivery_id] if noticed else []
    )


def test_notify_does_not_reuse_the_id_of_a_cancelled_or_bad_row() -> None:
    cancelled = row("001", PUB, "cancelado", number=5)
    bad = delivery_id("002", PUB, DEC)
    data = control([client("001"), client("002")], [cancelled], extra_ids=[bad])
    plan = plan_notify(data, DEC, NOW, USER)
    assert not plan.changes
    assert results(plan) == [("001", Result.UNCHANGED), ("002", Result.SKIPPED)]
    assert "está cancelada (fila 5" in plan.outcomes[0].message
    assert "tiene problemas" in plan.outcomes[1].message


def test_a_row_a_person_cancelled_is_information_not_a_failure() -> None:
    """Fails before: ✗ on every later notify, so notify and run exited 1 forever."""
    cancelled = row("001", PUB, "cancelado", number=5)
    plan = plan_notify(control([client("001")], [cancelled]), DEC, NOW, USER)
    assert not plan.changes and not plan.notices
    assert results(plan) == [("001", Result.UNCHANGED)]
    assert not plan.failed
    assert "cambia su Estado a pendiente" in plan.outcomes[0].message


def test_notify_for_chosen_clients_says_why_one_is_left_out() -> None:
    paused = client("002", state="pausado")
    plan = plan_notify(
        control([client("001"), paused, client("003")]),
        DEC,
        NOW,
        USER,
        clients=["002", " 001 ", "001"],
    )
    assert results(plan) == [("001", Result.DONE), ("002", Result.SKIPPED)]
    assert plan.outcomes[1].message == "no es elegible: cliente pausado o cancelado"


def test_notify_for_an_unknown_client_suggests_the_closest_id() -> None:
    with pytest.raises(UsageError, match=r"¿Quisiste decir «007» \(Empresa 007\)\?"):
        plan_notify(
            control([client("007"), client("100")]), DEC, NOW, USER, clients=["7"]
        )


# --- sent -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "channel", "expected"),
    [
        ({}, None, "ambos"),
        ({"phone": None}, None, "correo"),
        ({"email": None}, None, "whatsapp"),
        ({}, Channel.EMAIL, "correo"),
    ],
)
def test_sent_marks_the_row_notified_with_channel_and_due_date(
    fields: dict[str, Any], channel: Channel | None, expected: str
) -> None:
    data = control([client("001", **fields)], [row("001", OPT, "pendiente")])
    plan = plan_sent(data, ["001"], DEC, NOW, USER, channel=channel)
    key = delivery_id("001", OPT, DEC)
    assert updates_of(plan) == {
        key: {
            "Estado": "notificado",
            "Notificado": NOW,
            "Fecha límite": date(2026, 12, 18),  # Plazo (días) 15
            "Canal": expected,
        }
    }
    (history,) = rows_of(plan, "Historial")
    assert (history["Acción"], history["ID entrega"]) == ("notificar", key)
    assert history["Detalle"] == (
        f"pendiente → notificado; canal: {expected}; fecha límite: 18/12/2026"
    )


def test_sent_twice_and_sent_without_a_row_change_nothing() -> None:
    notified = row("001", OPT, "notificado", notified=datetime(2026, 12, 2, 10, 0))
    data = control([client("001"), client("002")], [notified])
    plan = plan_sent(data, ["001", "002"], DEC, NOW, USER)
    assert not plan.changes
    assert results(plan) == [("001", Result.UNCHANGED), ("002", Result.SKIPPED)]
    assert plan.outcomes[0].message == (
        "ya estaba notificado el 02/12/2026 10:00 (optimizacion-estrategia)"
    )
    assert "pixely notify --month 2026-12 --client 002" in plan.outcomes[1].message


def test_sent_with_one_unknown_client_writes_nothing() -> None:
    data = control([client("001")], [row("001", OPT, "pendiente")])
    with pytest.raises(UsageError, match="«0001»"):
        plan_sent(data, ["001", "0001"], DEC, NOW, USER)


# --- deliver ----------------------------------------------------------------------

LATER = datetime(2026, 12, 20, 16, 45)


def test_deliver_logs_date_link_note_and_follow_up() -> None:
    open_row = row("001", CON, "notificado", notes="Cliente pidió reunión")
    data = control([client("001")], [open_row])
    plan = plan_deliver(
        data, CON, "001", LATER, USER, link="https://drive/x", note="Enviado por Drive"
    )
    assert updates_of(plan) == {
        open_row.delivery_id: {
            "Estado": "entregado",
            "Entregado": LATER,
            "Enlace": "https://drive/x",
            "Seguimiento": date(2027, 1, 19),  # Seguimiento (días) 30
            "Notas": "Cliente pidió reunión\nEnviado por Drive",
        }
    }
    assert results(plan) == [("001", Result.DONE)]
    assert plan.outcomes[0].message.endswith("seguimiento el 19/01/2027")
    (history,) = rows_of(plan, "Historial")
    assert history["Detalle"] == (
        "notificado → entregado; enlace: https://drive/x; seguimiento: 19/01/2027; "
        "nota: Enviado por Drive"
    )


def test_deliver_without_follow_up_days_leaves_seguimiento_alone() -> None:
    data = control([client("001")], [row("001", OPT, "pendiente")])
    plan = plan_deliver(data, OPT, "001", LATER, USER)
    assert updates_of(plan)[delivery_id("001", OPT, DEC)] == {
        "Estado": "entregado",
        "Entregado": LATER,
    }


def test_deliver_finds_the_open_row_of_an_earlier_month() -> None:
    data = control([client("001")], [row("001", OPT, "notificado", month=NOV)])
    plan = plan_deliver(data, OPT, "001", LATER, USER)
    assert list(updates_of(plan)) == [delivery_id("001", OPT, NOV)]


def test_deliver_with_open_rows_in_two_months_asks_which() -> None:
    rows = [row("001", OPT, "notificado", month=NOV), row("001", OPT, "pendiente")]
    with pytest.raises(
        UsageError, match=r"2026-11, 2026-12\): indica cuál con --month"
    ):
        plan_deliver(control([client("001")], rows), OPT, "001", LATER, USER)
    plan = plan_deliver(
        control([client("001")], rows), OPT, "001", LATER, USER, month=DEC
    )
    assert list(updates_of(plan)) == [delivery_id("001", OPT, DEC)]


def test_delivering_twice_is_a_no_op_that_says_so() -> None:
    done = row("001", OPT, "entregado", delivered=datetime(2026, 12, 10, 12, 0))
    plan = plan_deliver(control([client("001")], [done]), OPT, "001", LATER, USER)
    assert not plan.changes
    assert results(plan) == [("001", Result.UNCHANGED)]
    assert "ya estaba entregado el 10/12/2026 12:00" in plan.outcomes[0].message


def test_deliver_without_an_open_row_explains_and_offers_crear() -> None:
    data = control([client("001")], [row("001", PUB, "pendiente")])
    plan = plan_deliver(data, OPT, "001", LATER, USER)
    assert not plan.changes
    assert results(plan) == [("001", Result.SKIPPED)]
    assert plan.outcomes[0].message == (
        "no hay una entrega abierta de «optimizacion-estrategia» en 2026-12; en 2026-12 "
        "tiene «publicaciones-adicionales» (pendiente). Para registrarla fuera de la "
        "rotación, repite el comando con --crear"
    )


def test_deliver_crear_logs_a_delivery_outside_the_rotation() -> None:
    plan = plan_deliver(
        control([client("001")]), CON, "001", LATER, USER, create=True, note="=1+1"
    )
    key = delivery_id("001", CON, DEC)
    assert rows_of(plan, "Entregas") == [
        {
            "ID": key,
            "ID cliente": "001",
            "Cliente": "Empresa 001",
            "Beneficio": CON,
            "Mes": "2026-12",
            "Responsable": "Lucía",
            "Estado": "entregado",
            "Entregado": LATER,
            "Seguimiento": date(2027, 1, 19),
            "Notas": "=1+1",
        }
    ]
    assert rows_of(plan, "Historial")[0]["Detalle"].startswith(
        "fila nueva, entregado; fuera de la rotación; seguimiento: 19/01/2027"
    )


@pytest.mark.parametrize(
    "typed", ["estudio-mercado", " ESTUDIO-MERCADO ", "estudio de mercado GRATUITO"]
)
def test_a_benefit_is_found_by_code_or_name_leniently(typed: str) -> None:
    assert find_benefit(control([client("001")]), typed).code == "estudio-mercado"


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("estudio-mercao", ". ¿Quisiste decir «estudio-mercado»?"),
        ("publicaciones", ". ¿Quisiste decir «publicaciones-adicionales»?"),
        ("asesoria meta", ". ¿Quisiste decir «asesoria-meta-ads»?"),
        ("estudio de mercado", ". ¿Quisiste decir «estudio-mercado»?"),
        ("zzz", "."),
    ],
)
def test_a_typo_in_the_benefit_gets_the_closest_codes(typed: str, hint: str) -> None:
    data = control([client("001")])
    with pytest.raises(UsageError) as error:
        plan_deliver(data, typed, "001", LATER, USER)
    assert (
        error.value.message
        == f"No hay ningún beneficio «{typed}» en «Beneficios»{hint}"
    )


def test_a_client_typed_by_name_or_without_zeros_gets_the_id() -> None:
    data = control([client("001", name="Panadería La Espiga"), client("010")])
    with pytest.raises(UsageError) as error:
        find_client(data, "panaderia la espiga")
    assert error.value.message == (
        "No hay ningún cliente con ID «panaderia la espiga» en «Clientes». "
        "¿Quisiste decir «001» (Panadería La Espiga)?"
    )
    with pytest.raises(UsageError, match=r"\. ¿Quisiste decir «001» \(Panadería"):
        find_client(data, "1")
    assert find_client(data, " 010 ").client_id == "010"


@pytest.mark.parametrize(
    ("existing", "note", "expected"),
    [
        (None, "nueva", "nueva"),
        ("", " nueva ", "nueva"),
        ("vieja", "nueva", "vieja\nnueva"),
        ("vieja\n", "nueva", "vieja\nnueva"),
    ],
)
def test_notes_are_appended_never_overwritten(
    existing: str | None, note: str, expected: str
) -> None:
    assert append_note(existing, note) == expected


# --- cancel -----------------------------------------------------------------------


def test_cancel_keeps_the_row_and_notes_the_reason() -> None:
    open_row = row("001", OPT, "notificado", notes="ojo")
    plan = plan_cancel(
        control([client("001")], [open_row]), "001", DEC, " viaje ", NOW, USER
    )
    assert updates_of(plan) == {
        open_row.delivery_id: {"Estado": "cancelado", "Notas": "ojo\nCancelado: viaje"}
    }
    assert (
        rows_of(plan, "Historial")[0]["Detalle"]
        == "notificado → cancelado; motivo: viaje"
    )


@pytest.mark.parametrize(
    ("state", "result", "words"),
    [
        ("entregado", Result.SKIPPED, "una entrega no se cancela"),
        ("cancelado", Result.UNCHANGED, "ya estaba cancelado"),
    ],
)
def test_cancel_leaves_delivered_and_cancelled_rows_alone(
    state: str, result: Result, words: str
) -> None:
    data = control([client("001")], [row("001", OPT, state)])
    plan = plan_cancel(data, "001", DEC, "x", NOW, USER)
    assert not plan.changes
    assert results(plan) == [("001", result)]
    assert words in plan.outcomes[0].message


def test_cancel_with_two_open_rows_asks_for_the_benefit() -> None:
    rows = [row("001", OPT, "pendiente"), row("001", "acceso-preferencial", "aceptado")]
    data = control([client("001")], rows)
    with pytest.raises(UsageError, match="--beneficio"):
        plan_cancel(data, "001", DEC, "x", NOW, USER)
    plan = plan_cancel(data, "001", DEC, "x", NOW, USER, benefit_code=OPT)
    assert list(updates_of(plan)) == [delivery_id("001", OPT, DEC)]


# --- every change is logged -------------------------------------------------------


def test_every_change_to_entregas_adds_one_history_row() -> None:
    clients = [client(f"00{n}") for n in range(1, 5)]
    rows = [row("003", OPT, "pendiente"), row("004", OPT, "notificado")]
    data = control(clients, rows)
    plans = [
        plan_notify(data, DEC, NOW, USER),
        plan_sent(data, ["003", "004"], DEC, NOW, USER),
        plan_deliver(data, OPT, "004", LATER, USER),
        plan_deliver(data, CON, "001", LATER, USER, create=True),
        plan_cancel(data, "003", DEC, "x", NOW, USER),
    ]
    for plan in plans:
        assert plan.changes
        assert history_matches_changes(plan)
        assert all(isinstance(a, RowAppend) for a in plan.changes.appends)


# --- status -----------------------------------------------------------------------


def test_status_counts_the_month_and_lists_what_is_late() -> None:
    today = datetime(2026, 12, 20, 9, 0)
    rows = [
        row("001", PUB, "pendiente", number=2),  # created 12-18 by notify: fine
        row("002", PUB, "pendiente", number=3),  # created 12-10: stale
        row("003", PUB, "pendiente", number=4),  # typed by a person: since 12-01
        row("004", OPT, "notificado", number=5, due=date(2026, 12, 19)),  # late
        row("005", OPT, "notificado", number=6, due=date(2026, 12, 20)),  # due today
        row("006", CON, "entregado", number=7, followup=date(2026, 12, 20)),
        row("007", CON, "entregado", number=8, followup=date(2026, 11, 1), month=NOV),
        row("008", CON, "entregado", number=9, followup=date(2026, 12, 21)),
        row("009", OPT, "cancelado", number=10, due=date(2026, 12, 1)),
        row("010", PUB, "pendiente", number=11, month=NOV),
    ]
    created = {
        rows[0].delivery_id: datetime(2026, 12, 18, 8, 0),
        rows[1].delivery_id: datetime(2026, 12, 10, 8, 0),
    }
    report = status_report(
        ControlData([], {}, [], rows, BusinessSettings(), [], set()),
        DEC,
        today,
        created,
    )
    assert report.counts == {
        DeliveryState.PENDING: 3,
        DeliveryState.NOTIFIED: 2,
        DeliveryState.DELIVERED: 2,
        DeliveryState.CANCELLED: 1,
        DeliveryState.ACCEPTED: 0,
    }
    assert [(s.row.client_id, s.since) for s in report.stale] == [
        ("010", datetime(2026, 11, 1)),
        ("003", datetime(2026, 12, 1)),
        ("002", datetime(2026, 12, 10, 8, 0)),
    ]
    assert [r.client_id for r in report.late] == ["004"]
    assert [r.client_id for r in report.followups] == ["006"]


def test_creation_times_come_from_the_crear_rows_of_historial() -> None:
    history = RawTab(
        "historial",
        [" fecha ", "Usuario", "ACCIÓN", "ID entrega", "Detalle"],
        [
            RawRow(2, [datetime(2026, 12, 3, 9, 30), "lucia", "crear", "A"]),
            RawRow(3, [datetime(2026, 12, 9, 9, 30), "lucia", "notificar", "B"]),
            RawRow(4, ["03/12/2026", "diego", " Crear ", "B"]),
            RawRow(5, ["no es fecha", "diego", "crear", "C"]),
            RawRow(6, [datetime(2026, 12, 5), "diego", "crear", "A"]),
            RawRow(7, [datetime(2026, 12, 5), "diego"]),
        ],
    )
    assert creation_times(history) == {
        "A": datetime(2026, 12, 3, 9, 30),
        "B": datetime(2026, 12, 3),
    }
    assert creation_times(None) == {}
    assert creation_times(RawTab("Historial", ["Otra"], [])) == {}


# --- rows that a write cannot find, and rows left out as bad ---------------------

UNKEYED = (
    "la fila 7 de «Entregas» no tiene ID: escribe «001-consultoria-negocio-2026-12» "
    "en su columna ID y repite el comando"
)
ACCESS = "acceso-preferencial"


@pytest.mark.parametrize("state", ["pendiente", "notificado"])
def test_a_row_without_id_is_the_clients_row_but_is_never_written(state: str) -> None:
    broken = row("001", CON, state, number=7, key="", key_problem=UNKEYED)
    data = control([client("001")], [broken])

    notified = plan_notify(data, DEC, NOW, USER)
    sent = plan_sent(data, ["001"], DEC, NOW, USER)
    cancelled = plan_cancel(data, "001", DEC, "ya no", NOW, USER)

    for plan in (notified, sent, cancelled):
        assert not plan.changes
        assert not plan.notices
    if state == "pendiente":
        assert [o.message for o in notified.outcomes] == [UNKEYED]
        assert [o.message for o in sent.outcomes] == [UNKEYED]
    assert [o.message for o in cancelled.outcomes] == [UNKEYED]


@pytest.mark.parametrize(
    ("stub", "blocked"),
    [
        (DeliveryStub(9, None, "001", "estudio-mercado", DEC, None), True),
        (DeliveryStub(9, "001-x-2026-12", None, None, None, None), True),
        (DeliveryStub(9, None, "001", ACCESS, DEC, None), False),  # a campaign
        (DeliveryStub(9, None, "001", PUB, DEC, DeliveryState.CANCELLED), False),
        (DeliveryStub(9, None, "001", PUB, NOV, None), False),
        (DeliveryStub(9, None, "002", PUB, DEC, None), False),
    ],
)
def test_a_bad_row_of_the_client_and_month_blocks_a_new_one(
    stub: DeliveryStub, blocked: bool
) -> None:
    data = control([client("001")])
    data.unread_deliveries.append(stub)

    plan = plan_notify(data, DEC, NOW, USER)

    assert bool(plan.changes) is not blocked
    if blocked:
        assert plan.outcomes[0].message == (
            "la fila 9 de «Entregas» parece ser su beneficio de 2026-12, pero tiene "
            "problemas: corrígela (pixely check la muestra); no se creó otra fila"
        )


def test_sent_confirms_the_monthly_row_and_an_invitation_only_by_its_code() -> None:
    monthly = row("001", OPT, "pendiente", number=2)
    invitation = row("001", ACCESS, "pendiente", number=3)
    data = control([client("001")], [monthly, invitation])

    by_default = plan_sent(data, ["001"], DEC, NOW, USER)
    by_code = plan_sent(data, ["001"], DEC, NOW, USER, benefit_code=ACCESS)

    assert list(updates_of(by_default)) == [monthly.delivery_id]
    assert list(updates_of(by_code)) == [invitation.delivery_id]


def test_pending_after_follows_the_plan() -> None:
    data = control(
        [client("001"), client("002")],
        [row("001", OPT, "pendiente"), row("002", OPT, "pendiente", number=3)],
    )
    plan = plan_sent(data, ["001"], DEC, NOW, USER)
    plan.changes.appends.extend(
        plan_notify(control([client("003")]), DEC, NOW, USER).changes.appends
    )

    assert pending_after(data, DEC, plan.changes) == {
        delivery_id("002", OPT, DEC),
        delivery_id("003", PUB, DEC),
    }
