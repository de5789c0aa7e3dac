"""Follow-ups end to end: ``followups`` lists them, ``followup-done`` records them."""

from __future__ import annotations

import json
import shlex
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cell, SheetFactory, demo_rows, stored_records

NOW = "2026-12-03T09:30"
ENV = {"PIXELY_NOW": NOW, "PIXELY_USER": "lucia"}


def at(moment: str) -> dict[str, str]:
    return {**ENV, "PIXELY_NOW": moment}


def delivered(
    client: str, benefit: str, month: str, followup: date | None, **more: Cell
) -> dict[str, Cell]:
    return {
        "ID": f"{client}-{benefit}-{month}",
        "ID cliente": client,
        "Beneficio": benefit,
        "Mes": month,
        "Estado": "entregado",
        "Entregado": datetime(2026, 11, 20, 16, 0),
        "Seguimiento": followup,
        "Responsable": "Diego",
        **more,
    }


def with_rows(*rows: dict[str, Cell]) -> dict[str, list[list[Cell]]]:
    tabs = demo_rows()
    header = [str(h) for h in tabs["Entregas"][0]]
    for row in rows:
        tabs["Entregas"].append([row.get(h) for h in header])
    return tabs


def entry(sheet: SheetFactory, location: str, key: str) -> dict[str, Cell]:
    for values in stored_records(sheet, location, "Entregas"):
        if values["ID"] == key:
            return values
    raise AssertionError(key)


def day_of(value: Cell) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    assert value is None or isinstance(value, date)
    return value


OVERDUE = delivered("012", "consultoria-negocio", "2026-10", date(2026, 12, 1))
TODAY = delivered("001", "estudio-mercado", "2026-11", date(2026, 12, 3))
AHEAD = delivered("002", "asesoria-meta-ads", "2026-11", date(2026, 12, 20))
DONE_NO_DATE = delivered("008", "analisis-competidores", "2026-11", None)
OPEN_WITH_DATE = {
    **delivered("011", "optimizacion-estrategia", "2026-11", date(2026, 11, 30)),
    "Estado": "notificado",
    "Entregado": None,
}


@pytest.fixture
def followup_sheet(sheet: SheetFactory) -> str:
    return sheet.create(with_rows(OVERDUE, TODAY, AHEAD, DONE_NO_DATE, OPEN_WITH_DATE))


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            (),
            [
                ("012-consultoria-negocio-2026-10", 2),
                ("001-estudio-mercado-2026-11", 0),
            ],
        ),
        (
            ("--hasta", "2026-12-31"),
            [
                ("012-consultoria-negocio-2026-10", 2),
                ("001-estudio-mercado-2026-11", 0),
                ("002-asesoria-meta-ads-2026-11", -17),
            ],
        ),
        (("--hasta", "30/11/2026"), []),
    ],
)
def test_followups_lists_delivered_rows_whose_date_has_come(
    cli: Any,
    followup_sheet: str,
    extra: tuple[str, ...],
    expected: list[tuple[str, int]],
) -> None:
    result = cli("--sheet", followup_sheet, "followups", "-f", "json", *extra, env=ENV)
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert [(f["delivery_id"], f["days_late"]) for f in found] == expected
    if found:
        assert found[0] == {
            "delivery_id": "012-consultoria-negocio-2026-10",
            "client_id": "012",
            "client": "Consultorio Vida",
            "benefit": "consultoria-negocio",
            "month": "2026-10",
            "followup": "2026-12-01",
            "days_late": 2,
            "cm": "Diego",
        }


def test_followups_table_says_how_late_each_one_is(
    cli: Any, followup_sheet: str
) -> None:
    result = cli("--sheet", followup_sheet, "followups", env=ENV)
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "01/12/2026 hace 2 días 012 Consultorio Vida" in text
    assert "03/12/2026 hoy 001 Panadería La Espiga" in text
    assert "Asesoría" not in text and "002 Café Aroma" not in text
    command = f"pixely --sheet {shlex.quote(followup_sheet)} followup-done"
    assert f'{command} CLIENTE BENEFICIO --note "qué se habló"' in text


def test_followup_done_notes_it_clears_the_date_and_logs_it(
    cli: Any, sheet: SheetFactory, followup_sheet: str
) -> None:
    key = "012-consultoria-negocio-2026-10"
    result = cli(
        "--sheet", followup_sheet, "followup-done", "012", "consultoria-negocio",
        "--note", "=Revisamos precios; aplicó 2 de 5", env=ENV,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "sale de la lista" in result.stdout
    row = entry(sheet, followup_sheet, key)
    assert row["Seguimiento"] is None
    assert row["Estado"] == "entregado"
    assert row["Notas"] == (
        "Seguimiento del 01/12/2026 hecho el 03/12/2026: =Revisamos precios; aplicó 2 de 5"
    )
    history = stored_records(sheet, followup_sheet, "Historial")
    assert history[-1] == {
        "Fecha": datetime(2026, 12, 3, 9, 30),
        "Usuario": "lucia",
        "Acción": "seguimiento",
        "ID entrega": key,
        "Detalle": "entregado; seguimiento del 01/12/2026 hecho; nota: "
        "=Revisamos precios; aplicó 2 de 5",
    }
    listed = cli("--sheet", followup_sheet, "followups", "-f", "json", env=ENV)
    assert key not in listed.stdout

    again = cli(
        "--sheet", followup_sheet, "followup-done", "012", "consultoria-negocio",
        "--note", "otra vez", env=ENV,
    )  # fmt: skip
    assert again.exit_code == 0, again.output
    assert "no tiene un seguimiento pendiente" in again.stdout
    assert stored_records(sheet, followup_sheet, "Historial") == history
    assert entry(sheet, followup_sheet, key)["Notas"] == row["Notas"]


def test_followup_done_can_set_the_next_date(
    cli: Any, sheet: SheetFactory, followup_sheet: str
) -> None:
    result = cli(
        "--sheet", followup_sheet, "followup-done", "001", "estudio-mercado",
        "--nota", "Pidió revisar en enero", "--siguiente", "2027-01-15", env=ENV,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    row = entry(sheet, followup_sheet, "001-estudio-mercado-2026-11")
    assert day_of(row["Seguimiento"]) == date(2027, 1, 15)
    assert "próximo seguimiento el 15/01/2027" in result.stdout
    later = cli(
        "--sheet", followup_sheet, "followups", "--hasta", "2027-01-31", "-f", "json",
        env=ENV,
    )  # fmt: skip
    dates = {f["delivery_id"]: f["followup"] for f in json.loads(later.stdout)}
    assert dates["001-estudio-mercado-2026-11"] == "2027-01-15"


def test_a_next_date_after_the_follow_up_was_recorded_is_still_set(
    cli: Any, sheet: SheetFactory, followup_sheet: str
) -> None:
    key = "012-consultoria-negocio-2026-10"
    base = ("--sheet", followup_sheet, "followup-done", "012", "consultoria-negocio")
    done = cli(*base, "--note", "Revisamos precios", env=ENV)
    assert done.exit_code == 0, done.output
    forgot = cli(*base, "--note", "Otra revisión en febrero", env=ENV)
    assert "repite el comando con --siguiente FECHA" in " ".join(forgot.stdout.split())
    history = stored_records(sheet, followup_sheet, "Historial")

    later = ("--note", "Otra revisión en febrero", "--siguiente", "2027-02-01")
    result = cli(*base, *later, env=ENV)
    assert result.exit_code == 0, result.output
    assert "ya estaba registrado; próximo seguimiento el 01/02/2027" in result.stdout
    row = entry(sheet, followup_sheet, key)
    assert day_of(row["Seguimiento"]) == date(2027, 2, 1)
    assert row["Notas"] == (
        "Seguimiento del 01/12/2026 hecho el 03/12/2026: Revisamos precios\n"
        "Próximo seguimiento acordado el 03/12/2026 para el 01/02/2027: Otra "
        "revisión en febrero"
    )
    logged = stored_records(sheet, followup_sheet, "Historial")
    assert logged[:-1] == history
    assert logged[-1]["Detalle"] == (
        "entregado; próximo seguimiento: 01/02/2027; nota: Otra revisión en febrero"
    )

    # The same command again must not record the February follow-up as done.
    again = cli(*base, *later, env=ENV)
    assert again.exit_code == 0, again.output
    assert "ya está fijado para el 01/02/2027: no se cambió nada" in again.stdout
    assert stored_records(sheet, followup_sheet, "Historial") == logged
    assert entry(sheet, followup_sheet, key) == row


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ("008", "analisis-competidores", "--note", "x"),
            0,
            "no tiene un seguimiento pendiente",
        ),
        (
            ("011", "optimizacion-estrategia", "--note", "x"),
            1,
            "deliver optimizacion-estrategia --client 011»",
        ),
        (
            ("012", "consultoria", "--note", "x"),
            2,
            "¿Quisiste decir «consultoria-negocio»?",
        ),
        (("12", "consultoria-negocio", "--note", "x"), 2, "¿Quisiste decir «012»"),
        (("012", "consultoria-negocio", "--note", "  "), 2, "--note"),
        (
            ("001", "estudio-mercado", "--note", "x", "--siguiente", "2026-12-01"),
            2,
            "ya pasó",
        ),
        (
            ("001", "estudio-mercado", "--note", "x", "--siguiente", "pronto"),
            2,
            "fecha",
        ),
    ],
)
def test_followup_done_refusals_write_nothing(
    cli: Any,
    sheet: SheetFactory,
    followup_sheet: str,
    args: tuple[str, ...],
    code: int,
    message: str,
) -> None:
    before = stored_records(sheet, followup_sheet, "Entregas")
    result = cli("--sheet", followup_sheet, "followup-done", *args, env=ENV)
    assert result.exit_code == code, result.output
    assert message in " ".join(result.output.split())
    assert stored_records(sheet, followup_sheet, "Entregas") == before


def test_several_months_pending_need_the_month(cli: Any, sheet: SheetFactory) -> None:
    older = delivered("012", "consultoria-negocio", "2025-10", date(2025, 12, 1))
    location = sheet.create(with_rows(older, OVERDUE))
    base = ("--sheet", location, "followup-done", "012", "consultoria-negocio")
    ambiguous = cli(*base, "--note", "x", env=ENV)
    assert ambiguous.exit_code == 2
    assert "2025-10, 2026-10" in ambiguous.stderr
    chosen = cli(*base, "--note", "x", "--month", "2025-10", env=ENV)
    assert chosen.exit_code == 0, chosen.output
    assert (
        entry(sheet, location, "012-consultoria-negocio-2025-10")["Seguimiento"] is None
    )
    assert day_of(
        entry(sheet, location, "012-consultoria-negocio-2026-10")["Seguimiento"]
    ) == date(2026, 12, 1)


def test_the_month_walks_from_delivery_to_follow_up(
    cli: Any, sheet: SheetFactory, tmp_path: Path
) -> None:
    """notify -> sent -> deliver gives a follow-up date that followups and status
    show until followup-done records it."""
    location = sheet.create(demo_rows())
    key = "012-consultoria-negocio-2026-12"
    steps = [
        (NOW, ("notify", "-m", "2026-12", "-c", "012", "--salida", str(tmp_path))),
        (NOW, ("sent", "012", "-m", "2026-12")),
        ("2026-12-18T11:00", ("deliver", "consultoria-negocio", "-c", "012")),
    ]
    for moment, args in steps:
        result = cli("--sheet", location, *args, env=at(moment))
        assert result.exit_code == 0, result.output
    assert day_of(entry(sheet, location, key)["Seguimiento"]) == date(2027, 1, 17)
    early = cli(
        "--sheet", location, "followups", "-f", "json", env=at("2027-01-16T09:00")
    )
    assert json.loads(early.stdout) == []
    due = cli(
        "--sheet", location, "followups", "-f", "json", env=at("2027-01-17T09:00")
    )
    assert [f["delivery_id"] for f in json.loads(due.stdout)] == [key]
    status = cli(
        "--sheet", location, "status", "-m", "2026-12", "-f", "json",
        env=at("2027-01-17T09:00"),
    )  # fmt: skip
    assert [r["delivery_id"] for r in json.loads(status.stdout)["followups"]] == [key]
    done = cli(
        "--sheet", location, "followup-done", "012", "consultoria-negocio",
        "--note", "Sesión de revisión hecha", env=at("2027-01-18T10:00"),
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    after = cli(
        "--sheet", location, "status", "-m", "2026-12", "-f", "json",
        env=at("2027-01-18T10:00"),
    )  # fmt: skip
    assert json.loads(after.stdout)["followups"] == []
    actions = [r["Acción"] for r in stored_records(sheet, location, "Historial")]
    assert actions[-3:] == ["notificar", "entregar", "seguimiento"]
