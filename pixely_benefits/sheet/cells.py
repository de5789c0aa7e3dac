"""Turning raw cell values into typed values.

Cells arrive from either backend as ``str``, ``int``, ``float``, ``bool``,
``date``/``datetime`` or ``None``. Every parser raises :class:`CellError` with
a Spanish message when the value cannot be read; callers turn that into a
row problem.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import TypeAlias

from pixely_benefits.months import FIRST_YEAR, LAST_YEAR
from pixely_benefits.sheet.schema import normalize

Cell: TypeAlias = str | int | float | bool | date | datetime | None
"""A raw value as a backend returns it (``datetime`` is a subclass of ``date``)."""

SERIAL_EPOCH = date(1899, 12, 30)
"""Day zero of spreadsheet serial dates (Excel's 1900 system, as Google uses it)."""

_ISO_DATE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)
_DAY_FIRST = re.compile(
    r"^(\d{1,2})([/-])(\d{1,2})\2(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


class CellError(ValueError):
    """A cell value that cannot be read; the message is for the CM."""


def is_blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Cell) -> str | None:
    """Plain text, trimmed; ``None`` when blank. Whole numbers lose their ``.0``."""
    if isinstance(value, str):  # first: most cells are text
        return value.strip() or None
    if value is None:
        return None
    if isinstance(value, bool):
        return "sí" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def identifier(value: Cell) -> str | None:
    """An ID or code: text kept as typed (``007``), a number cell ``7.0`` read as ``7``."""
    if isinstance(value, str):  # first: most IDs are text
        return value.strip() or None
    if isinstance(value, float) and not value.is_integer():
        raise CellError("un código no puede tener decimales")
    return text(value)


def word(value: Cell) -> str | None:
    """A keyword cell (Estado, Canal, Tipo...) folded for comparison."""
    raw = text(value)
    return normalize(raw) if raw is not None else None


def _serial_to_datetime(serial: float) -> datetime:
    if serial < 1 or serial > 2958465:  # 9999-12-31
        raise CellError("el número no es una fecha válida")
    moment = datetime.combine(SERIAL_EPOCH, time()) + timedelta(days=serial)
    return moment.replace(microsecond=0)


def _build(
    year: int,
    month: int,
    day: int,
    hour: str | None,
    minute: str | None,
    sec: str | None,
) -> datetime:
    try:
        return datetime(
            year, month, day, int(hour or 0), int(minute or 0), int(sec or 0)
        )
    except ValueError:
        raise CellError("la fecha no existe") from None


def moment(value: Cell) -> datetime | None:
    """A date or date-time in any accepted form; ``None`` when blank.

    Accepted: date cells, serial numbers, ISO text (``2026-03-01``, optionally
    with ``HH:MM``) and day-first text (``01/03/2026``, ``1/3/2026``,
    ``01-03-2026``).
    """
    if isinstance(value, datetime):  # first: most dates are date cells
        return value
    if is_blank(value):
        return None
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, bool):
        raise CellError("se esperaba una fecha")
    if isinstance(value, int | float):
        return _serial_to_datetime(float(value))
    raw = str(value).strip()
    if found := _ISO_DATE.match(raw):
        y, m, d, hh, mm, ss = found.groups()
        return _build(int(y), int(m), int(d), hh, mm, ss)
    if found := _DAY_FIRST.match(raw):
        d, _, m, y, hh, mm, ss = found.groups()
        return _build(int(y), int(m), int(d), hh, mm, ss)
    raise CellError("se esperaba una fecha como 2026-03-01 o 01/03/2026")


def day(value: Cell) -> date | None:
    """A date in any accepted form, without its time; ``None`` when blank."""
    if type(value) is date:  # a date cell (not a date-time) is already the answer
        return value
    found = moment(value)
    return found.date() if found is not None else None


def month(value: Cell) -> str | None:
    """A month as ``YYYY-MM``: from ``2026-03`` text or any accepted date form.

    The year must lie in the range :meth:`Month.parse` accepts.
    """
    if is_blank(value):
        return None
    if isinstance(value, str) and (found := _MONTH.match(value.strip())):
        year, mon = int(found.group(1)), int(found.group(2))
        if not 1 <= mon <= 12:
            raise CellError("el mes no existe")
    else:
        try:
            found_day = day(value)
        except CellError:
            raise CellError("se esperaba un mes como 2026-03") from None
        assert found_day is not None
        year, mon = found_day.year, found_day.month
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise CellError(f"el año debe estar entre {FIRST_YEAR} y {LAST_YEAR}")
    return f"{year:04d}-{mon:02d}"


def whole_number(value: Cell, *, minimum: int = 0) -> int | None:
    """A whole number ≥ ``minimum``; ``None`` when blank."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError("se esperaba un número entero")
    number: float
    if isinstance(value, int | float):
        number = value
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            raise CellError("se esperaba un número entero") from None
    else:
        raise CellError("se esperaba un número entero")
    if not float(number).is_integer():
        raise CellError("se esperaba un número entero, sin decimales")
    if number < minimum:
        raise CellError(f"el número debe ser {minimum} o más")
    return int(number)


_TRUE = {"si", "yes", "true", "1", "verdadero", "x"}
_FALSE = {"no", "false", "0", "falso"}


def flag(value: Cell) -> bool | None:
    """``sí``/``no`` (also si, yes, true, false, 1, 0); ``None`` when blank."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    folded = word(value)
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise CellError("se esperaba «sí» o «no»")
