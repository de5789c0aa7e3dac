"""From real ``.xlsx`` files to records and problems: each bad input of the contract."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pixely_benefits.errors import StructuralError
from pixely_benefits.loading import Loaded, load
from pixely_benefits.months import Month
from pixely_benefits.problems import Problem
from pixely_benefits.records import DeliveryState
from pixely_benefits.sheet.workbook import WorkbookStore
from pixely_benefits.starter import catalogue_rows
from tests.conftest import Cell, Tabs, write_xlsx

CLIENT_HEADER = ["ID", "Cliente", "WhatsApp", "Plan", "Estado"]
PERIOD_HEADER = ["ID cliente", "Inicio", "Fin"]
DELIVERY_HEADER = ["ID", "ID cliente", "Beneficio", "Mes", "Estado"]
BENEFIT_HEADER = ["Código", "Beneficio", "Tipo", "Meses mínimos", "Repetir cada"]


def catalogue() -> list[list[Cell]]:
    return [BENEFIT_HEADER] + [
        [row[h] for h in BENEFIT_HEADER] for row in catalogue_rows()
    ]


def base_tabs() -> dict[str, list[list[Cell]]]:
    return {
        "Clientes": [CLIENT_HEADER, ["001", "Café Aroma", None, "Pro", "activo"]],
        "Suscripciones": [PERIOD_HEADER, ["001", date(2026, 1, 1), None]],
        "Beneficios": catalogue(),
    }


def load_tabs(tmp_path: Path, tabs: Tabs) -> Loaded:
    return load(WorkbookStore(write_xlsx(tmp_path / "control.xlsx", tabs)))


def test_clean_sheet_loads_without_problems(tmp_path: Path) -> None:
    loaded = load_tabs(tmp_path, base_tabs())
    assert loaded.problems == []
    assert [c.client_id for c in loaded.data.clients] == ["001"]
    assert [b.code for b in loaded.data.benefits][:2] == [
        "publicaciones-adicionales",
        "optimizacion-estrategia",
    ]
    assert loaded.data.deliveries == []
    assert loaded.data.settings.grace_days == 7
    assert loaded.data.settings.months_between == 1


def test_ids_and_phones_stay_text(tmp_path: Path) -> None:
    tabs = base_tabs()
    tabs["Clientes"] = [
        CLIENT_HEADER,
        ["007", "Boutique Aurora", "+51 987 654 321", "Pro", None],
        [7.0, "Siete SAC", 987654321, "Pro", " Pausado "],
    ]
    tabs["Suscripciones"] = [
        PERIOD_HEADER,
        ["007", date(2026, 1, 1), None],
        [7, "01/02/2026", None],
    ]
    loaded = load_tabs(tmp_path, tabs)
    assert loaded.problems == []
    first, second = loaded.data.clients
    assert (first.client_id, first.phone) == ("007", "+51 987 654 321")
    assert (second.client_id, second.phone) == ("7", "987654321")
    assert second.state.value == "pausado"
    assert first.state.value == "activo"
    assert [p.start for p in loaded.data.periods["007"]] == [date(2026, 1, 1)]
    assert [p.start for p in loaded.data.periods["7"]] == [date(2026, 2, 1)]


def test_the_five_date_forms_in_a_workbook(tmp_path: Path) -> None:
    tabs = base_tabs()
    tabs["Clientes"] += [[f"00{n}", f"Cliente {n}", None, "Pro", None] for n in "2345"]
    tabs["Suscripciones"] = [
        PERIOD_HEADER,
        ["001", date(2026, 3, 1), None],
        ["002", 46082, None],
        ["003", "2026-03-01", None],
        ["004", "01/03/2026", "1/3/2027"],
        ["005", "01-03-2026", None],
    ]
    loaded = load_tabs(tmp_path, tabs)
    assert loaded.problems == []
    starts = {cid: ps[0].start for cid, ps in loaded.data.periods.items()}
    assert set(starts.values()) == {date(2026, 3, 1)}
    assert len(starts) == 5
    assert loaded.data.periods["004"][0].end == date(2027, 3, 1)


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (
            ["001", date(2026, 3, 1), date(2026, 2, 1)],
            Problem("Suscripciones", 3, "Fin", "2026-02-01", "el fin es anterior al inicio"),
        ),
        (
            ["099", date(2026, 3, 1), None],
            Problem("Suscripciones", 3, "ID cliente", "099",
                    "no hay ningún cliente con ese ID en «Clientes»"),
        ),
        (
            ["001", "31/02/2026", None],
            Problem("Suscripciones", 3, "Inicio", "31/02/2026", "la fecha no existe"),
        ),
        (
            ["001", "marzo", None],
            Problem("Suscripciones", 3, "Inicio", "marzo",
                    "se esperaba una fecha como 2026-03-01 o 01/03/2026"),
        ),
        (
            ["001", None, date(2026, 3, 1)],
            Problem("Suscripciones", 3, "Inicio", "", "falta la fecha de inicio"),
        ),
        (
            [None, date(2026, 3, 1), None],
            Problem("Suscripciones", 3, "ID cliente", "", "falta el ID del cliente"),
        ),
        (
            [1.5, date(2026, 3, 1), None],
            Problem("Suscripciones", 3, "ID cliente", "1.5",
                    "un código no puede tener decimales"),
        ),
    ],
)  # fmt: skip
def test_bad_period_rows(tmp_path: Path, row: list[Cell], problem: Problem) -> None:
    tabs = base_tabs()
    tabs["Suscripciones"].append(row)
    loaded = load_tabs(tmp_path, tabs)
    assert loaded.problems == [problem]
    assert [p.row for p in loaded.data.periods["001"]] == [2]


def test_duplicate_client_id_is_an_error_on_every_row(tmp_path: Path) -> None:
    tabs = base_tabs()
    tabs["Clientes"] += [
        ["002", "Otro", None, "Pro", None],
        ["001", "Café Aroma (copia)", None, "Pro", None],
    ]
    tabs["Suscripciones"].append(["002", date(2026, 1, 1), None])
    loaded = load_tabs(tmp_path, tabs)
    message = (
        "ID de cliente repetido en 2 filas: ninguna se usa hasta que quede una sola"
    )
    assert loaded.problems == [
        Problem("Clientes", 2, "ID", "001", message),
        Problem("Clientes", 4, "ID", "001", message),
    ]
    assert [c.client_id for c in loaded.data.clients] == ["002"]
    # The periods of a duplicated client are not "unknown": no second problem.
    assert "001" not in loaded.data.periods


def test_duplicate_client_id_counts_rows_that_are_bad_for_another_reason(
    tmp_path: Path,
) -> None:
    tabs = base_tabs()
    tabs["Clientes"].append(["001", None, None, "Pro", None])
    loaded = load_tabs(tmp_path, tabs)
    message = (
        "ID de cliente repetido en 2 filas: ninguna se usa hasta que quede una sola"
    )
    assert loaded.problems == [
        Problem("Clientes", 2, "ID", "001", message),
        Problem("Clientes", 3, "Cliente", "", "falta este dato obligatorio"),
        Problem("Clientes", 3, "ID", "001", message),
    ]
    assert loaded.data.clients == []


def test_blank_rows_are_skipped_and_row_numbers_stay_the_sheets(tmp_path: Path) -> None:
    tabs = base_tabs()
    tabs["Clientes"] = [
        CLIENT_HEADER,
        ["001", "Café Aroma", None, "Pro", None],
        [None, None, None, None, None],
        [],
        ["   ", "", None],
        ["002", "Heladería Polar", None, "Básico", "dormido"],
        ["003", "Librería Letras", None, "Básico", None],
    ]
    loaded = load_tabs(tmp_path, tabs)
    assert loaded.problems == [
        Problem(
            "Clientes",
            6,
            "Estado",
            "dormido",
            "se esperaba «activo», «pausado», «cancelado»",
        )
    ]
    assert [(c.row, c.client_id) for c in loaded.data.clients] == [
        (2, "001"),
        (7, "003"),
    ]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("siete", "se esperaba un número entero; se usa el valor por omisión"),
        (
            "2,5",
            "se esperaba un número entero, sin decimales; se usa el valor por omisión",
        ),
        (-3, "el número debe ser 0 o más; se usa el valor por omisión"),
    ],
)
def test_configuration_value_that_is_not_a_number(
    tmp_path: Path, value: Cell, problem: str
) -> None:
    tabs = base_tabs()
    tabs["Configuración"] = [
        ["Clave", "Valor"],
        ["agencia", "Pixely Lima"],
        ["dias_gracia", value],
        ["meses_entre_beneficios", 3],
    ]
    loaded = load_tabs(tmp_path, tabs)
    shown = str(value).strip()
    assert loaded.problems == [Problem("Configuración", 3, "Valor", shown, problem)]
    settings = loaded.data.settings
    assert settings.grace_days == 7
    assert settings.months_between == 3
    assert settings.agency == "Pixely Lima"


def test_configuration_keys_match_leniently_and_unknown_keys_are_reported(
    tmp_path: Path,
) -> None:
    tabs = base_tabs()
    tabs["configuracion"] = [
        [" clave ", "VALOR"],
        ["Días gracia", 10],
        ["Zona_Horaria", "America/Lima"],
        ["region_telefono", "pe"],
        ["color", "morado"],
        [None, "huérfano"],
        ["zona_horaria", "Luna/Base"],
    ]
    loaded = load_tabs(tmp_path, tabs)
    keys = "agencia, zona_horaria, region_telefono, dias_gracia, meses_entre_beneficios, firma"
    assert loaded.problems == [
        Problem("configuracion", 5, "clave", "color", f"clave desconocida: las válidas son {keys}"),
        Problem("configuracion", 6, "clave", "", "falta la clave"),
        Problem("configuracion", 7, "VALOR", "Luna/Base",
                "zona horaria desconocida: usa un nombre como America/Lima; "
                "se usa el valor por omisión"),
    ]  # fmt: skip
    settings = loaded.data.settings
    assert settings.grace_days == 10
    assert settings.timezone == "America/Lima"
    assert settings.phone_region == "PE"


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (
            ["001-x-2026-13", "001", "x", "2026-13", "entregado"],
            Problem("Entregas", 3, "Mes", "2026-13", "el mes no existe"),
        ),
        (
            ["001-x-dic", "001", "x", "diciembre", "entregado"],
            Problem("Entregas", 3, "Mes", "diciembre", "se esperaba un mes como 2026-03"),
        ),
        (
            ["001-x-2026-11", "001", "x", "2026-11", "enviado"],
            Problem("Entregas", 3, "Estado", "enviado",
                    "estado desconocido: usa pendiente, notificado, entregado, "
                    "cancelado, aceptado"),
        ),
        (
            ["001-x-2026-11", "001", "x", "2026-11", None],
            Problem("Entregas", 3, "Estado", "", "falta este dato obligatorio"),
        ),
        (
            ["001-publicaciones-adicionales-2026-10", "001", "y", "2026-11", "pendiente"],
            Problem("Entregas", 3, "ID", "001-publicaciones-adicionales-2026-10",
                    "ID repetido (ya está en la fila 2): se usa solo la primera"),
        ),
    ],
)  # fmt: skip
def test_bad_delivery_rows(tmp_path: Path, row: list[Cell], problem: Problem) -> None:
    tabs = base_tabs()
    tabs["Entregas"] = [
        DELIVERY_HEADER,
        [
            "001-publicaciones-adicionales-2026-10",
            "001",
            "publicaciones-adicionales",
            "2026-10",
            "entregado",
        ],
        row,
    ]
    loaded = load_tabs(tmp_path, tabs)
    assert loaded.problems == [problem]
    assert [d.row for d in loaded.data.deliveries] == [2]
    if row[0] is not None:
        assert str(row[0]) in loaded.data.delivery_ids


@pytest.mark.parametrize(
    ("raw_id", "problem", "key_problem"),
    [
        (None, "falta el ID de la entrega", "no tiene ID"),
        (7.5, "un código no puede tener decimales",
         "tiene un ID que no se puede leer («7.5»)"),
    ],
)  # fmt: skip
def test_a_delivery_row_without_a_readable_id_still_counts(
    tmp_path: Path, raw_id: Cell, problem: str, key_problem: str
) -> None:
    tabs = base_tabs()
    tabs["Entregas"] = [
        DELIVERY_HEADER,
        [raw_id, "001", "consultoria-negocio", "2026-12", "notificado"],
    ]
    loaded = load_tabs(tmp_path, tabs)
    assert loaded.problems == [
        Problem("Entregas", 2, "ID", "" if raw_id is None else "7.5",
                f"{problem}: la fila cuenta para las reglas, pero pixely no puede "
                "escribir en ella hasta que lo tenga"),
    ]  # fmt: skip
    (row,) = loaded.data.deliveries
    assert (row.delivery_id, row.client_id, row.month, row.label) == (
        "",
        "001",
        Month(2026, 12),
        "fila 2 (sin ID)",
    )
    assert row.key_problem == (
        f"la fila 2 de «Entregas» {key_problem}: escribe "
        "«001-consultoria-negocio-2026-12» en su columna ID y repite el comando"
    )


def test_a_repeated_delivery_id_keeps_the_first_row_and_names_both(
    tmp_path: Path,
) -> None:
    tabs = base_tabs()
    key = "001-publicaciones-adicionales-2026-12"
    tabs["Entregas"] = [
        DELIVERY_HEADER,
        ["otro", "001", "estudio-mercado", "2026-06", "entregado"],
        [key, "001", "publicaciones-adicionales", "2026-12", "pendiente"],
        [key, "001", "publicaciones-adicionales", "2026-12", "notificado"],
    ]
    loaded = load_tabs(tmp_path, tabs)
    assert [p.row for p in loaded.problems] == [4]
    first, second = loaded.data.deliveries
    assert (first.key_problem, second.row) == (None, 3)
    assert second.key_problem == (
        f"el ID «{key}» está repetido en las filas 3 y 4 de «Entregas»: deja solo "
        "una y repite el comando"
    )
    (stub,) = loaded.data.unread_deliveries
    assert (stub.row, stub.delivery_id, stub.state) == (
        4,
        key,
        DeliveryState.NOTIFIED,
    )


def test_a_bad_delivery_row_keeps_what_can_be_read(tmp_path: Path) -> None:
    tabs = base_tabs()
    tabs["Entregas"] = [
        DELIVERY_HEADER,
        [None, "001", "estudio-mercado", "2026-12", "enviado"],
        ["x", None, None, "diciembre", None],
    ]
    loaded = load_tabs(tmp_path, tabs)
    assert loaded.data.deliveries == []
    assert [
        (s.row, s.delivery_id, s.client_id, s.benefit, s.month, s.state)
        for s in loaded.data.unread_deliveries
    ] == [
        (2, None, "001", "estudio-mercado", Month(2026, 12), None),
        (3, "x", None, None, None, None),
    ]
    assert [(p.row, p.column) for p in loaded.problems] == [
        (2, "ID"),
        (2, "Estado"),
        (3, "Mes"),
    ]


def test_delivery_month_from_a_date_cell(tmp_path: Path) -> None:
    tabs = base_tabs()
    tabs["Entregas"] = [
        DELIVERY_HEADER,
        ["a", "001", "estudio-mercado", date(2026, 3, 15), " Entregado "],
        ["b", "001", "estudio-mercado", "2026-4", "ACEPTADO"],
    ]
    loaded = load_tabs(tmp_path, tabs)
    assert loaded.problems == []
    assert [(d.month, d.state) for d in loaded.data.deliveries] == [
        (Month(2026, 3), DeliveryState.DELIVERED),
        (Month(2026, 4), DeliveryState.ACCEPTED),
    ]


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (
            ["x", "X", "mensual", "tres", None],
            Problem("Beneficios", 9, "Meses mínimos", "tres", "se esperaba un número entero"),
        ),
        (
            ["x", "X", "mensual", None, None],
            Problem("Beneficios", 9, "Meses mínimos", "", "falta este dato obligatorio"),
        ),
        (
            ["x", "X", "anual", 3, None],
            Problem("Beneficios", 9, "Tipo", "anual", "se esperaba «mensual», «campaña»"),
        ),
        (
            ["estudio-mercado", "Otra vez", "mensual", 3, None],
            Problem("Beneficios", 5, "Código", "estudio-mercado",
                    "código repetido en 2 filas: ninguna se usa hasta que quede una sola"),
        ),
    ],
)  # fmt: skip
def test_bad_benefit_rows(tmp_path: Path, row: list[Cell], problem: Problem) -> None:
    tabs = base_tabs()
    tabs["Beneficios"].append(row)
    loaded = load_tabs(tmp_path, tabs)
    assert problem in loaded.problems
    assert "x" not in {b.code for b in loaded.data.benefits}


@pytest.mark.parametrize("missing", ["Clientes", "Suscripciones", "Beneficios"])
def test_missing_required_tab_is_structural(tmp_path: Path, missing: str) -> None:
    tabs = base_tabs()
    del tabs[missing]
    with pytest.raises(StructuralError) as caught:
        load_tabs(tmp_path, tabs)
    assert f"Falta la pestaña «{missing}»" in caught.value.message


def test_optional_tabs_may_be_missing_and_tab_names_match_leniently(
    tmp_path: Path,
) -> None:
    tabs = base_tabs()
    renamed = {" CLIENTES ": tabs.pop("Clientes"), **tabs, "Notas del equipo": [["x"]]}
    loaded = load_tabs(tmp_path, renamed)
    assert loaded.problems == []
    assert [c.client_id for c in loaded.data.clients] == ["001"]
    assert loaded.data.promotions == []


def test_structural_error_in_a_header_stops_the_read(tmp_path: Path) -> None:
    tabs = base_tabs()
    tabs["Clientes"] = [
        ["ID", "Cliente", "Correo", "Correo"],
        ["001", "Café Aroma", "a@b.pe", "c@d.pe"],
    ]
    with pytest.raises(
        StructuralError, match="«Correo» repetido en las columnas C y D"
    ):
        load_tabs(tmp_path, tabs)


def test_blank_header_with_data_under_it_stops_the_read(tmp_path: Path) -> None:
    tabs = base_tabs()
    tabs["Clientes"] = [
        ["ID", None, "Cliente"],
        ["001", "dato suelto", "Café Aroma"],
    ]
    with pytest.raises(StructuralError, match="datos en la columna B"):
        load_tabs(tmp_path, tabs)


def test_headers_with_spaces_accents_and_aliases_in_a_workbook(tmp_path: Path) -> None:
    tabs = base_tabs()
    tabs["Suscripciones"] = [
        ["Nota", " FECHA inicio ", "cliente id", "fecha FIN"],
        ["renovó", "01/01/2026", "001", "31/12/2026"],
    ]
    tabs["Entregas"] = [
        ["Mes", "ID", "  fecha   LÍMITE ", "Beneficio", "estado", "ID Cliente"],
        ["2026-10", "e1", "15/10/2026", "estudio-mercado", "notificado", "001"],
    ]
    loaded = load_tabs(tmp_path, tabs)
    assert loaded.problems == []
    (period,) = loaded.data.periods["001"]
    assert (period.start, period.end, period.note) == (
        date(2026, 1, 1),
        date(2026, 12, 31),
        "renovó",
    )
    (delivery,) = loaded.data.deliveries
    assert delivery.due == date(2026, 10, 15)
    assert delivery.client_id == "001"
