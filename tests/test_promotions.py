"""Promotions end to end: ``promo list``, ``promo invite`` and ``promo accept``."""

from __future__ import annotations

import json
import shlex
from datetime import date, datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cell, SheetFactory, demo_rows, stored_records

NOW = "2026-12-03T09:30"
ENV = {"PIXELY_NOW": NOW, "PIXELY_USER": "diego"}
DEMO_ROWS = 18  # past deliveries in the demo
# Clients with 6+ continuous months on 2026-12-03 that are neither paused nor
# cancelled (the demo's reels-pro asks for 6): see the demo's docstring.
QUALIFYING = ["001", "002", "008", "010", "011", "012"]


def at(moment: str) -> dict[str, str]:
    return {**ENV, "PIXELY_NOW": moment}


def invite(
    cli: Any, location: str, tmp_path: Path, *extra: str, env: dict[str, str] = ENV
) -> Any:
    return cli(
        "--sheet", location, "promo", "invite", *extra,
        "--salida", str(tmp_path / "salida"), env=env,
    )  # fmt: skip


def with_promotion(**values: Cell) -> dict[str, list[list[Cell]]]:
    tabs = demo_rows()
    header = [str(h) for h in tabs["Promociones"][0]]
    tabs["Promociones"].append([values.get(h) for h in header])
    return tabs


@pytest.fixture
def demo(sheet: SheetFactory) -> str:
    return sheet.create(demo_rows())


def test_invite_creates_one_marked_row_per_qualifying_client(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    result = invite(cli, demo, tmp_path, "reels-pro", "--all")
    assert result.exit_code == 0, result.output
    rows = stored_records(sheet, demo, "Entregas")[DEMO_ROWS:]
    assert [r["ID"] for r in rows] == [
        f"{c}-acceso-preferencial-2026-12" for c in QUALIFYING
    ]
    assert rows[0] == {
        **dict.fromkeys(rows[0]),
        "ID": "001-acceso-preferencial-2026-12",
        "ID cliente": "001",
        "Cliente": "Panadería La Espiga",
        "Beneficio": "acceso-preferencial",
        "Mes": "2026-12",
        "Estado": "pendiente",
        "Responsable": "Lucía",
        "Notas": "Promoción: reels-pro (Paquete de reels profesionales)",
    }
    history = stored_records(sheet, demo, "Historial")
    assert [(h["Acción"], h["ID entrega"]) for h in history] == [
        ("invitar", f"{c}-acceso-preferencial-2026-12") for c in QUALIFYING
    ]
    assert history[0]["Usuario"] == "diego"
    assert history[0]["Fecha"] == datetime(2026, 12, 3, 9, 30)
    text = " ".join(result.stdout.split())
    assert "6 invitaciones nuevas" in text
    assert "007: tiene 5 meses continuos y la promoción pide 6" in text
    assert "003: está pausado" in text
    assert "004: está cancelado" in text
    assert (
        f"pixely --sheet {demo} sent 001 002 008 010 011 012 --beneficio "
        "acceso-preferencial --month 2026-12"
    ) in text


def test_the_invitation_message_names_the_promotion(
    cli: Any, demo: str, tmp_path: Path
) -> None:
    result = invite(cli, demo, tmp_path, "reels-pro", "--client", "008")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "salida" / "2026-12"
    with (folder / "008-acceso-preferencial-2026-12.eml").open("rb") as handle:
        message = BytesParser(policy=policy.default).parse(handle)
    body = message.get_body(("plain",))
    assert body is not None
    text = " ".join(body.get_content().split())
    assert "una promoción: Paquete de reels profesionales." in text
    assert "Grabación y edición de 4 reels con 30 % de descuento." in text
    assert "disponible para ti hasta el 28 de febrero de 2027" in text
    # Plazo (días) of acceso-preferencial is 7.
    assert "antes del 10 de diciembre de 2026" in text
    whatsapp = (folder / "008-acceso-preferencial-2026-12.whatsapp.txt").read_text(
        encoding="utf-8"
    )
    assert "Paquete de reels profesionales" in whatsapp
    assert "008-acceso-preferencial-2026-12" in (folder / "index.html").read_text(
        encoding="utf-8"
    )


def test_a_promotion_is_offered_as_access_not_as_a_free_benefit(
    cli: Any, demo: str, tmp_path: Path
) -> None:
    # The demo's reels-pro is a 30 % discount: "sin costo" would contradict it.
    result = invite(cli, demo, tmp_path, "reels-pro", "--client", "008")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "salida" / "2026-12"
    with (folder / "008-acceso-preferencial-2026-12.eml").open("rb") as handle:
        message = BytesParser(policy=policy.default).parse(handle)
    assert message["Subject"] == (
        "Dra. Patricia León, acceso preferencial para ti: Paquete de reels "
        "profesionales"
    )
    parts = [message.get_body((kind,)) for kind in ("plain", "html")]
    whatsapp = folder / "008-acceso-preferencial-2026-12.whatsapp.txt"
    texts = [p.get_content() for p in parts if p is not None]
    texts.append(whatsapp.read_text(encoding="utf-8"))
    assert len(texts) == 3
    for text in texts:
        flat = " ".join(text.split())
        assert "sin costo" not in flat
        assert "te corresponde un beneficio" not in flat
        assert "antes que a nadie una promoción" in flat
        assert "acceso anticipado y preferencial a esta promoción: Grabación" in flat
        assert "30 % de descuento" in flat
    monthly = cli(
        "--sheet", demo, "notify", "--client", "001", "--month", "2026-12",
        "--salida", str(tmp_path / "salida"), env=ENV,
    )  # fmt: skip
    assert monthly.exit_code == 0, monthly.output
    notice = (folder / "001-publicaciones-adicionales-2026-12.whatsapp.txt").read_text(
        encoding="utf-8"
    )
    assert "te corresponde un beneficio sin costo adicional" in notice


def test_nobody_is_invited_twice(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    assert invite(cli, demo, tmp_path, "reels-pro").exit_code == 0
    entregas = stored_records(sheet, demo, "Entregas")
    history = stored_records(sheet, demo, "Historial")
    again = invite(cli, demo, tmp_path, "reels-pro")
    assert again.exit_code == 0, again.output
    assert "ya invitado (pendiente, 2026-12)" in again.stdout
    assert stored_records(sheet, demo, "Entregas") == entregas
    assert stored_records(sheet, demo, "Historial") == history
    # In January 007 reaches six months: it is the only one invited then.
    next_month = invite(cli, demo, tmp_path, "reels-pro", env=at("2027-01-05T10:00"))
    assert next_month.exit_code == 0, next_month.output
    after = stored_records(sheet, demo, "Entregas")
    assert after[: len(entregas)] == entregas
    assert [r["ID"] for r in after[len(entregas) :]] == [
        "007-acceso-preferencial-2027-01"
    ]


def test_a_cancelled_invitation_still_counts_as_invited(
    cli: Any, sheet: SheetFactory, tmp_path: Path
) -> None:
    tabs = demo_rows()
    header = [str(h) for h in tabs["Entregas"][0]]
    old = {
        "ID": "001-acceso-preferencial-2026-11",
        "ID cliente": "001",
        "Beneficio": "acceso-preferencial",
        "Mes": "2026-11",
        "Estado": "cancelado",
        "Notas": "Promoción: reels-pro\nNo le interesa",
    }
    tabs["Entregas"].append([old.get(h) for h in header])
    location = sheet.create(tabs)
    result = invite(cli, location, tmp_path, "reels-pro", "-c", "001")
    assert result.exit_code == 0, result.output
    assert "ya invitado (cancelado, 2026-11)" in result.stdout
    assert len(stored_records(sheet, location, "Entregas")) == DEMO_ROWS + 1


def test_two_promotions_in_one_month_get_distinct_ids(
    cli: Any, sheet: SheetFactory, tmp_path: Path
) -> None:
    location = sheet.create(
        with_promotion(
            **{
                "Código": "web-express",
                "Promoción": "Web en una semana",
                "Vigente hasta": date(2026, 12, 31),
            }
        )
    )
    assert invite(cli, location, tmp_path, "reels-pro", "-c", "001").exit_code == 0
    second = invite(cli, location, tmp_path, "web-express", "-c", "001", "-c", "007")
    assert second.exit_code == 0, second.output
    rows = stored_records(sheet, location, "Entregas")[DEMO_ROWS:]
    assert [(r["ID"], r["Notas"]) for r in rows] == [
        (
            "001-acceso-preferencial-2026-12",
            "Promoción: reels-pro (Paquete de reels profesionales)",
        ),
        (
            "001-acceso-preferencial-2026-12-web-express",
            "Promoción: web-express (Web en una semana)",
        ),
        # 007 has 5 months: enough for the benefit's 3, and web-express asks none.
        (
            "007-acceso-preferencial-2026-12",
            "Promoción: web-express (Web en una semana)",
        ),
    ]
    listed = cli("--sheet", location, "promo", "list", "-f", "json", env=ENV)
    counts = {p["code"]: p["invited"] for p in json.loads(listed.stdout)}
    assert counts == {"reels-pro": 1, "web-express": 2}


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("reels",), 2, "¿Quisiste decir «reels-pro»?"),
        (("reels-pro", "-c", "003"), 1, "no califica: está pausado"),
        (
            ("reels-pro", "-c", "014"),
            1,
            "tiene 3 meses continuos y la promoción pide 6",
        ),
        (("reels-pro", "-c", "01"), 2, "¿Quisiste decir «001»"),
    ],
)
def test_invite_refusals(
    cli: Any,
    sheet: SheetFactory,
    demo: str,
    tmp_path: Path,
    args: tuple[str, ...],
    code: int,
    message: str,
) -> None:
    before = stored_records(sheet, demo, "Entregas")
    result = invite(cli, demo, tmp_path, *args)
    assert result.exit_code == code, result.output
    assert message in " ".join(result.output.split())
    assert stored_records(sheet, demo, "Entregas") == before
    assert not (tmp_path / "salida").exists()


def test_an_expired_promotion_is_refused(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    assert invite(cli, demo, tmp_path, "reels-pro", "-c", "008").exit_code == 0
    before = stored_records(sheet, demo, "Entregas")
    late = at("2027-03-01T09:00")
    refused = invite(cli, demo, tmp_path, "reels-pro", env=late)
    assert refused.exit_code == 2
    assert "venció el 28/02/2027" in refused.stderr
    accept = cli("--sheet", demo, "promo", "accept", "reels-pro", "-c", "008", env=late)
    assert accept.exit_code == 2
    assert "venció" in accept.stderr
    assert stored_records(sheet, demo, "Entregas") == before
    # The last valid day still counts.
    last_day = cli(
        "--sheet", demo, "promo", "accept", "reels-pro", "-c", "008",
        env=at("2027-02-28T18:00"),
    )  # fmt: skip
    assert last_day.exit_code == 0, last_day.output


def test_a_client_that_cannot_be_reached_gets_no_row(
    cli: Any, sheet: SheetFactory, tmp_path: Path
) -> None:
    tabs = demo_rows()
    for row in tabs["Clientes"][1:]:
        if row[0] == "002":
            row[3] = None  # Café Aroma loses its only channel, the e-mail
    location = sheet.create(tabs)
    result = invite(cli, location, tmp_path, "reels-pro")
    assert result.exit_code == 1
    assert "002 Café Aroma: sin invitación" in " ".join(result.stdout.split())
    ids = [r["ID"] for r in stored_records(sheet, location, "Entregas")[DEMO_ROWS:]]
    assert "002-acceso-preferencial-2026-12" not in ids
    assert len(ids) == len(QUALIFYING) - 1


def test_dry_run_writes_nothing(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    before = stored_records(sheet, demo, "Entregas")
    result = invite(cli, demo, tmp_path, "reels-pro", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Se invitaría a 6 clientes" in " ".join(result.stdout.split())
    assert stored_records(sheet, demo, "Entregas") == before
    assert not (tmp_path / "salida").exists()


def test_accept_then_deliver(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    assert invite(cli, demo, tmp_path, "reels-pro").exit_code == 0
    sent = cli(
        "--sheet", demo, "sent", "012", "--beneficio", "acceso-preferencial",
        "-m", "2026-12", env=ENV,
    )  # fmt: skip
    assert sent.exit_code == 0, sent.output
    key = "012-acceso-preferencial-2026-12"
    base = ("--sheet", demo, "promo", "accept", "reels-pro", "--client", "012")
    accepted = cli(*base, env=at("2026-12-05T12:00"))
    assert accepted.exit_code == 0, accepted.output
    row = next(r for r in stored_records(sheet, demo, "Entregas") if r["ID"] == key)
    assert row["Estado"] == "aceptado"
    assert row["Notas"] == (
        "Promoción: reels-pro (Paquete de reels profesionales)\n"
        "Aceptó la promoción el 05/12/2026"
    )
    assert stored_records(sheet, demo, "Historial")[-1]["Detalle"] == (
        "notificado → aceptado; promoción reels-pro aceptada"
    )
    again = cli(*base, env=at("2026-12-06T12:00"))
    assert again.exit_code == 0
    assert "ya estaba aceptado" in again.stdout
    delivered = cli(
        "--sheet", demo, "deliver", "acceso-preferencial", "-c", "012",
        env=at("2026-12-08T12:00"),
    )  # fmt: skip
    assert delivered.exit_code == 0, delivered.output
    row = next(r for r in stored_records(sheet, demo, "Entregas") if r["ID"] == key)
    assert row["Estado"] == "entregado"
    listed = cli("--sheet", demo, "promo", "list", "-f", "json", env=ENV)
    assert json.loads(listed.stdout)[0]["accepted"] == 1


def test_accept_without_an_invitation_explains(
    cli: Any, sheet: SheetFactory, demo: str
) -> None:
    result = cli("--sheet", demo, "promo", "accept", "reels-pro", "-c", "001", env=ENV)
    assert result.exit_code == 1
    assert f"pixely --sheet {demo} promo invite reels-pro --client 001" in " ".join(
        result.stdout.split()
    )
    assert len(stored_records(sheet, demo, "Entregas")) == DEMO_ROWS


@pytest.mark.parametrize(
    ("client", "changes", "message"),
    [
        (
            "014",
            {},
            "no fue invitado a «reels-pro» y no califica: tiene 3 meses continuos y "
            "la promoción pide 6; no se cambió nada",
        ),
        (
            "003",
            {},
            "no fue invitado a «reels-pro» y no califica: está pausado",
        ),
        (
            "002",
            {"Correo": None},
            "no fue invitado a «reels-pro»: califica, pero no se le puede escribir",
        ),
    ],
)
def test_accept_without_an_invitation_says_whether_the_client_qualifies(
    cli: Any,
    sheet: SheetFactory,
    client: str,
    changes: dict[str, Cell],
    message: str,
) -> None:
    tabs = demo_rows()
    header = [str(h) for h in tabs["Clientes"][0]]
    for row in tabs["Clientes"][1:]:
        if row[0] == client:
            for column, value in changes.items():
                row[header.index(column)] = value
    location = sheet.create(tabs)
    result = cli(
        "--sheet", location, "promo", "accept", "reels-pro", "-c", client, env=ENV
    )
    assert result.exit_code == 1
    said = " ".join(result.stdout.split())
    assert message in said
    if "no califica" in message:
        assert "promo invite" not in said
    assert len(stored_records(sheet, location, "Entregas")) == DEMO_ROWS


def test_promo_list_shows_the_months_that_count(cli: Any, sheet: SheetFactory) -> None:
    # A blank «Meses mínimos» is 0, but acceso-preferencial asks for 3 itself.
    location = sheet.create(with_promotion(**{"Código": "web", "Promoción": "Web"}))
    listed = cli("--sheet", location, "promo", "list", "-f", "json", env=ENV)
    web = json.loads(listed.stdout)[1]
    assert (web["min_months"], web["benefit_min_months"]) == (0, 3)
    assert web["required_months"] == 3
    table = cli("--sheet", location, "promo", "list", env=ENV)
    lines = table.stdout.splitlines()
    row = next(line for line in lines if line.startswith("web "))
    assert row.split()[2:4] == ["sin", "fin"]
    assert row.split()[4:6] == ["3", "*"]
    assert (
        "* web: pide 3 meses continuos, el mayor entre los 0 de la promoción y los 3 "
        "del beneficio «acceso-preferencial»." in " ".join(table.stdout.split())
    )


def test_promo_list_shows_each_promotion(
    cli: Any, sheet: SheetFactory, tmp_path: Path
) -> None:
    location = sheet.create(
        with_promotion(
            **{
                "Código": "verano",
                "Promoción": "Campaña de verano",
                "Vigente hasta": date(2026, 11, 30),
                "Meses mínimos": 12,
            }
        )
    )
    result = cli("--sheet", location, "promo", "list", "-f", "json", env=ENV)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {
            "code": "reels-pro",
            "name": "Paquete de reels profesionales",
            "description": "Grabación y edición de 4 reels con 30 % de descuento.",
            "valid_until": "2027-02-28",
            "min_months": 6,
            "benefit_min_months": 3,
            "required_months": 6,
            "expired": False,
            "qualifying": 6,
            "invited": 0,
            "accepted": 0,
        },
        {
            "code": "verano",
            "name": "Campaña de verano",
            "description": None,
            "valid_until": "2026-11-30",
            "min_months": 12,
            "benefit_min_months": 3,
            "required_months": 12,
            "expired": True,
            "qualifying": 2,
            "invited": 0,
            "accepted": 0,
        },
    ]
    table = cli("--sheet", location, "promo", "list", env=ENV)
    assert "(vencida)" in table.stdout
    assert "reels-pro" in table.stdout


def test_invite_counts_one_in_the_singular_and_a_dry_run_says_what_it_would_do(
    cli: Any, demo: str, tmp_path: Path
) -> None:
    """Fails before: "1 invitaciones nuevas", "1 mensajes nuevos" and "invitado a"
    in a dry run."""
    dry = invite(cli, demo, tmp_path, "reels-pro", "-c", "002", "--dry-run")
    assert dry.exit_code == 0, dry.output
    text = " ".join(dry.stdout.split())
    assert "002 Café Aroma: se invitaría a «Paquete de reels profesionales»" in text
    assert "invitado a" not in text
    assert "Se invitaría a 1 cliente a «reels-pro»" in text

    real = invite(cli, demo, tmp_path, "reels-pro", "-c", "002")
    assert real.exit_code == 0, real.output
    text = " ".join(real.stdout.split())
    assert "002 Café Aroma: invitado a «Paquete de reels profesionales»" in text
    assert "1 invitación nueva en Entregas; 1 mensaje nuevo en" in text


def test_promo_list_sends_the_sheet_problems_to_check_on_the_same_sheet(
    cli: Any, sheet: SheetFactory
) -> None:
    """Fails before: the hint said «pixely check», which reads another sheet."""
    tabs = demo_rows()
    tabs["Suscripciones"].append(["015", "el año pasado", None, None])  # a bad row
    location = sheet.create(tabs)
    result = cli("--sheet", location, "promo", "list", env=ENV)
    assert result.exit_code == 0, result.output
    check = f"«pixely --sheet {shlex.quote(location)} check»"
    assert check in " ".join(result.stderr.split())
