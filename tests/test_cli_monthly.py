"""The monthly commands end to end: notify, sent, deliver, cancel and status.

They run on every backend through the ``sheet`` fixture; the tests about the
``.xlsx`` file itself (cell types, formats that survive) use the demo workbook.
"""

from __future__ import annotations

import shlex
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.styles import PatternFill

from tests.conftest import Cell, SheetFactory, demo_rows, stored_rows, write_xlsx

MONTH = "2026-12"
ENV = {"PIXELY_NOW": "2026-12-03T09:30", "PIXELY_USER": "lucia"}
TABS = (*demo_rows(), "Historial")
DEMO_ROWS = 19  # header + 18 past deliveries in the demo


def at(moment: str) -> dict[str, str]:
    return {**ENV, "PIXELY_NOW": moment}


def record(rows: list[list[Cell]], key: str) -> dict[str, Cell]:
    """The row of ``Entregas`` (or any tab keyed by its first column) as header -> value."""
    header = [str(h) for h in rows[0]]
    for row in rows[1:]:
        if row and row[0] == key:
            return {h: row[i] if i < len(row) else None for i, h in enumerate(header)}
    raise AssertionError(f"{key} not found")


def snapshot(sheet: SheetFactory, location: str) -> dict[str, list[list[Cell]]]:
    found = {}
    for tab in TABS:
        try:
            found[tab] = stored_rows(sheet, location, tab)
        except KeyError:
            found[tab] = []
    return found


@pytest.fixture
def demo(sheet: SheetFactory) -> str:
    return sheet.create(demo_rows())


def run(cli: Any, location: str, *args: str, env: dict[str, str] = ENV) -> Any:
    return cli("--sheet", location, *args, env=env)


def notify(
    cli: Any, location: str, tmp_path: Path, *extra: str, env: dict[str, str] = ENV
) -> Any:
    return run(
        cli,
        location,
        "notify",
        "--month",
        MONTH,
        "--salida",
        str(tmp_path / "salida"),
        *extra,
        env=env,
    )


def outbox(tmp_path: Path) -> dict[str, bytes]:
    folder = tmp_path / "salida" / MONTH
    if not folder.exists():
        return {}
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# --- notify -----------------------------------------------------------------------


def test_notify_creates_rows_and_messages_for_each_eligible_client(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    result = notify(cli, demo, tmp_path)
    assert result.exit_code == 0, result.output
    rows = stored_rows(sheet, demo, "Entregas")
    new = [r[0] for r in rows[DEMO_ROWS:]]
    assert new == [
        "001-publicaciones-adicionales-2026-12",
        "002-estudio-mercado-2026-12",
        "008-publicaciones-adicionales-2026-12",
        "012-consultoria-negocio-2026-12",
        "014-publicaciones-adicionales-2026-12",
    ]
    assert record(rows, "014-publicaciones-adicionales-2026-12") == {
        **dict.fromkeys(rows[0]),
        "ID": "014-publicaciones-adicionales-2026-12",
        "ID cliente": "014",
        "Cliente": "Óptica Visión Clara",
        "Beneficio": "publicaciones-adicionales",
        "Mes": "2026-12",
        "Estado": "pendiente",
        "Responsable": "Diego",
    }
    history = stored_rows(sheet, demo, "Historial")
    assert [r[:4] for r in history[1:]] == [
        [datetime(2026, 12, 3, 9, 30), "lucia", "crear", key] for key in new
    ]
    files = outbox(tmp_path)
    assert "index.html" in files
    assert "001-publicaciones-adicionales-2026-12.eml" in files
    assert "014-publicaciones-adicionales-2026-12.whatsapp.txt" in files
    assert "014-publicaciones-adicionales-2026-12.eml" not in files  # no e-mail
    assert "5 filas nuevas en Entregas; 8 mensajes nuevos" in result.stdout
    assert (
        f"pixely --sheet {shlex.quote(demo)} sent 001 002 008 012 014 --month 2026-12"
        in result.stdout
    )
    assert "007 Boutique Aurora: ya notificado el 03/12/2026 10:00" in result.stdout


def test_notify_again_changes_nothing_and_resend_never_duplicates(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    assert notify(cli, demo, tmp_path).exit_code == 0
    sheet_before, files_before = snapshot(sheet, demo), outbox(tmp_path)

    again = notify(cli, demo, tmp_path, env=at("2026-12-05T08:00"))
    assert again.exit_code == 0
    assert snapshot(sheet, demo) == sheet_before
    assert outbox(tmp_path) == files_before
    assert "0 filas nuevas en Entregas; 0 mensajes nuevos" in again.stdout

    (tmp_path / "salida" / MONTH / "002-estudio-mercado-2026-12.eml").unlink()
    missing = notify(cli, demo, tmp_path)
    assert "0 filas nuevas en Entregas; 1 mensaje nuevo en" in missing.stdout
    assert snapshot(sheet, demo) == sheet_before

    resent = notify(cli, demo, tmp_path, "--resend")
    assert resent.exit_code == 0
    assert "0 filas nuevas en Entregas; 10 mensajes nuevos" in resent.stdout  # 007 too
    assert snapshot(sheet, demo) == sheet_before


def test_notify_dry_run_writes_nothing_at_all(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    before = snapshot(sheet, demo)
    result = notify(cli, demo, tmp_path, "--dry-run")
    assert result.exit_code == 0
    assert "Simulación" in result.stdout
    assert "se crearía su fila (pendiente)" in result.stdout
    assert "fila creada" not in result.stdout
    assert (
        "Se crearían 5 filas en Entregas y se prepararían 8 mensajes nuevos"
        in result.stdout
    )
    assert snapshot(sheet, demo) == before
    assert not (tmp_path / "salida").exists()


def test_notify_reports_a_client_it_cannot_reach_and_does_the_rest(
    cli: Any, sheet: SheetFactory, tmp_path: Path
) -> None:
    tabs = demo_rows()
    clients = tabs["Clientes"]
    whatsapp = clients[0].index("WhatsApp")
    for row in clients[1:]:
        if row[0] == "014":
            row[whatsapp] = None  # 014 is reached by WhatsApp only
    location = sheet.create(tabs)
    result = notify(cli, location, tmp_path)
    assert result.exit_code == 1
    assert "✗ 014 Óptica Visión Clara: sin aviso" in result.stdout
    assert "no se creó su fila" in result.stdout
    ids = [r[0] for r in stored_rows(sheet, location, "Entregas")[DEMO_ROWS:]]
    assert len(ids) == 4
    assert not any(str(i).startswith("014-") for i in ids)


def test_notify_one_client_only(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    result = notify(cli, demo, tmp_path, "--client", "008")
    assert result.exit_code == 0
    assert [r[0] for r in stored_rows(sheet, demo, "Entregas")[DEMO_ROWS:]] == [
        "008-publicaciones-adicionales-2026-12"
    ]
    paused = notify(cli, demo, tmp_path, "--client", "003")
    assert paused.exit_code == 1
    assert "no es elegible: cliente pausado o cancelado" in paused.stdout


# --- sent -------------------------------------------------------------------------


def test_sent_marks_rows_notified(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    notify(cli, demo, tmp_path)
    result = run(
        cli, demo, "sent", "001", "002", "--month", MONTH, env=at("2026-12-04T11:15")
    )
    assert result.exit_code == 0, result.output
    rows = stored_rows(sheet, demo, "Entregas")
    first = record(rows, "001-publicaciones-adicionales-2026-12")
    assert (first["Estado"], first["Canal"], first["Notificado"]) == (
        "notificado",
        "ambos",
        datetime(2026, 12, 4, 11, 15),
    )
    assert _day(first["Fecha límite"]) == date(2026, 12, 14)
    second = record(rows, "002-estudio-mercado-2026-12")
    assert (second["Canal"], _day(second["Fecha límite"])) == (
        "correo",
        date(2026, 12, 24),
    )
    history = stored_rows(sheet, demo, "Historial")
    assert [r[2:4] for r in history[-2:]] == [
        ["notificar", "001-publicaciones-adicionales-2026-12"],
        ["notificar", "002-estudio-mercado-2026-12"],
    ]

    again = run(cli, demo, "sent", "001", "--canal", "whatsapp", "--month", MONTH)
    assert again.exit_code == 0
    assert "ya estaba notificado el 04/12/2026 11:15" in again.stdout
    assert stored_rows(sheet, demo, "Entregas") == rows


def test_sent_with_an_unknown_client_suggests_and_writes_nothing(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    notify(cli, demo, tmp_path)
    before = snapshot(sheet, demo)
    result = run(cli, demo, "sent", "001", "8", "--month", MONTH)
    assert result.exit_code == 2
    assert "¿Quisiste decir «008» (Dental Sonrisa)?" in result.stderr
    assert snapshot(sheet, demo) == before


def _day(value: Cell) -> date:
    assert isinstance(value, date)
    return value.date() if isinstance(value, datetime) else value


# --- deliver ----------------------------------------------------------------------


@pytest.mark.parametrize("text", ['=HYPERLINK("x")', "+51 999", "-1", "@cliente"])
def test_deliver_stores_formula_like_link_and_note_as_text(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path, text: str
) -> None:
    notify(cli, demo, tmp_path)
    result = run(
        cli,
        demo,
        "deliver",
        "estudio-mercado",
        "--client",
        "002",
        "--link",
        text,
        "--note",
        text,
        env=at("2026-12-15T17:00"),
    )
    assert result.exit_code == 0, result.output
    row = record(stored_rows(sheet, demo, "Entregas"), "002-estudio-mercado-2026-12")
    assert (row["Estado"], row["Enlace"], row["Notas"]) == ("entregado", text, text)
    assert row["Entregado"] == datetime(2026, 12, 15, 17, 0)


def test_deliver_cells_are_text_cells_in_the_workbook(
    cli: Any, demo_xlsx: Path
) -> None:
    tmp = demo_xlsx.parent
    notify(cli, str(demo_xlsx), tmp)
    run(
        cli,
        str(demo_xlsx),
        "deliver",
        "estudio-mercado",
        "-c",
        "002",
        "--link",
        "=1+1",
        "--note",
        "@x",
        env=at("2026-12-15T17:00"),
    )
    sheet = load_workbook(demo_xlsx)["Entregas"]
    header = [c.value for c in sheet[1]]
    (line,) = [
        r
        for r in sheet.iter_rows(min_row=2)
        if r[0].value == "002-estudio-mercado-2026-12"
    ]
    link, note = line[header.index("Enlace")], line[header.index("Notas")]
    assert (link.value, link.data_type, note.value, note.data_type) == (
        "=1+1",
        "s",
        "@x",
        "s",
    )
    delivered = line[header.index("Entregado")]
    assert delivered.is_date and delivered.number_format == "dd/mm/yyyy hh:mm"


def test_deliver_sets_follow_up_and_appends_notes(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    notify(cli, demo, tmp_path)
    first = run(
        cli,
        demo,
        "deliver",
        "consultoria-negocio",
        "-c",
        "012",
        "--note",
        "Primera",
        env=at("2026-12-20T10:00"),
    )
    assert first.exit_code == 0
    assert "seguimiento el 19/01/2027" in first.stdout
    row = record(
        stored_rows(sheet, demo, "Entregas"), "012-consultoria-negocio-2026-12"
    )
    assert _day(row["Seguimiento"]) == date(2027, 1, 19)
    assert row["Notas"] == "Primera"

    twice = run(
        cli, demo, "deliver", "consultoria-negocio", "-c", "012", "--note", "Otra"
    )
    assert twice.exit_code == 0
    assert "ya estaba entregado el 20/12/2026 10:00" in twice.stdout
    assert (
        record(stored_rows(sheet, demo, "Entregas"), "012-consultoria-negocio-2026-12")
        == row
    )


def test_deliver_with_a_typo_suggests_the_benefit(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    notify(cli, demo, tmp_path)
    before = snapshot(sheet, demo)
    result = run(cli, demo, "deliver", "estudio-mercao", "--client", "002")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "Error: No hay ningún beneficio «estudio-mercao» en «Beneficios». ¿Quisiste "
        "decir «estudio-mercado»?"
    )
    assert snapshot(sheet, demo) == before


def test_deliver_outside_the_rotation_needs_crear(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    notify(cli, demo, tmp_path)
    before = snapshot(sheet, demo)
    refused = run(
        cli, demo, "deliver", "asesoria-meta-ads", "-c", "002", "--month", MONTH
    )
    assert refused.exit_code == 1
    assert "repite el comando con --crear" in refused.stdout
    assert snapshot(sheet, demo) == before

    created = run(
        cli,
        demo,
        "deliver",
        "asesoria-meta-ads",
        "-c",
        "002",
        "--month",
        MONTH,
        "--crear",
        env=at("2026-12-21T12:00"),
    )
    assert created.exit_code == 0
    row = record(stored_rows(sheet, demo, "Entregas"), "002-asesoria-meta-ads-2026-12")
    assert (row["Estado"], row["Entregado"], row["Responsable"]) == (
        "entregado",
        datetime(2026, 12, 21, 12, 0),
        "Lucía",
    )
    assert stored_rows(sheet, demo, "Historial")[-1][2:4] == [
        "entregar",
        "002-asesoria-meta-ads-2026-12",
    ]


def test_writes_hit_the_right_row_after_people_edited_entregas(
    cli: Any, sheet: SheetFactory, tmp_path: Path
) -> None:
    first = sheet.create(demo_rows())
    notify(cli, first, tmp_path)
    # Between two runs a person sorts Entregas newest first, types a row of their
    # own in the middle and edits a note of a row the tool created.
    tabs = {tab: stored_rows(sheet, first, tab) for tab in TABS}
    header, body = tabs["Entregas"][0], tabs["Entregas"][1:]
    body.reverse()
    notes = header.index("Notas")
    for row in body:
        if row[0] == "008-publicaciones-adicionales-2026-12":
            row.extend([None] * (notes + 1 - len(row)))
            row[notes] = "Llamar antes"
    body.insert(3, ["a mano", "099", "Cliente nuevo"])
    edited = sheet.create({**tabs, "Entregas": [header, *body]})

    result = run(
        cli, edited, "sent", "008", "--month", MONTH, env=at("2026-12-04T09:00")
    )
    assert result.exit_code == 0, result.output
    deliver = run(
        cli,
        edited,
        "deliver",
        "publicaciones-adicionales",
        "-c",
        "008",
        "--note",
        "Entregado en reunión",
        env=at("2026-12-09T09:00"),
    )
    assert deliver.exit_code == 0, deliver.output
    rows = stored_rows(sheet, edited, "Entregas")
    assert [r[0] for r in rows[1:]] == [r[0] for r in body]
    row = record(rows, "008-publicaciones-adicionales-2026-12")
    assert row["Estado"] == "entregado"
    assert row["Notas"] == "Llamar antes\nEntregado en reunión"
    assert rows[4][:3] == ["a mano", "099", "Cliente nuevo"]
    others = [r for r in rows[1:] if r[0] != "008-publicaciones-adicionales-2026-12"]
    assert others == [
        r for r in body if r[0] != "008-publicaciones-adicionales-2026-12"
    ]


def test_deliver_keeps_formats_formulas_and_extra_columns(
    cli: Any, tmp_path: Path
) -> None:
    tabs = demo_rows()
    tabs["Entregas"][0].append("Comentario interno")
    tabs["Entregas"][1].append("no tocar")
    tabs["Resumen"] = [["Total"], ["=COUNTA(Entregas!A:A)-1"]]
    path = write_xlsx(tmp_path / "b.xlsx", tabs)
    book = load_workbook(path)
    book["Clientes"].column_dimensions["B"].width = 37.5
    book["Clientes"]["A2"].fill = PatternFill("solid", fgColor="FFCC00")
    book["Entregas"]["F3"].number_format = "@"
    book.save(path)
    before = _cells(path)

    notify(cli, str(path), tmp_path)
    after_notify = _cells(path)
    result = run(
        cli,
        str(path),
        "deliver",
        "publicaciones-adicionales",
        "-c",
        "001",
        "--link",
        "https://drive/x",
        env=at("2026-12-10T10:00"),
    )
    assert result.exit_code == 0, result.output
    after = _cells(path)

    for tab in ("Clientes", "Suscripciones", "Beneficios", "Resumen"):
        assert after[tab] == before[tab], tab
    assert after["Resumen"]["A2"][0] == "=COUNTA(Entregas!A:A)-1"
    assert after["Clientes"]["A2"][3] == "00FFCC00"
    assert load_workbook(path)["Clientes"].column_dimensions["B"].width == 37.5
    changed = {
        ref
        for ref, cell in after["Entregas"].items()
        if after_notify["Entregas"].get(ref) != cell
    }
    assert changed == {"F20", "J20", "K20"}  # Estado, Entregado, Enlace of the new row
    assert after["Entregas"]["O2"][0] == "no tocar"


def _cells(path: Path) -> dict[str, dict[str, tuple[Any, ...]]]:
    book = load_workbook(path)
    found: dict[str, dict[str, tuple[Any, ...]]] = {}
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
        found[sheet.title] = cells
    return found


# --- cancel -----------------------------------------------------------------------


def test_cancel_keeps_the_row_with_the_reason(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    notify(cli, demo, tmp_path)
    result = run(
        cli, demo, "cancel", "014", "--month", MONTH, "--motivo", "Cerró el local"
    )
    assert result.exit_code == 0, result.output
    rows = stored_rows(sheet, demo, "Entregas")
    row = record(rows, "014-publicaciones-adicionales-2026-12")
    assert (row["Estado"], row["Notas"]) == ("cancelado", "Cancelado: Cerró el local")
    assert len(rows) == DEMO_ROWS + 5
    assert stored_rows(sheet, demo, "Historial")[-1][2:5] == [
        "cancelar",
        "014-publicaciones-adicionales-2026-12",
        "pendiente → cancelado; motivo: Cerró el local",
    ]
    again = run(cli, demo, "cancel", "014", "--month", MONTH, "--motivo", "otra vez")
    assert (again.exit_code, "ya estaba cancelado" in again.stdout) == (0, True)


def test_cancel_needs_a_reason_and_defaults_to_this_month(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    notify(cli, demo, tmp_path)
    assert run(cli, demo, "cancel", "014", "--month", MONTH).exit_code == 2
    result = run(cli, demo, "cancel", "014", "--motivo", "Cerró")  # December 2026
    assert result.exit_code == 0, result.output
    row = record(
        stored_rows(sheet, demo, "Entregas"), "014-publicaciones-adicionales-2026-12"
    )
    assert row["Estado"] == "cancelado"


# --- status -----------------------------------------------------------------------


def test_status_lists_counts_stale_late_and_follow_ups(
    cli: Any, sheet: SheetFactory, demo: str, tmp_path: Path
) -> None:
    notify(cli, demo, tmp_path)
    run(cli, demo, "sent", "001", "--month", MONTH, env=at("2026-12-04T09:00"))
    run(
        cli,
        demo,
        "deliver",
        "consultoria-negocio",
        "-c",
        "012",
        env=at("2026-11-25T09:00"),
    )
    result = run(cli, demo, "status", "--month", MONTH, env=at("2026-12-26T09:00"))
    assert result.exit_code == 0
    lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
    assert lines[0] == (
        "Entregas de 2026-12 (al 26/12/2026): pendiente 3 · notificado 2 · "
        "entregado 1 · cancelado 0 · aceptado 0"
    )
    assert "Pendientes hace más de 3 días, de cualquier mes (3):" in lines
    assert (
        "002-estudio-mercado-2026-12 (Café Aroma): pendiente desde el 03/12/2026, CM Lucía"
        in lines
    )
    assert "Entregas vencidas, de cualquier mes (2):" in lines
    assert (
        "007-publicaciones-adicionales-2026-12 (Boutique Aurora): fecha límite "
        "18/12/2026, notificado, CM Lucía" in lines
    )
    assert "Seguimientos por hacer, de cualquier mes (1):" in lines
    assert (
        "012-consultoria-negocio-2026-12 (Consultorio Vida): seguimiento el 25/12/2026, "
        "CM Diego" in lines
    )


def test_status_of_a_quiet_month_exits_0(cli: Any, demo: str) -> None:
    result = run(cli, demo, "status", "--month", "2026-06", env=at("2026-06-10T09:00"))
    assert result.exit_code == 0
    assert "Nada atrasado" in result.stdout


# --- a sheet without the tabs the tool writes ---------------------------------------


def test_notify_creates_entregas_and_historial_when_missing(
    cli: Any, sheet: SheetFactory, tmp_path: Path
) -> None:
    tabs = {k: v for k, v in demo_rows().items() if k != "Entregas"}
    location = sheet.create(tabs)
    result = notify(cli, location, tmp_path)
    assert result.exit_code == 0, result.output
    rows = stored_rows(sheet, location, "Entregas")
    assert rows[0] == [
        "ID", "ID cliente", "Cliente", "Beneficio", "Mes", "Estado", "Canal", "Notificado",
        "Fecha límite", "Entregado", "Enlace", "Seguimiento", "Responsable", "Notas",
    ]  # fmt: skip
    # Without the demo's earlier rows 007 has none this month, and every eligible
    # client gets its first benefit.
    assert [r[0] for r in rows[1:]] == [
        "001-publicaciones-adicionales-2026-12",
        "002-publicaciones-adicionales-2026-12",
        "007-publicaciones-adicionales-2026-12",
        "008-publicaciones-adicionales-2026-12",
        "010-publicaciones-adicionales-2026-12",
        "011-publicaciones-adicionales-2026-12",
        "012-publicaciones-adicionales-2026-12",
        "013-publicaciones-adicionales-2026-12",
        "014-publicaciones-adicionales-2026-12",
    ]
    history = stored_rows(sheet, location, "Historial")
    assert history[0] == ["Fecha", "Usuario", "Acción", "ID entrega", "Detalle"]
    assert len(history) == len(rows)
    status = run(cli, location, "status", "--month", MONTH)
    assert status.exit_code == 0


@pytest.mark.parametrize("command", ["notify", "sent", "deliver", "cancel", "status"])
def test_each_command_documents_its_exit_codes(cli: Any, command: str) -> None:
    result = cli(command, "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "Sale con 0" in text
