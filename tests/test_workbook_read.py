"""Reading a local workbook: files that are not there or not workbooks, odd files
saved by other programs, and formulas without a saved result."""

from __future__ import annotations

import zipfile
from datetime import date, datetime, time
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.styles import Font

from pixely_benefits.errors import SheetFormatError, SheetNotFoundError
from pixely_benefits.loading import load
from pixely_benefits.problems import Problem
from pixely_benefits.sheet.base import RawRow
from pixely_benefits.sheet.schema import ALL_TABS, CLIENTS, PERIODS
from pixely_benefits.sheet.workbook import WorkbookStore
from tests.conftest import Tabs, demo_rows, write_xlsx

MINIMAL: Tabs = {
    "Clientes": [["ID", "Cliente"], ["001", "Café Aroma"]],
    "Suscripciones": [["ID cliente", "Inicio"], ["001", date(2026, 1, 1)]],
    "Beneficios": [
        ["Código", "Beneficio", "Meses mínimos"],
        ["estudio-mercado", "Estudio de mercado", 6],
    ],
}


def rewrite_part(path: Path, part: str, old: str, new: str) -> None:
    """Replace text inside one XML part of the workbook, as another program might save it."""
    with zipfile.ZipFile(path) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    xml = contents[part].decode()
    assert old in xml, xml
    contents[part] = xml.replace(old, new).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            archive.writestr(name, data)


def test_missing_file_says_how_to_create_one(tmp_path: Path) -> None:
    path = tmp_path / "no-existe.xlsx"
    with pytest.raises(SheetNotFoundError) as caught:
        WorkbookStore(path).read(ALL_TABS)
    assert caught.value.message == (
        f"No existe el archivo «{path}»: créalo con «pixely init {path}» o indica "
        "otra hoja con --sheet."
    )
    assert caught.value.exit_code == 2


def test_a_directory_is_not_a_workbook(tmp_path: Path) -> None:
    folder = tmp_path / "hojas.xlsx"
    folder.mkdir()
    with pytest.raises(SheetNotFoundError, match="es una carpeta"):
        WorkbookStore(folder).read(ALL_TABS)


def test_a_csv_file_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "clientes.csv"
    path.write_text("ID,Cliente\n001,Café Aroma\n", encoding="utf-8")
    with pytest.raises(SheetFormatError) as caught:
        WorkbookStore(path).read(ALL_TABS)
    assert caught.value.message == (
        "«clientes.csv» no es un libro de Excel (.xlsx): guarda la hoja de control "
        "como .xlsx o indica la URL de Google Sheets."
    )


@pytest.mark.parametrize(
    "content",
    [
        b"ID,Cliente\n001,Caf\xc3\xa9 Aroma\n",
        b"",
        bytes(range(256)) * 4,
    ],
    ids=["csv-renamed", "empty", "random-bytes"],
)
def test_a_corrupt_file_gets_one_spanish_sentence(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "beneficios.xlsx"
    path.write_bytes(content)
    with pytest.raises(SheetFormatError) as caught:
        WorkbookStore(path).read(ALL_TABS)
    assert caught.value.message == (
        "No se puede leer «beneficios.xlsx» como libro de Excel: comprueba que no "
        "esté dañado y que sea un .xlsx (ábrelo y guárdalo de nuevo como .xlsx)."
    )


def test_a_truncated_workbook_is_a_format_error(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "beneficios.xlsx", demo_rows())
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SheetFormatError, match=r"No se puede leer «beneficios\.xlsx»"):
        WorkbookStore(path).read(ALL_TABS)


def test_a_zip_that_is_not_a_workbook_is_a_format_error(tmp_path: Path) -> None:
    path = tmp_path / "beneficios.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notas.txt", "hola")
    with pytest.raises(SheetFormatError, match=r"No se puede leer «beneficios\.xlsx»"):
        WorkbookStore(path).read(ALL_TABS)


def test_workbook_open_in_excel_is_still_readable(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "beneficios.xlsx", MINIMAL)
    # Excel keeps a small hidden owner file beside a workbook it has open.
    (tmp_path / "~$beneficios.xlsx").write_bytes(b"\x05Lucia" + b"\x00" * 157)
    loaded = load(WorkbookStore(path))
    assert loaded.problems == []
    assert [c.client_id for c in loaded.data.clients] == ["001"]


def test_huge_claimed_used_range_reads_only_the_data(tmp_path: Path) -> None:
    """LibreOffice saves formatted empty cells far right and far below the data."""
    path = write_xlsx(tmp_path / "beneficios.xlsx", MINIMAL)
    from openpyxl import load_workbook

    book = load_workbook(path)
    bold = Font(bold=True)
    for title in ("Clientes", "Suscripciones", "Beneficios"):
        sheet = book[title]
        sheet["AMJ1"].font = bold
        sheet["AMJ10000"].font = bold
        sheet["A10000"].font = bold
        sheet["C5000"].number_format = "@"
    book.save(path)
    with zipfile.ZipFile(path) as archive:
        assert b'ref="A1:AMJ10000"' in archive.read("xl/worksheets/sheet1.xml")

    raw = WorkbookStore(path).read([CLIENTS, PERIODS])
    assert raw["Clientes"].header == ["ID", "Cliente"]
    assert raw["Clientes"].rows == [RawRow(2, ["001", "Café Aroma"])]
    assert raw["Suscripciones"].rows == [RawRow(2, ["001", date(2026, 1, 1)])]
    loaded = load(WorkbookStore(path))
    assert loaded.problems == []
    assert [c.client_id for c in loaded.data.clients] == ["001"]


def test_styled_blank_text_far_away_does_not_widen_the_rows(tmp_path: Path) -> None:
    tabs = dict(MINIMAL)
    tabs["Clientes"] = [["ID", "Cliente"], ["001", "Café Aroma"]]
    path = write_xlsx(tmp_path / "beneficios.xlsx", tabs)
    from openpyxl import load_workbook

    book = load_workbook(path)
    book["Clientes"]["AMJ1"] = " "
    book["Clientes"]["AMJ40"] = " "
    book.save(path)
    raw = WorkbookStore(path).read([CLIENTS])["Clientes"]
    assert raw.header == ["ID", "Cliente"]
    assert raw.rows == [RawRow(2, ["001", "Café Aroma"])]


def test_tabs_are_found_leniently_and_others_ignored(tmp_path: Path) -> None:
    tabs = {" clientes ": MINIMAL["Clientes"], "Otra cosa": [["x"], [1]]}
    path = write_xlsx(tmp_path / "beneficios.xlsx", tabs)
    raw = WorkbookStore(path).read(ALL_TABS)
    assert list(raw) == ["Clientes"]
    assert raw["Clientes"].title == " clientes "


def test_cell_types_arrive_as_the_interface_says(tmp_path: Path) -> None:
    tabs: Tabs = {
        "Clientes": [
            ["ID", "Cliente", "Alta", "Hora", "Activo", "Monto"],
            ["007", "  Aurora  ", datetime(2026, 3, 1, 9, 30), time(14, 5), True, 7.5],
            [7, "", date(2026, 3, 1), None, None, None],
        ]
    }
    path = write_xlsx(tmp_path / "beneficios.xlsx", tabs)
    (row1, row2) = WorkbookStore(path).read([CLIENTS])["Clientes"].rows
    assert row1.values == [
        "007",
        "  Aurora  ",
        datetime(2026, 3, 1, 9, 30),
        "14:05",
        True,
        7.5,
    ]
    assert row2.values[0] == 7
    assert row2.values[1:3] == [None, date(2026, 3, 1)]


def test_formula_without_a_saved_result_is_a_problem(tmp_path: Path) -> None:
    tabs = dict(MINIMAL)
    tabs["Clientes"] = [
        ["ID", "Cliente", "Plan"],
        ["001", "Café Aroma", '=IF(1>0,"Pro","Básico")'],
        ["002", '=A2&" (sucursal)"', "Pro"],
    ]
    path = write_xlsx(tmp_path / "beneficios.xlsx", tabs)
    loaded = load(WorkbookStore(path))
    message = (
        "la celda tiene una fórmula sin resultado guardado y se lee vacía: abre el "
        "archivo en Excel o LibreOffice y guárdalo"
    )
    assert loaded.problems == [
        Problem("Clientes", 2, "Plan", "", message),
        Problem("Clientes", 3, "Cliente", "", message),
        Problem("Clientes", 3, "Cliente", "", "falta este dato obligatorio"),
    ]
    assert [c.client_id for c in loaded.data.clients] == ["001"]


def test_formula_with_a_saved_result_is_read_as_its_value(tmp_path: Path) -> None:
    tabs = dict(MINIMAL)
    tabs["Clientes"] = [["ID", "Cliente", "Plan"], ["001", "Café Aroma", "=B2"]]
    path = write_xlsx(tmp_path / "beneficios.xlsx", tabs)
    rewrite_part(
        path,
        "xl/worksheets/sheet1.xml",
        '<c r="C2"><f>B2</f><v></v></c>',
        '<c r="C2" t="str"><f>B2</f><v>Pro</v></c>',
    )
    loaded = load(WorkbookStore(path))
    assert loaded.problems == []
    assert loaded.data.clients[0].plan == "Pro"


def test_formula_whose_saved_result_is_empty_text_is_not_a_problem(
    tmp_path: Path,
) -> None:
    """Excel and LibreOffice save ``=SI(...;"";...)`` as an empty string result."""
    tabs = dict(MINIMAL)
    tabs["Clientes"] = [["ID", "Cliente", "Plan"], ["001", "Café Aroma", '=""']]
    path = write_xlsx(tmp_path / "beneficios.xlsx", tabs)
    rewrite_part(
        path,
        "xl/worksheets/sheet1.xml",
        '<c r="C2"><f>""</f><v></v></c>',
        '<c r="C2" s="0" t="str"><f aca="false">""</f><v></v></c>',
    )
    loaded = load(WorkbookStore(path))
    assert loaded.problems == []
    assert loaded.data.clients[0].plan is None


def test_formula_in_a_column_the_tool_ignores_is_not_a_problem(tmp_path: Path) -> None:
    tabs = dict(MINIMAL)
    tabs["Clientes"] = [
        ["ID", "Cliente", "Total facturado"],
        ["001", "Café Aroma", "=SUM(1,2)"],
    ]
    path = write_xlsx(tmp_path / "beneficios.xlsx", tabs)
    loaded = load(WorkbookStore(path))
    assert loaded.problems == []
    assert [c.client_id for c in loaded.data.clients] == ["001"]


def test_the_demo_reads_back_as_written(tmp_path: Path) -> None:
    rows = demo_rows()
    path = write_xlsx(tmp_path / "beneficios.xlsx", rows)
    raw = WorkbookStore(path).read(ALL_TABS)
    for spec in ALL_TABS:
        assert raw[spec.name].header == spec.headers
    clients = raw["Clientes"]
    assert len(clients.rows) == 15
    assert [r.number for r in clients.rows] == list(range(2, 17))
    assert clients.rows[6].values[:2] == ["007", "Boutique Aurora"]


def test_workbook_without_any_known_tab_reads_as_empty(tmp_path: Path) -> None:
    """A workbook with only a default empty sheet has none of the required tabs."""
    path = tmp_path / "vacio.xlsx"
    Workbook().save(path)
    assert WorkbookStore(path).read(ALL_TABS) == {}
