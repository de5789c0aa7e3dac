"""Header matching: lenient names, aliases, any order, and the structural errors."""

from __future__ import annotations

import pytest

from pixely_benefits.errors import StructuralError
from pixely_benefits.sheet.schema import (
    ALL_TABS,
    BENEFITS,
    CLIENTS,
    DELIVERIES,
    PERIODS,
    TabSpec,
    column_letter,
    match_headers,
    normalize,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  fecha   LÍMITE ", "fecha limite"),
        ("Fecha límite", "fecha limite"),
        (" FECHA inicio ", "fecha inicio"),
        ("Configuración", "configuracion"),
        ("Plazo (días)", "plazo (dias)"),
        ("\tID\n", "id"),
        ("", ""),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize(
    ("index", "letters"), [(0, "A"), (25, "Z"), (26, "AA"), (51, "AZ"), (1023, "AMJ")]
)
def test_column_letter(index: int, letters: str) -> None:
    assert column_letter(index) == letters


@pytest.mark.parametrize(
    ("spec", "header", "key", "index"),
    [
        (DELIVERIES, ["ID", "ID cliente", "Beneficio", "Mes", "Estado",
                      "  fecha   LÍMITE "], "due", 5),
        (PERIODS, ["ID cliente", " FECHA inicio "], "start", 1),
        (PERIODS, ["Cliente ID", "Inicio"], "client_id", 0),
        (PERIODS, ["id", "inicio", "FECHA FIN"], "end", 2),
        (CLIENTS, ["Código", "Empresa"], "client_id", 0),
        (CLIENTS, ["ID cliente", "Nombre"], "name", 1),
        (CLIENTS, ["ID", "Cliente", "E-mail"], "email", 2),
        (CLIENTS, ["ID", "Cliente", "Celular"], "phone", 2),
        (CLIENTS, ["ID", "Cliente", "Persona de contacto"], "contact", 2),
        (CLIENTS, ["ID", "Cliente", "responsable"], "cm", 2),
        (BENEFITS, ["codigo", "BENEFICIO", "meses minimos", "plazo (DIAS)"],
         "due_days", 3),
    ],
)  # fmt: skip
def test_headers_match_leniently_and_by_alias(
    spec: TabSpec, header: list[str], key: str, index: int
) -> None:
    assert match_headers(spec, header)[key] == index


def test_any_column_order_and_extra_columns_ignored() -> None:
    header = ["Notas internas", "Cliente", "Plan", "", "ID", "Color favorito"]
    assert match_headers(CLIENTS, header) == {"client_id": 4, "name": 1, "plan": 2}


@pytest.mark.parametrize(
    ("spec", "header", "expected"),
    [
        # In Suscripciones "ID" is an alias of "ID cliente", in Clientes the other
        # way round: with both present no one knows which column holds the IDs.
        (PERIODS, ["ID", "Inicio", "ID cliente"],
         "La pestaña «Suscripciones» tiene dos columnas para «ID cliente», «ID» (A) "
         "y «ID cliente» (C), y pixely no sabe cuál leer: deja solo una o cambia el "
         "nombre de las demás."),
        (CLIENTS, ["ID", "Cliente", "ID cliente"],
         "La pestaña «Clientes» tiene dos columnas para «ID», «ID» (A) y "
         "«ID cliente» (C), y pixely"),
        (CLIENTS, ["ID", "Cliente", "Correo", "Teléfono", "E-mail"],
         "dos columnas para «Correo», «Correo» (C) y «E-mail» (E)"),
        (CLIENTS, ["Email", "ID", "Cliente", "e-mail", "Correo"],
         "tres columnas para «Correo», «Email» (A), «e-mail» (D) y «Correo» (E)"),
    ],
)  # fmt: skip
def test_two_names_of_one_column_are_ambiguous(
    spec: TabSpec, header: list[str], expected: str
) -> None:
    with pytest.raises(StructuralError) as caught:
        match_headers(spec, header)
    assert expected in caught.value.message


def test_duplicated_header_names_tab_and_columns() -> None:
    header = ["ID", "Cliente", "Contacto", "Correo", "Correo"]
    with pytest.raises(StructuralError) as caught:
        match_headers(CLIENTS, header)
    assert caught.value.message == (
        "La pestaña «Clientes» tiene el encabezado «Correo» repetido en las "
        "columnas D y E: deja solo una."
    )


def test_duplicated_header_after_normalizing() -> None:
    with pytest.raises(StructuralError, match="columnas A y C"):
        match_headers(CLIENTS, ["ID", "Cliente", " id "])


def test_duplicated_extra_column_is_ignored() -> None:
    header = ["ID", "Cliente", "Notas", "Notas"]
    assert match_headers(CLIENTS, header) == {"client_id": 0, "name": 1}


def test_blank_header_with_data_between_two_columns() -> None:
    header = ["ID", "", "Cliente"]
    with pytest.raises(StructuralError) as caught:
        match_headers(CLIENTS, header, [True, True, True])
    assert caught.value.message == (
        "La pestaña «Clientes» tiene datos en la columna B pero su encabezado "
        "(fila 1) está vacío: escribe el nombre de la columna o bórrala."
    )


def test_blank_header_over_an_empty_column_is_fine() -> None:
    assert match_headers(CLIENTS, ["ID", "", "Cliente"], [True, False, True]) == {
        "client_id": 0,
        "name": 2,
    }


@pytest.mark.parametrize(
    ("spec", "header", "missing"),
    [
        (CLIENTS, ["Cliente", "Correo"], "ID"),
        (CLIENTS, ["ID", "Correo"], "Cliente"),
        (PERIODS, ["ID cliente", "Fin"], "Inicio"),
        (BENEFITS, ["Código", "Beneficio"], "Meses mínimos"),
        (DELIVERIES, ["ID", "ID cliente", "Beneficio", "Estado"], "Mes"),
        (CLIENTS, [], "ID"),
    ],
)
def test_missing_required_header_is_named(
    spec: TabSpec, header: list[str], missing: str
) -> None:
    with pytest.raises(StructuralError) as caught:
        match_headers(spec, header)
    assert caught.value.message == (
        f"A la pestaña «{spec.name}» le falta la columna obligatoria «{missing}»: "
        "añádela en la fila 1."
    )
    assert caught.value.exit_code == 2


def test_every_tab_matches_its_own_headers() -> None:
    for spec in ALL_TABS:
        found = match_headers(spec, spec.headers)
        assert found == {c.key: i for i, c in enumerate(spec.columns)}, spec.name
