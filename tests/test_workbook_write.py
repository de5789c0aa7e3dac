"""Writing the control sheet: rows found by ID, text kept as text, nothing else touched.

The first tests run on every backend through the ``sheet`` fixture; the ones
about the ``.xlsx`` file itself (formats that survive, the lock file, a save
by someone else) use real workbooks on disk.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock
from openpyxl import load_workbook
from openpyxl.styles import PatternFill

from pixely_benefits.errors import (
    ConcurrentChangeError,
    PixelyError,
    StructuralError,
    WriteConflictError,
)
from pixely_benefits.sheet import open_store
from pixely_benefits.sheet.base import ChangeSet, RowAppend, RowUpdate
from pixely_benefits.sheet.schema import DELIVERIES, HISTORY
from pixely_benefits.sheet.workbook import WorkbookStore
from pixely_benefits.sheet.workbook_write import apply_changes, lock_path
from tests.conftest import SheetFactory, read_xlsx, write_xlsx

HEAD = DELIVERIES.headers


def entregas(*rows: dict[str, Any]) -> list[list[Any]]:
    return [HEAD] + [[row.get(h) for h in HEAD] for row in rows]


def row(delivery_id: str, state: str = "pendiente", **extra: Any) -> dict[str, Any]:
    client, _, rest = delivery_id.partition("-")
    return {
        "ID": delivery_id,
        "ID cliente": client,
        "Beneficio": rest[:-8],
        "Mes": rest[-7:],
        "Estado": state,
        **extra,
    }


def column(rows: list[list[Any]], header: str) -> list[Any]:
    index = rows[0].index(header)
    return [r[index] if index < len(r) else None for r in rows[1:]]


def write(location: str, changes: ChangeSet) -> None:
    store = open_store(location)
    store.read([DELIVERIES, HISTORY])
    store.write(changes)


A = "001-estudio-mercado-2026-12"
B = "002-publicaciones-adicionales-2026-12"
C = "003-optimizacion-estrategia-2026-12"


# --- every backend ------------------------------------------------------------------


def test_update_finds_rows_by_id_after_people_reordered_and_inserted_rows(
    sheet: SheetFactory,
) -> None:
    # The tool wrote A, B, C in that order; a person then moved C to the top and
    # typed a row of their own between A and B.
    reordered = {"Entregas": entregas(row(C), row(A), {"Notas": "fila a mano"}, row(B))}
    location = sheet.create(reordered)
    write(
        location,
        ChangeSet(updates=[RowUpdate(DELIVERIES, B, {"Estado": "notificado"})]),
    )
    rows = sheet.rows(location, "Entregas")
    assert column(rows, "ID") == [C, A, None, B]
    assert column(rows, "Estado") == ["pendiente", "pendiente", None, "notificado"]
    assert column(rows, "Notas") == [None, None, "fila a mano", None]


def test_update_touches_only_the_named_cells(sheet: SheetFactory) -> None:
    location = sheet.create(
        {"Entregas": entregas(row(A, Canal="correo", Notas="ojo", Responsable="Lucía"))}
    )
    write(
        location, ChangeSet(updates=[RowUpdate(DELIVERIES, A, {"Estado": "entregado"})])
    )
    assert sheet.rows(location, "Entregas")[1] == [
        A,
        "001",
        None,
        "estudio-mercado",
        "2026-12",
        "entregado",
        "correo",
        None,
        None,
        None,
        None,
        None,
        "Lucía",
        "ojo",
    ]


@pytest.mark.parametrize(
    ("tab", "other", "message"),
    [
        ({"Entregas": entregas(row(A))}, B, "ya no está"),
        ({"Entregas": entregas(row(A), row(B), row(B))}, B, "repetido"),
    ],
)
def test_a_missing_or_duplicated_id_stops_the_whole_write(
    sheet: SheetFactory, tab: dict[str, Any], other: str, message: str
) -> None:
    location = sheet.create(tab)
    before = sheet.rows(location, "Entregas")
    changes = ChangeSet(
        updates=[
            RowUpdate(DELIVERIES, A, {"Estado": "cancelado"}),
            RowUpdate(DELIVERIES, other, {"Estado": "entregado"}),
        ],
        appends=[RowAppend(HISTORY, {"Acción": "cancelar"})],
        new_tabs=[HISTORY],
    )
    with pytest.raises(WriteConflictError, match=message):
        write(location, changes)
    assert sheet.rows(location, "Entregas") == before
    assert "Historial" not in _titles(sheet, location)


def test_an_append_with_an_id_that_exists_is_a_conflict(sheet: SheetFactory) -> None:
    location = sheet.create({"Entregas": entregas(row(A))})
    with pytest.raises(WriteConflictError, match="ya existe"):
        write(location, ChangeSet(appends=[RowAppend(DELIVERIES, row(A))]))
    assert len(sheet.rows(location, "Entregas")) == 2


def test_appends_go_below_the_last_row_with_data(sheet: SheetFactory) -> None:
    blank: dict[str, Any] = {}
    location = sheet.create({"Entregas": entregas(row(A), blank, row(B))})
    write(location, ChangeSet(appends=[RowAppend(DELIVERIES, row(C))]))
    assert column(sheet.rows(location, "Entregas"), "ID") == [A, None, B, C]


def test_missing_tabs_are_created_with_headers_and_existing_ones_kept(
    sheet: SheetFactory,
) -> None:
    location = sheet.create({"Clientes": [["ID", "Cliente"], ["001", "Espiga"]]})
    history = {
        "Fecha": datetime(2026, 12, 3, 9, 30),
        "Usuario": "lucia",
        "Acción": "crear",
    }
    changes = ChangeSet(
        new_tabs=[DELIVERIES, HISTORY],
        appends=[RowAppend(DELIVERIES, row(A)), RowAppend(HISTORY, history)],
    )
    write(location, changes)
    write(location, ChangeSet(new_tabs=[DELIVERIES, HISTORY]))
    assert sheet.rows(location, "Entregas") == [
        HEAD,
        [A, "001", None, "estudio-mercado", "2026-12", "pendiente"],
    ]
    assert sheet.rows(location, "Historial") == [
        HISTORY.headers,
        [datetime(2026, 12, 3, 9, 30), "lucia", "crear"],
    ]
    assert sheet.rows(location, "Clientes") == [["ID", "Cliente"], ["001", "Espiga"]]


def test_missing_headers_are_added_at_the_end_of_row_one(sheet: SheetFactory) -> None:
    short = ["ID", "ID cliente", "Beneficio", "Mes", "Estado", "Extra de la agencia"]
    location = sheet.create(
        {
            "Entregas": [
                short,
                [A, "001", "estudio-mercado", "2026-12", "pendiente", "x"],
            ]
        }
    )
    changes = ChangeSet(
        updates=[RowUpdate(DELIVERIES, A, {"Estado": "notificado", "Canal": "correo"})]
    )
    write(location, changes)
    rows = sheet.rows(location, "Entregas")
    assert rows[0] == [*short, "Canal"]
    assert rows[1] == [
        A,
        "001",
        "estudio-mercado",
        "2026-12",
        "notificado",
        "x",
        "correo",
    ]


TRICKY = [
    "=SUM(1)",
    "+51 987 654 321",
    "-x",
    "@x",
    '=HYPERLINK("http://x")',
    "#N/A",
    "007",
]


@pytest.mark.parametrize("text", TRICKY)
def test_text_is_stored_as_text_never_as_a_formula(
    sheet: SheetFactory, text: str
) -> None:
    location = sheet.create({"Entregas": entregas(row(A))})
    changes = ChangeSet(
        updates=[RowUpdate(DELIVERIES, A, {"Notas": text, "Enlace": text})],
        appends=[RowAppend(DELIVERIES, row(B, Notas=text))],
    )
    write(location, changes)
    rows = sheet.rows(location, "Entregas")
    assert column(rows, "Notas") == [text, text]
    assert column(rows, "Enlace") == [text, None]


def test_dates_are_written_as_date_cells(sheet: SheetFactory) -> None:
    location = sheet.create({"Entregas": entregas(row(A))})
    values = {
        "Notificado": datetime(2026, 12, 3, 9, 30),
        "Fecha límite": date(2026, 12, 18),
    }
    write(location, ChangeSet(updates=[RowUpdate(DELIVERIES, A, values)]))
    store = open_store(location)
    raw = store.read([DELIVERIES])["Entregas"]
    got = raw.rows[0].values
    assert got[HEAD.index("Notificado")] == datetime(2026, 12, 3, 9, 30)
    assert _as_day(got[HEAD.index("Fecha límite")]) == date(2026, 12, 18)


def _as_day(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else value  # type: ignore[no-any-return]


def _titles(sheet: SheetFactory, location: str) -> set[str]:
    from pixely_benefits.sheet.schema import ALL_TABS

    return set(open_store(location).read(ALL_TABS))


# --- the .xlsx file itself ------------------------------------------------------------


def test_formula_like_text_is_a_string_cell_in_the_file(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "b.xlsx", {"Entregas": entregas(row(A))})
    changes = ChangeSet(
        updates=[RowUpdate(DELIVERIES, A, {"Notas": TRICKY[0], "Enlace": TRICKY[1]})]
    )
    apply_changes(path, changes)
    sheet = load_workbook(path)["Entregas"]
    for header, text in (("Notas", TRICKY[0]), ("Enlace", TRICKY[1])):
        cell = sheet.cell(row=2, column=HEAD.index(header) + 1)
        assert (cell.value, cell.data_type) == (text, "s")


def test_date_cells_get_a_date_format_unless_they_have_one(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "b.xlsx", {"Entregas": entregas(row(A), row(B))})
    book = load_workbook(path)
    book["Entregas"].cell(
        row=3, column=HEAD.index("Notificado") + 1
    ).number_format = "yyyy-mm-dd hh:mm"
    book.save(path)
    moment = datetime(2026, 12, 3, 9, 30)
    changes = ChangeSet(
        updates=[
            RowUpdate(
                DELIVERIES,
                A,
                {"Notificado": moment, "Fecha límite": date(2026, 12, 18)},
            ),
            RowUpdate(DELIVERIES, B, {"Notificado": moment}),
        ]
    )
    apply_changes(path, changes)
    sheet = load_workbook(path)["Entregas"]
    notified = HEAD.index("Notificado") + 1
    due = HEAD.index("Fecha límite") + 1
    assert sheet.cell(row=2, column=notified).number_format == "dd/mm/yyyy hh:mm"
    assert sheet.cell(row=2, column=due).number_format == "dd/mm/yyyy"
    assert sheet.cell(row=3, column=notified).number_format == "yyyy-mm-dd hh:mm"
    assert sheet.cell(row=2, column=notified).value == moment


def test_other_tabs_columns_formats_widths_and_formulas_survive(tmp_path: Path) -> None:
    path = tmp_path / "b.xlsx"
    header = [*HEAD, "Comentario interno"]
    write_xlsx(
        path,
        {
            "Clientes": [
                ["ID", "Cliente", "Total"],
                ["001", "Espiga", 3],
                ["002", "Aroma", 4],
            ],
            "Entregas": [header, [*[row(A).get(h) for h in HEAD], "no tocar"]],
            "Resumen": [["Mes", "Entregas"], ["2026-12", "=COUNTA(Entregas!A:A)-1"]],
        },
    )
    book = load_workbook(path)
    book["Clientes"]["D2"] = "=C2*2"
    book["Clientes"].column_dimensions["B"].width = 41.5
    book["Clientes"]["A1"].fill = PatternFill("solid", fgColor="FFCC00")
    book["Entregas"].column_dimensions["O"].width = 33
    book["Entregas"]["O2"].fill = PatternFill("solid", fgColor="00CCFF")
    book.save(path)
    before = _snapshot(path)

    changes = ChangeSet(
        updates=[
            RowUpdate(DELIVERIES, A, {"Estado": "entregado", "Enlace": "https://x"})
        ],
        appends=[RowAppend(HISTORY, {"Acción": "entregar", "ID entrega": A})],
        new_tabs=[HISTORY],
    )
    apply_changes(path, changes)
    after = _snapshot(path)

    assert after["Clientes"] == before["Clientes"]
    assert after["Resumen"] == before["Resumen"]
    assert after["Clientes"]["widths"]["B"] == 41.5
    assert after["Clientes"]["cells"]["D2"] == ("=C2*2", "f", "General", None)
    assert after["Clientes"]["cells"]["A1"][3] == "00FFCC00"
    assert after["Resumen"]["cells"]["B2"][0] == "=COUNTA(Entregas!A:A)-1"
    changed = {
        ref
        for ref, cell in after["Entregas"]["cells"].items()
        if before["Entregas"]["cells"].get(ref) != cell
    }
    assert changed == {"F2", "K2"}
    assert after["Entregas"]["widths"] == before["Entregas"]["widths"]
    assert after["Entregas"]["cells"]["O2"] == ("no tocar", "s", "General", "0000CCFF")
    assert load_workbook(path).sheetnames == [
        "Clientes",
        "Entregas",
        "Resumen",
        "Historial",
    ]


def _snapshot(path: Path) -> dict[str, Any]:
    """Every cell (value, type, format, fill colour) and column width of every tab."""
    book = load_workbook(path)
    shot: dict[str, Any] = {}
    for sheet in book.worksheets:
        cells = {}
        for line in sheet.iter_rows():
            for cell in line:
                if cell.value is None and not cell.has_style:
                    continue
                fill = cell.fill.fgColor.rgb if cell.fill.fill_type else None
                cells[cell.coordinate] = (
                    cell.value,
                    cell.data_type,
                    cell.number_format,
                    fill,
                )
        widths = {
            k: d.width for k, d in sheet.column_dimensions.items() if d.customWidth
        }
        shot[sheet.title] = {"cells": cells, "widths": widths}
    return shot


def test_a_file_saved_by_someone_else_meanwhile_is_not_overwritten(
    tmp_path: Path,
) -> None:
    path = write_xlsx(tmp_path / "b.xlsx", {"Entregas": entregas(row(A))})
    store = WorkbookStore(path)
    store.read([DELIVERIES])
    # Someone else saves the file after pixely read it.
    book = load_workbook(path)
    book["Entregas"]["N2"] = "cambio de otra persona"
    book.save(path)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    theirs = path.read_bytes()

    changes = ChangeSet(updates=[RowUpdate(DELIVERIES, A, {"Estado": "notificado"})])
    with pytest.raises(ConcurrentChangeError, match="vuelve a ejecutar el comando"):
        store.write(changes)
    assert path.read_bytes() == theirs
    assert sorted(
        p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")
    ) == ["b.xlsx"]


def test_another_run_holding_the_lock_stops_the_write(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "b.xlsx", {"Entregas": entregas(row(A))})
    before = path.read_bytes()
    changes = ChangeSet(updates=[RowUpdate(DELIVERIES, A, {"Estado": "notificado"})])
    with (
        FileLock(str(lock_path(path))),
        pytest.raises(ConcurrentChangeError, match="Otro proceso"),
    ):
        apply_changes(path, changes, lock_timeout=0.05)
    assert path.read_bytes() == before
    apply_changes(path, changes, lock_timeout=0.05)
    assert column(read_xlsx(path, "Entregas"), "Estado") == ["notificado"]


def test_the_lock_file_is_hidden_beside_the_workbook(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "b.xlsx", {"Entregas": entregas(row(A))})
    lock = lock_path(path)
    assert lock.parent == path.parent
    assert lock.name.startswith(".")
    apply_changes(path, ChangeSet(updates=[RowUpdate(DELIVERIES, A, {"Estado": "x"})]))
    visible = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("."))
    assert visible == ["b.xlsx"]


@pytest.mark.parametrize("owner", [".~lock.b.xlsx#", "~$b.xlsx"])
def test_a_workbook_open_in_an_office_program_is_not_written(
    tmp_path: Path, owner: str
) -> None:
    path = write_xlsx(tmp_path / "b.xlsx", {"Entregas": entregas(row(A))})
    (tmp_path / owner).write_text("someone")
    before = path.read_bytes()
    changes = ChangeSet(updates=[RowUpdate(DELIVERIES, A, {"Estado": "notificado"})])
    with pytest.raises(ConcurrentChangeError, match="abierto en Excel o LibreOffice"):
        apply_changes(path, changes)
    assert path.read_bytes() == before


def test_a_tab_missing_without_being_asked_for_is_a_structural_error(
    tmp_path: Path,
) -> None:
    path = write_xlsx(tmp_path / "b.xlsx", {"Clientes": [["ID"]]})
    with pytest.raises(StructuralError, match="Historial"):
        apply_changes(path, ChangeSet(appends=[RowAppend(HISTORY, {"Acción": "x"})]))


def test_control_characters_are_dropped_from_text(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "b.xlsx", {"Entregas": entregas(row(A))})
    changes = ChangeSet(
        updates=[RowUpdate(DELIVERIES, A, {"Notas": "hola\x07 mundo\n2"})]
    )
    apply_changes(path, changes)
    assert column(read_xlsx(path, "Entregas"), "Notas") == ["hola mundo\n2"]


def test_appending_to_a_formatted_tab_skips_empty_formatted_rows(
    tmp_path: Path,
) -> None:
    from pixely_benefits.sheet.workbook_init import create_workbook

    path = tmp_path / "b.xlsx"
    create_workbook(path, [(DELIVERIES, [row(A)])])
    apply_changes(path, ChangeSet(appends=[RowAppend(DELIVERIES, row(B))]))
    assert column(read_xlsx(path, "Entregas"), "ID") == [A, B]


# --- saved formula results ------------------------------------------------------------


def saved_results(path: Path, tab_part: str, results: dict[str, str]) -> None:
    """Store results in formula cells, as Excel does when it saves (openpyxl does not).

    ``results`` maps a cell to the attributes and value to give it, e.g.
    ``{"K2": ' t="str">ESPIGA'}``.
    """
    import re
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = {i.filename: archive.read(i) for i in archive.infolist()}
    data = parts[tab_part].decode()
    for ref, result in results.items():
        attributes, value = result.split(">", 1)
        data, count = re.subn(
            rf'<c r="{ref}"><f>([^<]*)</f><v></v></c>',
            rf'<c r="{ref}"{attributes}><f>\1</f><v>{value}</v></c>',
            data,
        )
        assert count == 1, ref
    parts[tab_part] = data.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)


def formula_book(tmp_path: Path) -> Path:
    """A control sheet whose Plan and an extra column of Clientes are formulas, and
    one note in Entregas, all with results saved."""
    path = tmp_path / "b.xlsx"
    clients = [
        ["ID", "Cliente", "Plan", "Largo"],
        ["001", "Espiga", '=IF(1=1,"Pro","Básico")', "=LEN(B2)"],
    ]
    notes = [*[row(A).get(h) for h in HEAD[:-1]], "=1+1"]
    tabs = {
        "Clientes": clients,
        "Suscripciones": [["ID cliente", "Inicio"], ["001", date(2026, 1, 1)]],
        "Beneficios": [["Código", "Beneficio", "Meses mínimos"], ["x", "X", 1]],
        "Entregas": [HEAD, notes],
    }
    write_xlsx(path, tabs)
    saved_results(path, "xl/worksheets/sheet1.xml", {"C2": ' t="str">Pro', "D2": ">6"})
    saved_results(path, "xl/worksheets/sheet4.xml", {"N2": ">2"})
    return path


def test_saved_formula_results_survive_a_write(tmp_path: Path) -> None:
    from pixely_benefits.sheet.schema import CLIENTS

    path = formula_book(tmp_path)
    before = WorkbookStore(path).read([CLIENTS])["Clientes"]
    assert before.rows[0].values == ["001", "Espiga", "Pro", 6]
    assert before.uncached_formulas == []

    apply_changes(path, ChangeSet(updates=[RowUpdate(DELIVERIES, A, {"Estado": "x"})]))

    after = WorkbookStore(path).read([CLIENTS, DELIVERIES])
    assert after["Clientes"].rows == before.rows
    assert after["Clientes"].uncached_formulas == []
    assert after["Entregas"].rows[0].values[HEAD.index("Notas")] == 2
    book = load_workbook(path)
    assert book["Clientes"]["C2"].value == '=IF(1=1,"Pro","Básico")'
    assert book["Clientes"]["D2"].value == "=LEN(B2)"


def test_a_formula_the_tool_overwrites_gets_the_new_value(tmp_path: Path) -> None:
    path = formula_book(tmp_path)
    changes = ChangeSet(updates=[RowUpdate(DELIVERIES, A, {"Notas": "texto"})])
    apply_changes(path, changes)
    raw = WorkbookStore(path).read([DELIVERIES])["Entregas"]
    assert raw.rows[0].values[HEAD.index("Notas")] == "texto"
    cell = load_workbook(path)["Entregas"].cell(row=2, column=HEAD.index("Notas") + 1)
    assert (cell.value, cell.data_type) == ("texto", "s")


def test_a_formula_column_the_rules_read_still_reads_after_a_write(
    tmp_path: Path,
) -> None:
    from pixely_benefits.loading import load

    path = formula_book(tmp_path)
    apply_changes(
        path, ChangeSet(updates=[RowUpdate(DELIVERIES, A, {"Estado": "notificado"})])
    )
    loaded = load(WorkbookStore(path))
    assert loaded.problems == []
    assert loaded.data.clients[0].plan == "Pro"

    # What the restored results save: a bare openpyxl save drops them.
    load_workbook(path).save(path)
    plain = load(WorkbookStore(path))
    assert plain.data.clients[0].plan is None
    assert any("fórmula" in p.message for p in plain.problems)


@pytest.mark.parametrize("mode", [0o444, 0o400])
def test_a_read_only_workbook_is_left_alone(tmp_path: Path, mode: int) -> None:
    # Replacing the file through a temporary one would silently undo the mark,
    # so it is checked on the mode bits too: os.access says yes to root.
    path = write_xlsx(tmp_path / "b.xlsx", {"Entregas": entregas(row("001-a-2026-12"))})
    os.chmod(path, mode)
    before = path.read_bytes()
    update = RowUpdate(DELIVERIES, "001-a-2026-12", {"Estado": "entregado"})
    with pytest.raises(PixelyError) as caught:
        apply_changes(path, ChangeSet(updates=[update]))
    assert caught.value.message.startswith(
        "«b.xlsx» es de solo lectura: no se escribió nada."
    )
    assert path.read_bytes() == before
    assert os.stat(path).st_mode & 0o777 == mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.xlsx"]


def test_images_in_the_workbook_survive_a_write(tmp_path: Path) -> None:
    # openpyxl keeps pictures (a logo in a tab) only when Pillow is installed.
    import zipfile

    from openpyxl.drawing.image import Image as Picture
    from PIL import Image

    Image.new("RGB", (40, 20), (91, 44, 131)).save(tmp_path / "logo.png")
    path = write_xlsx(tmp_path / "b.xlsx", {"Entregas": entregas(row("001-a-2026-12"))})
    book = load_workbook(path)
    book["Entregas"].add_image(Picture(tmp_path / "logo.png"), "P2")
    book.save(path)

    def media(file: Path) -> dict[str, bytes]:
        with zipfile.ZipFile(file) as archive:
            return {
                name: archive.read(name)
                for name in archive.namelist()
                if name.startswith("xl/media/")
            }

    before = media(path)
    update = RowUpdate(DELIVERIES, "001-a-2026-12", {"Estado": "entregado"})
    apply_changes(path, ChangeSet(updates=[update]))
    assert len(before) == 1
    assert media(path) == before
    assert column(read_xlsx(path, "Entregas"), "Estado") == ["entregado"]
