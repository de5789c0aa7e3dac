"""Requests and time of the Google Sheets backend, against the fake Sheets server.

    python benchmarks/google_requests.py                    # 10 and 2,000 clients
    python benchmarks/google_requests.py --clients 10 500 --latency 0.15

Every request to the fake server (``tests/fake_sheets.py``, real HTTP on
127.0.0.1) waits ``--latency`` seconds before it is answered, standing in for
the round trip to Google. Three steps of a month are timed for each size:

* ``read``: the tabs a command reads (what ``check``, ``eligible``, ``explain``
  and ``status`` cost);
* ``notify``: a read, then one new ``Entregas`` row and one ``Historial`` row per
  eligible client;
* ``sent``: a read, then four cells changed on each of those rows and one
  ``Historial`` row each.

pixely's figures come from :class:`~pixely_benefits.sheet.google.GoogleStore`.
Beside them, a naive client written with gspread's everyday calls: a
worksheet and ``get_all_records`` per tab to read, ``append_row`` per new row
and ``update_cell`` per changed cell. The naive client runs for real up to
``--naive-max`` clients; above that its requests are counted with no latency
and its time is estimated as the time measured plus one latency per request
(marked ``~``). Google's quota (about 60 write requests a minute per user)
would stretch the naive figures much further; the fake does not enforce it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pixely_benefits.loading import load
from pixely_benefits.months import Month
from pixely_benefits.rules import decide
from pixely_benefits.sheet.base import ChangeSet, RowAppend, RowUpdate
from pixely_benefits.sheet.google import GoogleConfig, GoogleStore
from pixely_benefits.sheet.schema import DELIVERIES, HISTORY
from pixely_benefits.starter import starter_tabs
from tests.fake_sheets import FakeSheets

MONTH = Month(2026, 12)
NOW = datetime(2026, 12, 3, 9, 30)


def control_sheet(clients: int) -> dict[str, list[list[Any]]]:
    """A sheet with ``clients`` active clients, a period each, and the starter tabs."""
    tabs: dict[str, list[list[Any]]] = {
        spec.name: [list(spec.headers)] for spec, _ in starter_tabs()
    }
    for spec, rows in starter_tabs():
        tabs[spec.name] += [[row.get(h) for h in spec.headers] for row in rows]
    for number in range(clients):
        client = f"C{number:05d}"
        tabs["Clientes"].append(
            [
                client,
                f"Cliente {number}",
                "Ana",
                f"{client.lower()}@x.pe",
                None,
                "correo",
            ]
        )
        start = date(2024, 1, 1) + timedelta(days=number % 600)
        tabs["Suscripciones"].append([client, start])
    return tabs


@dataclass
class Step:
    requests: int
    seconds: float
    estimated: bool = False

    def __str__(self) -> str:
        mark = "~" if self.estimated else ""
        return f"{self.requests:>6} req {mark}{self.seconds:>8.2f} s"


def measure(fake: FakeSheets, run: Callable[[], None]) -> Step:
    before = fake.count()
    started = time.perf_counter()
    run()
    return Step(fake.count() - before, time.perf_counter() - started)


# --- pixely ------------------------------------------------------------------------


def pixely_steps(fake: FakeSheets, key: str) -> dict[str, Step]:
    config = GoogleConfig(emulator_host=fake.host)
    ids: list[str] = []

    def read() -> None:
        load(GoogleStore(key, config), (HISTORY,))

    def notify() -> None:
        store = GoogleStore(key, config)
        loaded = load(store, (HISTORY,))
        changes = ChangeSet()
        for decision in decide(loaded.data, MONTH):
            if not decision.eligible or decision.benefit is None:
                continue
            delivery = f"{decision.client_id}-{decision.benefit}-{MONTH}"
            ids.append(delivery)
            row = {
                "ID": delivery,
                "ID cliente": decision.client_id,
                "Cliente": decision.client,
                "Beneficio": decision.benefit,
                "Mes": str(MONTH),
                "Estado": "pendiente",
            }
            changes.appends.append(RowAppend(DELIVERIES, row))
            changes.appends.append(RowAppend(HISTORY, history("crear", delivery)))
        store.write(changes)

    def sent() -> None:
        store = GoogleStore(key, config)
        load(store, (HISTORY,))
        changes = ChangeSet()
        for delivery in ids:
            changes.updates.append(RowUpdate(DELIVERIES, delivery, sent_cells()))
            changes.appends.append(RowAppend(HISTORY, history("notificar", delivery)))
        store.write(changes)

    return {
        name: measure(fake, step)
        for name, step in (("read", read), ("notify", notify), ("sent", sent))
    }


def history(action: str, delivery: str) -> dict[str, Any]:
    return {"Fecha": NOW, "Usuario": "lucia", "Acción": action, "ID entrega": delivery}


def sent_cells() -> dict[str, Any]:
    return {
        "Estado": "notificado",
        "Canal": "correo",
        "Notificado": NOW,
        "Fecha límite": NOW.date() + timedelta(days=10),
    }


# --- the naive baseline -------------------------------------------------------------


def eligible(fake: FakeSheets, key: str) -> list[tuple[str, str, str]]:
    """(client ID, name, benefit) of every eligible client, worked out unmeasured."""
    loaded = load(GoogleStore(key, GoogleConfig(emulator_host=fake.host)))
    return [
        (d.client_id, d.client, d.benefit)
        for d in decide(loaded.data, MONTH)
        if d.eligible and d.benefit is not None
    ]


def naive_steps(fake: FakeSheets, key: str) -> dict[str, Step]:
    import gspread
    from google.auth.credentials import AnonymousCredentials

    from pixely_benefits.sheet.google_auth import emulator_session

    anonymous = AnonymousCredentials()  # type: ignore[no-untyped-call]
    client = gspread.Client(anonymous, session=emulator_session(fake.host))
    titles = [
        "Clientes",
        "Suscripciones",
        "Beneficios",
        "Entregas",
        "Configuración",
        "Promociones",
        "Historial",
    ]
    ids: list[str] = []
    chosen = eligible(fake, key)

    def read_all() -> dict[str, list[dict[str, Any]]]:
        book = client.open_by_key(key)
        return {t: book.worksheet(t).get_all_records() for t in titles}

    def notify() -> None:
        read_all()  # a naive command reads too; the decisions are pixely's own
        book = client.open_by_key(key)
        entregas, historial = book.worksheet("Entregas"), book.worksheet("Historial")
        for client_id, name, benefit in chosen:
            delivery = f"{client_id}-{benefit}-{MONTH}"
            ids.append(delivery)
            entregas.append_row(
                [delivery, client_id, name, benefit, str(MONTH), "pendiente"]
            )
            historial.append_row(["2026-12-03 09:30", "lucia", "crear", delivery])

    def sent() -> None:
        data = read_all()
        book = client.open_by_key(key)
        entregas, historial = book.worksheet("Entregas"), book.worksheet("Historial")
        rows = {str(r["ID"]): n for n, r in enumerate(data["Entregas"], start=2)}
        header = list(data["Entregas"][0]) if data["Entregas"] else DELIVERIES.headers
        for delivery in ids:
            for name, value in sent_cells().items():
                shown = value.isoformat() if isinstance(value, date) else value
                entregas.update_cell(rows[delivery], header.index(name) + 1, shown)
            historial.append_row(["2026-12-03 09:30", "lucia", "notificar", delivery])

    def read() -> None:
        read_all()

    steps = (("read", read), ("notify", notify), ("sent", sent))
    return {name: measure(fake, step) for name, step in steps}


# --- the run -------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[10, 2000])
    parser.add_argument("--latency", type=float, default=0.15)
    parser.add_argument("--naive-max", type=int, default=10)
    options = parser.parse_args()
    fake = FakeSheets().start()
    try:
        print(f"latency per request: {options.latency * 1000:.0f} ms")
        print(f"{'clients':>8}  {'step':<7} {'pixely':>22}   {'naive gspread':>22}")
        for clients in options.clients:
            fake.latency = options.latency
            mine = pixely_steps(fake, fake.create(control_sheet(clients)))
            real = clients <= options.naive_max
            fake.latency = options.latency if real else 0.0
            naive = naive_steps(fake, fake.create(control_sheet(clients)))
            for name, step in mine.items():
                other = naive[name]
                if not real:
                    other = Step(
                        other.requests,
                        other.seconds + other.requests * options.latency,
                        estimated=True,
                    )
                print(f"{clients:>8}  {name:<7} {step!s:>22}   {other!s:>22}")
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
