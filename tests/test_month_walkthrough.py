"""A whole month on the demo sheet, as a CM lives it.

eligible → notify → sent → deliver → status for December 2026, checking the
cells of ``Entregas`` and ``Historial`` after each step, and that running
``notify`` a second time changes nothing.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tests.conftest import Cell, SheetFactory, demo_rows, stored_rows

MONTH = "2026-12"
USER = "lucia"
PAST = len(demo_rows()["Entregas"])  # header + the demo's 18 earlier rows
TABS = (*demo_rows(), "Historial")

P001 = "001-publicaciones-adicionales-2026-12"
E002 = "002-estudio-mercado-2026-12"
P007 = "007-publicaciones-adicionales-2026-12"
P008 = "008-publicaciones-adicionales-2026-12"
C012 = "012-consultoria-negocio-2026-12"
P014 = "014-publicaciones-adicionales-2026-12"

HEADER = [
    "ID", "ID cliente", "Cliente", "Beneficio", "Mes", "Estado", "Canal", "Notificado",
    "Fecha límite", "Entregado", "Enlace", "Seguimiento", "Responsable", "Notas",
]  # fmt: skip

PENDING = {
    P001: [P001, "001", "Panadería La Espiga", "publicaciones-adicionales", MONTH,
           "pendiente", None, None, None, None, None, None, "Lucía"],
    E002: [E002, "002", "Café Aroma", "estudio-mercado", MONTH, "pendiente", None,
           None, None, None, None, None, "Lucía"],
    P008: [P008, "008", "Dental Sonrisa", "publicaciones-adicionales", MONTH,
           "pendiente", None, None, None, None, None, None, "Diego"],
    C012: [C012, "012", "Consultorio Vida", "consultoria-negocio", MONTH, "pendiente",
           None, None, None, None, None, None, "Diego"],
    P014: [P014, "014", "Óptica Visión Clara", "publicaciones-adicionales", MONTH,
           "pendiente", None, None, None, None, None, None, "Diego"],
}  # fmt: skip


def at(moment: str) -> dict[str, str]:
    return {"PIXELY_NOW": moment, "PIXELY_USER": USER}


def days(row: list[Cell]) -> list[Cell]:
    """A row with its date-only cells as dates, whatever the backend returns."""
    fixed = list(row)
    for index in (HEADER.index("Fecha límite"), HEADER.index("Seguimiento")):
        value = fixed[index] if index < len(fixed) else None
        if isinstance(value, datetime):
            fixed[index] = value.date()
    return fixed


def new_rows(sheet: SheetFactory, location: str) -> dict[str, list[Cell]]:
    rows = stored_rows(sheet, location, "Entregas")
    assert rows[0] == HEADER
    return {str(r[0]): days(r) for r in rows[PAST:]}


def history(sheet: SheetFactory, location: str) -> list[list[Cell]]:
    rows = stored_rows(sheet, location, "Historial")
    assert rows[0] == ["Fecha", "Usuario", "Acción", "ID entrega", "Detalle"]
    return rows[1:]


def everything(sheet: SheetFactory, location: str) -> dict[str, list[list[Cell]]]:
    return {tab: stored_rows(sheet, location, tab) for tab in TABS}


def test_a_whole_month(cli: Any, sheet: SheetFactory, tmp_path: Path) -> None:
    location = sheet.create(demo_rows())
    outbox = tmp_path / "salida"

    def pixely(*args: str, now: str) -> Any:
        return cli("--sheet", location, *args, env=at(now))

    # 1. Who gets what this month.
    listed = pixely(
        "eligible", "--month", MONTH, "--format", "json", now="2026-12-01T09:00"
    )
    assert listed.exit_code == 0
    chosen = {d["client_id"]: d["benefit"] for d in json.loads(listed.stdout)}
    assert chosen == {
        "001": "publicaciones-adicionales",
        "002": "estudio-mercado",
        "007": "publicaciones-adicionales",
        "008": "publicaciones-adicionales",
        "012": "consultoria-negocio",
        "014": "publicaciones-adicionales",
    }
    before = everything(sheet, location)

    # 2. notify: one pending row per eligible client without one; 007 keeps its row.
    notified = pixely(
        "notify", "--month", MONTH, "--salida", str(outbox), now="2026-12-03T09:30"
    )
    assert notified.exit_code == 0, notified.output
    assert new_rows(sheet, location) == PENDING
    assert stored_rows(sheet, location, "Entregas")[:PAST] == before["Entregas"]
    created_at = datetime(2026, 12, 3, 9, 30)
    assert history(sheet, location) == [
        [created_at, USER, "crear", key, detail]
        for key, detail in [
            (P001, "fila nueva, pendiente; Publicaciones adicionales sin costo "
                   "(publicaciones-adicionales) para 2026-12"),
            (E002, "fila nueva, pendiente; Estudio de mercado gratuito (estudio-mercado) "
                   "para 2026-12"),
            (P008, "fila nueva, pendiente; Publicaciones adicionales sin costo "
                   "(publicaciones-adicionales) para 2026-12"),
            (C012, "fila nueva, pendiente; Consultoría en modelo de negocio "
                   "(consultoria-negocio) para 2026-12"),
            (P014, "fila nueva, pendiente; Publicaciones adicionales sin costo "
                   "(publicaciones-adicionales) para 2026-12"),
        ]
    ]  # fmt: skip
    files = sorted(p.name for p in (outbox / MONTH).iterdir())
    assert f"{P001}.eml" in files and f"{P014}.whatsapp.txt" in files
    assert f"{P007}.eml" not in files  # already notified in the demo
    after_notify = everything(sheet, location)
    messages = {p.name: p.read_bytes() for p in (outbox / MONTH).iterdir()}

    # 3. A second notify, days later, changes nothing at all.
    again = pixely(
        "notify", "--month", MONTH, "--salida", str(outbox), now="2026-12-06T18:00"
    )
    assert again.exit_code == 0
    assert everything(sheet, location) == after_notify
    assert {p.name: p.read_bytes() for p in (outbox / MONTH).iterdir()} == messages

    # 4. sent: the CM sent 001 (both channels) and 014 (WhatsApp).
    sent = pixely("sent", "001", "014", "--month", MONTH, now="2026-12-04T11:15")
    assert sent.exit_code == 0, sent.output
    at_sent = datetime(2026, 12, 4, 11, 15)
    rows = new_rows(sheet, location)
    assert rows[P001] == [*PENDING[P001][:5],
        "notificado", "ambos", at_sent, date(2026, 12, 14), None, None, None, "Lucía",
    ]  # fmt: skip
    assert rows[P014] == [*PENDING[P014][:5],
        "notificado", "whatsapp", at_sent, date(2026, 12, 14), None, None, None, "Diego",
    ]  # fmt: skip
    assert rows[E002] == PENDING[E002]
    assert history(sheet, location)[5:] == [
        [at_sent, USER, "notificar", P001,
         "pendiente → notificado; canal: ambos; fecha límite: 14/12/2026"],
        [at_sent, USER, "notificar", P014,
         "pendiente → notificado; canal: whatsapp; fecha límite: 14/12/2026"],
    ]  # fmt: skip

    # 5. deliver: 001 gets its extra posts; 012 its consultancy, with a follow-up.
    link = "https://drive.google.com/drive/folders/abc"
    first = pixely(
        "deliver", "publicaciones-adicionales", "--client", "001", "--link", link,
        "--note", "Tres piezas extra", now="2026-12-10T16:00",
    )  # fmt: skip
    assert first.exit_code == 0, first.output
    second = pixely(
        "deliver", "consultoria-negocio", "-c", "012", now="2026-12-11T10:00"
    )
    assert second.exit_code == 0, second.output
    rows = new_rows(sheet, location)
    assert rows[P001] == [*PENDING[P001][:5],
        "entregado", "ambos", at_sent, date(2026, 12, 14), datetime(2026, 12, 10, 16, 0),
        link, None, "Lucía", "Tres piezas extra",
    ]  # fmt: skip
    assert rows[C012] == [*PENDING[C012][:5],
        "entregado", None, None, None, datetime(2026, 12, 11, 10, 0), None,
        date(2027, 1, 10), "Diego",
    ]  # fmt: skip
    assert history(sheet, location)[7:] == [
        [datetime(2026, 12, 10, 16, 0), USER, "entregar", P001,
         f"notificado → entregado; enlace: {link}; nota: Tres piezas extra"],
        [datetime(2026, 12, 11, 10, 0), USER, "entregar", C012,
         "pendiente → entregado; seguimiento: 10/01/2027"],
    ]  # fmt: skip

    # 6. status on 20 December: what is stuck, late or due (other sections may follow).
    status = pixely("status", "--month", MONTH, now="2026-12-20T09:00")
    assert status.exit_code == 0
    lines = [line.strip() for line in status.stdout.splitlines() if line.strip()]
    assert lines[:7] == [
        "Entregas de 2026-12 (al 20/12/2026): pendiente 2 · notificado 2 · "
        "entregado 2 · cancelado 0 · aceptado 0",
        "Pendientes hace más de 3 días, de cualquier mes (2):",
        "002-estudio-mercado-2026-12 (Café Aroma): pendiente desde el 03/12/2026, CM Lucía",
        "008-publicaciones-adicionales-2026-12 (Dental Sonrisa): pendiente desde el "
        "03/12/2026, CM Diego",
        "Entregas vencidas, de cualquier mes (2):",
        "014-publicaciones-adicionales-2026-12 (Óptica Visión Clara): fecha límite "
        "14/12/2026, notificado, CM Diego",
        "007-publicaciones-adicionales-2026-12 (Boutique Aurora): fecha límite "
        "18/12/2026, notificado, CM Lucía",
    ]
    # status only reads.
    assert len(history(sheet, location)) == 9
