"""Cell parsers: the forms the contract accepts, and the ones it turns into errors."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from pixely_benefits.sheet import cells
from pixely_benefits.sheet.cells import Cell, CellError


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2026, 3, 1), date(2026, 3, 1)),
        (datetime(2026, 3, 1, 10, 30), date(2026, 3, 1)),
        (46082, date(2026, 3, 1)),
        (46082.0, date(2026, 3, 1)),
        (46082.75, date(2026, 3, 1)),
        (1, date(1899, 12, 31)),
        (61, date(1900, 3, 1)),
        ("2026-03-01", date(2026, 3, 1)),
        ("2026-3-1", date(2026, 3, 1)),
        ("2026-03-01 09:15", date(2026, 3, 1)),
        ("2026-03-01T09:15:30", date(2026, 3, 1)),
        ("01/03/2026", date(2026, 3, 1)),
        ("1/3/2026", date(2026, 3, 1)),
        ("01-03-2026", date(2026, 3, 1)),
        ("  01/03/2026  ", date(2026, 3, 1)),
        ("31/12/2026", date(2026, 12, 31)),
        ("29/02/2028", date(2028, 2, 29)),
        (None, None),
        ("", None),
        ("   ", None),
    ],
)
def test_day_accepts_the_five_forms(value: Cell, expected: date | None) -> None:
    assert cells.day(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("31/02/2026", "la fecha no existe"),
        ("29/02/2026", "la fecha no existe"),
        ("2026-02-30", "la fecha no existe"),
        ("01/13/2026", "la fecha no existe"),
        ("01/03/26", "se esperaba una fecha como 2026-03-01 o 01/03/2026"),
        ("01.03.2026", "se esperaba una fecha como 2026-03-01 o 01/03/2026"),
        ("01/03-2026", "se esperaba una fecha como 2026-03-01 o 01/03/2026"),
        ("marzo 2026", "se esperaba una fecha como 2026-03-01 o 01/03/2026"),
        ("2026-03", "se esperaba una fecha como 2026-03-01 o 01/03/2026"),
        (True, "se esperaba una fecha"),
        (0, "el número no es una fecha válida"),
        (-5, "el número no es una fecha válida"),
        (3_000_000, "el número no es una fecha válida"),
    ],
)
def test_day_rejects_anything_else(value: Cell, message: str) -> None:
    with pytest.raises(CellError) as caught:
        cells.day(value)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-01 09:15", datetime(2026, 3, 1, 9, 15)),
        ("01/03/2026 18:05:09", datetime(2026, 3, 1, 18, 5, 9)),
        (datetime(2026, 3, 1, 10, 30), datetime(2026, 3, 1, 10, 30)),
        (date(2026, 3, 1), datetime(2026, 3, 1)),
        (46082.5, datetime(2026, 3, 1, 12, 0)),
    ],
)
def test_moment_keeps_the_time(value: Cell, expected: datetime) -> None:
    assert cells.moment(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("007", "007"),
        (" 007 ", "007"),
        (7.0, "7"),
        (7, "7"),
        (1001.0, "1001"),
        ("estudio-mercado", "estudio-mercado"),
        (None, None),
        ("  ", None),
    ],
)
def test_identifier_is_text(value: Cell, expected: str | None) -> None:
    assert cells.identifier(value) == expected


def test_identifier_with_decimals_is_an_error() -> None:
    with pytest.raises(CellError, match="decimales"):
        cells.identifier(7.5)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("+51 987 654 321", "+51 987 654 321"),
        ("987 654 321", "987 654 321"),
        ("(01) 234-5678", "(01) 234-5678"),
        (51987654321.0, "51987654321"),
        (987654321, "987654321"),
    ],
)
def test_phone_is_kept_as_typed(value: Cell, expected: str) -> None:
    assert cells.text(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, 3),
        (3.0, 3),
        ("12", 12),
        (" 12 ", 12),
        ("6,0", 6),
        (0, 0),
        (None, None),
        ("", None),
    ],
)
def test_whole_number(value: Cell, expected: int | None) -> None:
    assert cells.whole_number(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("siete", "se esperaba un número entero"),
        (2.5, "se esperaba un número entero, sin decimales"),
        ("2,5", "se esperaba un número entero, sin decimales"),
        (-1, "el número debe ser 0 o más"),
        (True, "se esperaba un número entero"),
        (date(2026, 1, 1), "se esperaba un número entero"),
    ],
)
def test_whole_number_errors(value: Cell, message: str) -> None:
    with pytest.raises(CellError) as caught:
        cells.whole_number(value)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("sí", True),
        ("Sí", True),
        (" SI ", True),
        ("si", True),
        ("yes", True),
        ("true", True),
        ("TRUE", True),
        ("1", True),
        (1, True),
        (1.0, True),
        (True, True),
        ("no", False),
        ("No ", False),
        ("false", False),
        ("0", False),
        (0, False),
        (False, False),
        (None, None),
        ("", None),
    ],
)
def test_flag(value: Cell, expected: bool | None) -> None:
    assert cells.flag(value) is expected


@pytest.mark.parametrize("value", ["quizás", "2", "n"])
def test_flag_rejects_other_words(value: Cell) -> None:
    with pytest.raises(CellError, match="«sí» o «no»"):
        cells.flag(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03", "2026-03"),
        ("2026-3", "2026-03"),
        (" 2026-12 ", "2026-12"),
        (date(2026, 3, 15), "2026-03"),
        (datetime(2026, 3, 31, 23, 59), "2026-03"),
        ("2026-03-15", "2026-03"),
        ("15/03/2026", "2026-03"),
        (46082, "2026-03"),
        (None, None),
    ],
)
def test_month(value: Cell, expected: str | None) -> None:
    assert cells.month(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-13", "el mes no existe"),
        ("2026-00", "el mes no existe"),
        ("diciembre", "se esperaba un mes como 2026-03"),
        ("12/2026", "se esperaba un mes como 2026-03"),
        ("0000-12", "el año debe estar entre 1900 y 9990"),
        ("9999-12", "el año debe estar entre 1900 y 9990"),
        (date(1, 1, 1), "el año debe estar entre 1900 y 9990"),
    ],
)
def test_month_errors(value: Cell, message: str) -> None:
    with pytest.raises(CellError) as caught:
        cells.month(value)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (" Pausado ", "pausado"),
        ("CAMPAÑA", "campana"),
        ("WhatsApp", "whatsapp"),
        (None, None),
    ],
)
def test_word_is_folded(value: Cell, expected: str | None) -> None:
    assert cells.word(value) == expected
