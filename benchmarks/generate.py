"""Generate a large control sheet for the speed benchmarks.

The default size is the one the speed targets are set on: 10,000 clients,
100,000 subscription periods and 100,000 ``Entregas`` rows, plus a
``Historial`` tab as long as ``Entregas`` (every change the tool makes to
``Entregas`` adds a row there, so a real sheet carries one). Values look like
the ones people type: text IDs (``C00042``), real date cells, a few dates typed
as text, blank optional cells and a handful of bad rows, so that ``check``
has something to report.

    python benchmarks/generate.py                 # benchmarks/data/control-1x.xlsx
    python benchmarks/generate.py --scale 2       # twice as many of everything

The workbook is written with openpyxl's write-only mode, which streams rows
to disk instead of holding a cell object per value. The output is
deterministic for a given seed and size.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from pixely_benefits.months import Month
from pixely_benefits.sheet.schema import (
    BENEFITS,
    CLIENTS,
    DEFAULT_CATALOGUE,
    DELIVERIES,
    HISTORY,
    PERIODS,
    PROMOTIONS,
    SETTINGS,
)

DATA = Path(__file__).parent / "data"
MONTH = Month(2026, 12)
"""The month the benchmarks evaluate; data is dated relative to it."""

Value = str | int | float | date | datetime | None

_FIRST = ("Panadería", "Café", "Estudio", "Taller", "Clínica", "Boutique", "Librería")
_SECOND = ("Aurora", "del Sur", "Polar", "Andina", "La Espiga", "Norteña", "Central")
_PEOPLE = ("María", "Jorge", "Ana", "Carlos", "Rosa", "Luis", "Elena", "Pedro")
_SURNAMES = ("Quispe", "Salas", "Torres", "Ríos", "Díaz", "Paredes", "Vargas")
_PLANS = ("Básico", "Pro", "Premium")
_CMS = ("Lucía", "Diego", "Valeria", "Martín")
_MONTHLY = [row[0] for row in DEFAULT_CATALOGUE if row[2] == "mensual"]


@dataclass(frozen=True)
class Size:
    clients: int
    periods: int
    deliveries: int
    history: int
    bad_rows: int

    @classmethod
    def scaled(cls, scale: int) -> Size:
        return cls(
            10_000 * scale, 100_000 * scale, 100_000 * scale, 100_000 * scale, 10
        )


def client_id(number: int) -> str:
    return f"C{number:05d}"


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` split into ``parts`` counts of at least 1, roughly even."""
    counts = [1] * parts
    for _ in range(total - parts):
        counts[rng.randrange(parts)] += 1
    return counts


def _maybe_text(day: date, rng: random.Random) -> Value:
    """Mostly a real date cell; now and then typed as day-first or ISO text."""
    roll = rng.random()
    if roll < 0.02:
        return day.strftime("%d/%m/%Y")
    if roll < 0.03:
        return day.isoformat()
    return day


def clients(size: Size, rng: random.Random) -> Iterator[Sequence[Value]]:
    yield CLIENTS.headers
    for number in range(1, size.clients + 1):
        person = f"{rng.choice(_PEOPLE)} {rng.choice(_SURNAMES)}"
        business = f"{rng.choice(_FIRST)} {rng.choice(_SECOND)} {number}"
        email = (
            f"contacto{number}@cliente{number}.com.pe" if rng.random() < 0.9 else None
        )
        phone = f"+51 9{rng.randrange(10**7, 10**8)}" if rng.random() < 0.6 else None
        state = rng.choices(("activo", None, "pausado", "cancelado"), (60, 30, 5, 5))[0]
        channel = rng.choices((None, "correo", "whatsapp", "ambos"), (70, 15, 10, 5))[0]
        clickup = f"86{rng.randrange(10**6, 10**7)}" if rng.random() < 0.5 else None
        yield [
            client_id(number),
            business,
            person,
            email,
            phone,
            channel,
            rng.choice(_PLANS),
            state,
            rng.choice(_CMS),
            clickup,
        ]


def periods(size: Size, rng: random.Random) -> Iterator[Sequence[Value]]:
    """Back-to-back periods per client, some with gaps inside or past the grace days."""
    yield PERIODS.headers
    counts = _split(size.periods, size.clients, rng)
    for number, count in enumerate(counts, start=1):
        cid = client_id(number)
        lengths = [rng.randint(1, 4) for _ in range(count)]
        start = MONTH.shift(-sum(lengths) - rng.randint(0, 6)).first_day
        start += timedelta(days=rng.randrange(28))
        open_end = rng.random() < 0.8
        for index, months in enumerate(lengths):
            end = Month.of(start).shift(months).first_day - timedelta(days=1)
            last = index == count - 1
            note = "Renovación" if rng.random() < 0.05 else None
            shown_end: Value = None if last and open_end else _maybe_text(end, rng)
            yield [cid, _maybe_text(start, rng), shown_end, note]
            gap = rng.choices((1, rng.randint(2, 8), rng.randint(9, 60)), (85, 10, 5))[
                0
            ]
            start = end + timedelta(days=gap)


def deliveries(size: Size, rng: random.Random) -> Iterator[Sequence[Value]]:
    """Past benefits in rotation, one month each; some clients already have one in M."""
    yield DELIVERIES.headers
    counts = _split(size.deliveries, size.clients, rng)
    for number, count in enumerate(counts, start=1):
        cid = client_id(number)
        business = f"Cliente {number}"
        cm = rng.choice(_CMS)
        months = sorted(rng.sample(range(0, max(count * 2, 24)), count), reverse=True)
        for turn, ago in enumerate(months):
            month = MONTH.shift(-ago)
            code = _MONTHLY[turn % len(_MONTHLY)]
            state = rng.choices(
                ("entregado", "cancelado", "notificado", "pendiente"), (80, 8, 8, 4)
            )[0]
            notified = datetime.combine(
                month.first_day + timedelta(days=rng.randrange(5)), datetime.min.time()
            ).replace(hour=rng.randrange(9, 18), minute=rng.randrange(60))
            delivered = notified + timedelta(days=rng.randrange(3, 15))
            done = state == "entregado"
            yield [
                f"{cid}-{code}-{month}",
                cid,
                business,
                code,
                str(month),
                state,
                rng.choice(("correo", "whatsapp", "correo, whatsapp")),
                notified if state != "pendiente" else None,
                (notified + timedelta(days=15)).date(),
                delivered if done else None,
                f"https://drive.google.com/file/d/{cid}{month}" if done else None,
                (delivered + timedelta(days=30)).date()
                if done and turn % 7 == 5
                else None,
                cm,
                "Reprogramado" if rng.random() < 0.03 else None,
            ]


def history(size: Size, rng: random.Random) -> Iterator[Sequence[Value]]:
    yield HISTORY.headers
    at = datetime.combine(MONTH.shift(-60).first_day, datetime.min.time())
    for index in range(size.history):
        at += timedelta(minutes=rng.randrange(1, 30))
        cid = client_id(rng.randrange(1, size.clients + 1))
        code = _MONTHLY[index % len(_MONTHLY)]
        yield [at, rng.choice(_CMS), "entregado", f"{cid}-{code}-{Month.of(at)}", ""]


def bad_rows(size: Size, rng: random.Random) -> Iterator[Sequence[Value]]:
    """A few rows a person got wrong, appended at the end of ``Suscripciones``."""
    for index in range(size.bad_rows):
        cid = client_id(rng.randrange(1, size.clients + 1))
        if index % 2:
            yield [cid, "31/02/2026", None, "Fecha que no existe"]
        else:
            yield [cid, date(2026, 5, 1), date(2026, 4, 1), "Fin antes del inicio"]


def catalogue() -> Iterator[Sequence[Value]]:
    yield BENEFITS.headers
    for code, name, kind, minimum, repeat, due, followup in DEFAULT_CATALOGUE:
        plans = "Pro, Premium" if code == "asesoria-meta-ads" else None
        yield [code, name, kind, minimum, repeat, due, followup, plans, "sí"]


def settings() -> Iterator[Sequence[Value]]:
    yield SETTINGS.headers
    yield ["agencia", "Pixely"]
    yield ["dias_gracia", 7]
    yield ["meses_entre_beneficios", 1]


def promotions() -> Iterator[Sequence[Value]]:
    yield PROMOTIONS.headers
    yield ["reels-pro", "Paquete de reels", "4 reels con descuento", MONTH.last_day, 6]


def write(path: Path, size: Size, seed: int = 42) -> None:
    from openpyxl import Workbook

    rng = random.Random(seed)
    book = Workbook(write_only=True)
    tabs: list[tuple[str, Iterator[Sequence[Value]]]] = [
        (CLIENTS.name, clients(size, rng)),
        (PERIODS.name, _chain(periods(size, rng), bad_rows(size, rng))),
        (BENEFITS.name, catalogue()),
        (DELIVERIES.name, deliveries(size, rng)),
        (HISTORY.name, history(size, rng)),
        (SETTINGS.name, settings()),
        (PROMOTIONS.name, promotions()),
    ]
    for title, rows in tabs:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp.xlsx")
    book.save(temporary)
    temporary.replace(path)


def _chain(*parts: Iterator[Sequence[Value]]) -> Iterator[Sequence[Value]]:
    for part in parts:
        yield from part


def path_for(scale: int) -> Path:
    return DATA / f"control-{scale}x.xlsx"


def ensure(scale: int = 1) -> Path:
    """The generated sheet at ``scale``, written first if it is not there yet."""
    path = path_for(scale)
    if not path.exists():
        print(f"generating {path} ...", file=sys.stderr)
        write(path, Size.scaled(scale))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1, help="multiplies every count")
    parser.add_argument(
        "--out", type=Path, help="output .xlsx (default: benchmarks/data)"
    )
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    path = args.out or path_for(args.scale)
    size = Size.scaled(args.scale)
    began = time.perf_counter()
    write(path, size, args.seed)
    took = time.perf_counter() - began
    megabytes = path.stat().st_size / 1e6
    print(f"{path}: {size} in {took:.1f} s, {megabytes:.1f} MB")


if __name__ == "__main__":
    main()
