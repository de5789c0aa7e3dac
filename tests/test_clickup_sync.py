"""Keeping ClickUp in step with the sheet: events from change sets, the journal of
what is owed, sending it to a fake ClickUp on loopback, and the commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock

from pixely_benefits.clickup import ClickUp, due_millis
from pixely_benefits.clickup_journal import Action, DeliveryEvent, Journal
from pixely_benefits.clickup_sync import (
    SyncReport,
    events_from_changes,
    sync,
    sync_after_write,
)
from pixely_benefits.errors import ConcurrentChangeError
from pixely_benefits.loading import load
from pixely_benefits.records import ControlData
from pixely_benefits.settings import Settings
from pixely_benefits.sheet.base import ChangeSet, RowAppend, RowUpdate
from pixely_benefits.sheet.schema import DELIVERIES, HISTORY
from pixely_benefits.sheet.workbook import WorkbookStore
from tests.conftest import Cell, SheetFactory, demo_rows, read_xlsx, write_xlsx
from tests.fake_clickup import TOKEN, FakeClickUp

NOW = datetime(2026, 12, 3, 9, 30)
PUB = "Publicaciones adicionales sin costo"
EXISTING = "86abc123"


@pytest.fixture
def fake() -> Iterator[FakeClickUp]:
    server = FakeClickUp()
    server.add_task(EXISTING, "Panadería La Espiga")
    with server.running():
        yield server


def control(tmp_path: Path, tasks: Mapping[str, str]) -> Path:
    """The demo sheet with ``tasks`` (client ID -> text) in the ``ClickUp`` column."""
    tabs = demo_rows()
    column = tabs["Clientes"][0].index("ClickUp")
    for row in tabs["Clientes"][1:]:
        if row[0] in tasks:
            row[column] = tasks[row[0]]
    return write_xlsx(tmp_path / "control.xlsx", tabs)


def clickup_cells(path: Path) -> dict[str, Cell]:
    rows = read_xlsx(path, "Clientes")
    column = rows[0].index("ClickUp")
    return {str(row[0]): row[column] if column < len(row) else None for row in rows[1:]}


def event(
    client_id: str,
    action: Action = Action.NOTIFIED,
    *,
    at: datetime = NOW,
    code: str = "publicaciones-adicionales",
    due: date | None = date(2026, 12, 13),
) -> DeliveryEvent:
    return DeliveryEvent(
        delivery_id=f"{client_id}-{code}-2026-12",
        client_id=client_id,
        action=action,
        benefit=PUB,
        month="2026-12",
        due=due,
        at=at,
        detail="canal: correo; fecha límite: 13/12/2026",
    )


class Run:
    """One sheet, one journal and one ClickUp, synced as a command would."""

    def __init__(self, path: Path, fake: FakeClickUp, journal: Journal) -> None:
        self.path = path
        self.fake = fake
        self.journal = journal

    def __call__(
        self, *events: DeliveryEvent, list_id: str | None = "901", store: Any = None
    ) -> SyncReport:
        store = store or WorkbookStore(self.path)
        data = load(store).data
        api = ClickUp(TOKEN, self.fake.url, sleep=lambda s: None)
        return sync(
            store, data, events, clickup=api, journal=self.journal, list_id=list_id
        )


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / "datos" / "clickup-pendientes.jsonl", lock_seconds=0.1)


def make_run(
    tmp_path: Path, fake: FakeClickUp, journal: Journal, tasks: Mapping[str, str]
) -> Run:
    return Run(control(tmp_path, tasks), fake, journal)


# --- sending ------------------------------------------------------------------------


def test_comments_go_to_the_clients_task_and_a_missing_task_is_created_once(
    tmp_path: Path, fake: FakeClickUp, journal: Journal
) -> None:
    run = make_run(
        tmp_path, fake, journal, {"001": f"https://app.clickup.com/t/{EXISTING}"}
    )
    report = run(
        event("001"),
        event("002"),
        event("002", Action.DELIVERED, at=datetime(2026, 12, 10, 16, 0)),
    )
    assert report.comments == 2
    assert report.failures == [] and report.owed == 0
    [created] = fake.created()
    new_task = report.tasks["002"]
    assert created == {
        "name": f"Café Aroma · {PUB} (2026-12)",
        "description": created["description"],
        "due_date": due_millis(date(2026, 12, 13)),
        "due_date_time": False,
        "list": "901",
    }
    assert "Cliente: Café Aroma (002)" in created["description"]
    assert "Fecha límite: 13/12/2026" in created["description"]
    assert "[Pixely] Aviso enviado" in created["description"]
    assert fake.comments == [
        (
            EXISTING,
            f"[Pixely] Aviso enviado: {PUB} (2026-12)\n"
            "Fecha: 03/12/2026 09:30\n"
            "Fecha límite: 13/12/2026\n"
            "Detalle: canal: correo; fecha límite: 13/12/2026\n"
            "Entrega: 001-publicaciones-adicionales-2026-12",
        ),
        (new_task, fake.comments[1][1]),
    ]
    assert fake.comments[1][1].startswith(f"[Pixely] Beneficio entregado: {PUB}")
    cells = clickup_cells(run.path)
    assert cells["002"] == new_task
    assert cells["001"] == f"https://app.clickup.com/t/{EXISTING}"  # left as written
    assert {c.authorization for c in fake.calls} == {TOKEN}


def test_a_rerun_sends_nothing_new(
    tmp_path: Path, fake: FakeClickUp, journal: Journal
) -> None:
    run = make_run(tmp_path, fake, journal, {"001": EXISTING})
    first = run(event("001"), event("002"))
    calls = len(fake.calls)
    again = run(event("001"), event("002"))  # the same events handed in twice
    assert (first.sent, again.sent) == (2, 0)
    assert len(fake.calls) == calls
    later = run(event("002", Action.CANCELLED, at=datetime(2026, 12, 5, 8, 0)))
    assert later.comments == 1 and later.tasks == {}  # the stored task is used
    assert fake.comments[-1][0] == first.tasks["002"]
    assert len(fake.created()) == 1


def test_a_server_error_is_reported_and_sent_on_the_next_run(
    tmp_path: Path, fake: FakeClickUp, journal: Journal
) -> None:
    run = make_run(tmp_path, fake, journal, {"001": EXISTING, "002": EXISTING})
    fake.fail(500, path="/comment")
    first = run(event("001"), event("002"), event("001", Action.DELIVERED))
    assert first.sent == 0
    assert [f.delivery_id for f in first.failures] == [
        "001-publicaciones-adicionales-2026-12"
    ]
    assert "error interno (500)" in first.failures[0].message
    assert first.left == 2 and first.owed == 3
    assert fake.comments == []
    assert len(fake.calls) == 1  # the run stopped at ClickUp's first fault

    second = run()
    assert second.comments == 3 and second.owed == 0
    assert [text.splitlines()[0] for _, text in fake.comments] == [
        f"[Pixely] Aviso enviado: {PUB} (2026-12)",
        f"[Pixely] Aviso enviado: {PUB} (2026-12)",
        f"[Pixely] Beneficio entregado: {PUB} (2026-12)",
    ]
    assert run().sent == 0
    assert len(fake.comments) == 3


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ("86gone99", "ClickUp no encuentra la tarea «86gone99»"),
        ("tarea de Lucía", "no es un ID ni un enlace de tarea"),
    ],
)
def test_a_bad_task_of_one_client_leaves_only_its_events_owed(
    tmp_path: Path, fake: FakeClickUp, journal: Journal, cell: str, words: str
) -> None:
    run = make_run(tmp_path, fake, journal, {"001": cell})
    report = run(event("001"), event("002"))
    assert [(f.client_id, words in f.message) for f in report.failures] == [
        ("001", True)
    ]
    assert list(report.tasks) == ["002"]
    assert report.owed == 1
    assert clickup_cells(run.path)["001"] == cell


def test_without_a_list_clients_without_a_task_stay_owed(
    tmp_path: Path, fake: FakeClickUp, journal: Journal
) -> None:
    run = make_run(tmp_path, fake, journal, {"001": EXISTING})
    report = run(event("001"), event("002"), list_id=None)
    assert report.comments == 1
    assert [f.client_id for f in report.failures] == ["002"]
    assert "PIXELY_CLICKUP_LIST" in report.failures[0].message
    assert fake.created() == []
    assert run().tasks.keys() == {"002"}  # sent once a list is configured


class RefusingStore(WorkbookStore):
    """A workbook whose next ``refusals`` writes fail as if someone saved it meanwhile."""

    def __init__(self, path: Path, refusals: int) -> None:
        super().__init__(path)
        self.refusals = refusals

    def write(self, changes: ChangeSet) -> None:
        if self.refusals:
            self.refusals -= 1
            raise ConcurrentChangeError("La hoja cambió mientras se trabajaba.")
        super().write(changes)


def test_a_task_id_that_could_not_be_stored_is_never_created_twice(
    tmp_path: Path, fake: FakeClickUp, journal: Journal
) -> None:
    run = make_run(tmp_path, fake, journal, {})
    first = run(event("002"), store=RefusingStore(run.path, refusals=1))
    assert first.store_error == "La hoja cambió mientras se trabajaba."
    task = first.tasks["002"]
    assert clickup_cells(run.path)["002"] is None

    second = run(event("002", Action.DELIVERED))
    assert second.tasks == {} and second.comments == 1
    assert fake.comments[-1][0] == task
    assert len(fake.created()) == 1
    assert clickup_cells(run.path)["002"] == task


def test_another_run_sending_leaves_everything_owed(
    tmp_path: Path, fake: FakeClickUp, journal: Journal
) -> None:
    run = make_run(tmp_path, fake, journal, {"001": EXISTING})
    journal.path.parent.mkdir(parents=True)
    with FileLock(str(journal.path) + ".lock"):
        report = run(event("001"))
    assert report.busy and report.left == 1
    assert fake.calls == []
    assert run().comments == 1


def test_the_journal_is_json_lines_and_survives_a_line_cut_short(
    tmp_path: Path, fake: FakeClickUp, journal: Journal
) -> None:
    run = make_run(tmp_path, fake, journal, {"001": EXISTING})
    fake.fail(500)
    run(event("001"))
    with journal.path.open("a", encoding="utf-8") as file:
        file.write('{"kind": "done", "sheet": "')  # the machine died mid-line
    records = [json.loads(line) for line in journal.path.read_text().splitlines()[:-1]]
    assert [r["kind"] for r in records] == ["owed"]
    assert records[0]["client_id"] == "001"
    assert records[0]["sheet"] == str(run.path.resolve())
    assert journal.count_owed() == 1
    assert run().comments == 1
    assert journal.count_owed() == 0


def test_the_journal_keeps_sheets_apart(
    tmp_path: Path, fake: FakeClickUp, journal: Journal
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one = make_run(tmp_path / "a", fake, journal, {"001": EXISTING})
    other = make_run(tmp_path / "b", fake, journal, {})
    fake.fail(500)
    one(event("001"))
    assert other().sent == 0  # another sheet's debt is not sent with this one
    assert journal.count_owed() == 1
    assert one().comments == 1


def test_off_without_a_token(tmp_path: Path) -> None:
    path = control(tmp_path, {})
    store = WorkbookStore(path)
    data = load(store).data
    settings = Settings(_env_file=None, data_dir=tmp_path / "datos")  # type: ignore[call-arg]
    assert sync_after_write(store, data, ChangeSet(), settings) is None
    assert not (tmp_path / "datos").exists()


# --- events from a change set -------------------------------------------------------


def history(action: str, key: str, at: datetime = NOW, detail: str = "d") -> RowAppend:
    return RowAppend(
        HISTORY,
        {
            "Fecha": at,
            "Usuario": "lucia",
            "Acción": action,
            "ID entrega": key,
            "Detalle": detail,
        },
    )


@pytest.fixture
def demo_data(tmp_path: Path) -> ControlData:
    return load(WorkbookStore(control(tmp_path, {}))).data


def test_events_come_from_the_history_rows_of_a_change_set(
    demo_data: ControlData,
) -> None:
    delivered = "007-publicaciones-adicionales-2026-12"  # notificado in the demo
    extra = RowAppend(
        DELIVERIES,
        {
            "ID": "002-asesoria-meta-ads-2026-12",
            "ID cliente": "002",
            "Beneficio": "asesoria-meta-ads",
            "Mes": "2026-12",
            "Estado": "entregado",
        },
    )
    changes = ChangeSet(
        new_tabs=[DELIVERIES, HISTORY],
        updates=[
            RowUpdate(DELIVERIES, delivered, {"Estado": "entregado", "Entregado": NOW}),
            RowUpdate(
                DELIVERIES,
                "010-asesoria-meta-ads-2026-09",
                {"Estado": "notificado", "Fecha límite": date(2026, 12, 13)},
            ),
        ],
        appends=[
            RowAppend(DELIVERIES, {"ID": "001-x-2026-12", "Estado": "pendiente"}),
            history("crear", "001-x-2026-12"),
            history("entregar", delivered, detail="enlace: https://drive/x"),
            extra,
            history("entregar", "002-asesoria-meta-ads-2026-12"),
            history("enviar", "010-asesoria-meta-ads-2026-09"),
        ],
    )
    events = events_from_changes(changes, demo_data)
    assert [(e.delivery_id, e.client_id, e.action, e.month) for e in events] == [
        (delivered, "007", Action.DELIVERED, "2026-12"),
        ("002-asesoria-meta-ads-2026-12", "002", Action.DELIVERED, "2026-12"),
        ("010-asesoria-meta-ads-2026-09", "010", Action.NOTIFIED, "2026-09"),
    ]
    assert events[0].benefit == PUB
    assert events[0].due == date(2026, 12, 18)  # its Fecha límite, as read
    assert events[0].at == NOW
    assert events[0].detail == "enlace: https://drive/x"
    assert events[1].benefit == "Asesoría en Meta Ads"
    assert events[2].due == date(2026, 12, 13)


def test_a_follow_up_is_an_event_without_a_change_of_state(
    demo_data: ControlData,
) -> None:
    row = demo_data.deliveries[0]
    changes = ChangeSet(
        updates=[
            RowUpdate(DELIVERIES, row.delivery_id, {"Seguimiento": None, "Notas": "x"})
        ],
        appends=[history("seguimiento", row.delivery_id, detail="llamada hecha")],
    )
    [found] = events_from_changes(changes, demo_data)
    assert (found.action, found.client_id, found.detail) == (
        Action.FOLLOWED_UP,
        row.client_id,
        "llamada hecha",
    )
    assert found.comment().startswith("[Pixely] Seguimiento hecho: ")


@pytest.mark.parametrize(
    "changes",
    [
        ChangeSet(),
        ChangeSet(appends=[history("crear", "001-publicaciones-adicionales-2026-12")]),
        ChangeSet(appends=[history("entregar", "no-such-row")]),
    ],
)
def test_no_event_without_a_notice_delivery_cancellation_or_follow_up(
    demo_data: ControlData, changes: ChangeSet
) -> None:
    assert events_from_changes(changes, demo_data) == []


def test_an_event_round_trips_through_the_journal_format() -> None:
    original = event("002", Action.CANCELLED, due=None)
    assert (
        DeliveryEvent.from_json(json.loads(json.dumps(original.as_json()))) == original
    )


# --- the commands -------------------------------------------------------------------

MONTH = "2026-12"
E002 = "002-estudio-mercado-2026-12"
P001 = "001-publicaciones-adicionales-2026-12"
STUDY = "Estudio de mercado gratuito"


def demo_with_task(sheet: SheetFactory) -> str:
    tabs = demo_rows()
    column = tabs["Clientes"][0].index("ClickUp")
    for row in tabs["Clientes"][1:]:
        if row[0] == "001":
            row[column] = f"https://app.clickup.com/t/{EXISTING}"
    return sheet.create(tabs)


def environment(fake: FakeClickUp, tmp_path: Path, **extra: str | None) -> Any:
    env: dict[str, str | None] = {
        "PIXELY_NOW": "2026-12-03T09:30",
        "PIXELY_USER": "lucia",
        "PIXELY_CLICKUP_TOKEN": TOKEN,
        "PIXELY_CLICKUP_URL": fake.url,
        "PIXELY_CLICKUP_LIST": "901",
        "PIXELY_DATA_DIR": str(tmp_path / "datos"),
    }
    env.update(extra)
    return env


def cell(sheet: SheetFactory, location: str, tab: str, key: str, header: str) -> Cell:
    rows = sheet.rows(location, tab)
    for row in rows[1:]:
        if row and row[0] == key:
            index = rows[0].index(header)
            return row[index] if index < len(row) else None
    raise AssertionError(f"{key} not in {tab}")


def test_the_monthly_routine_keeps_clickup_in_step(
    cli: Any, sheet: SheetFactory, fake: FakeClickUp, tmp_path: Path
) -> None:
    location = demo_with_task(sheet)
    env = environment(fake, tmp_path)
    outbox = str(tmp_path / "salida")

    result = cli(
        "--sheet", location, "notify", "--month", MONTH, "--salida", outbox, env=env
    )
    assert result.exit_code == 0, result.output
    assert fake.calls == []  # a pendiente row is not news for ClickUp
    assert "ClickUp" not in result.output

    result = cli("--sheet", location, "sent", "001", "002", "--month", MONTH, env=env)
    assert result.exit_code == 0, result.output
    assert "ClickUp: 1 comentario y 1 tarea nueva (clientes 002)." in result.stdout
    assert [(task, text.splitlines()[0]) for task, text in fake.comments] == [
        (EXISTING, f"[Pixely] Aviso enviado: {PUB} ({MONTH})"),
    ]
    assert "Fecha límite: 13/12/2026" in fake.comments[0][1]
    [created] = fake.created()
    assert created["name"] == f"Café Aroma · {STUDY} ({MONTH})"
    assert created["due_date"] == due_millis(date(2026, 12, 23))
    assert created["list"] == "901"
    task = str(cell(sheet, location, "Clientes", "002", "ClickUp"))
    assert task in fake.tasks and fake.tasks[task]["name"] == created["name"]

    later = environment(fake, tmp_path, PIXELY_NOW="2026-12-10T16:00")
    args = (
        "deliver",
        "estudio-mercado",
        "--client",
        "002",
        "--link",
        "https://drive/x",
    )
    result = cli("--sheet", location, *args, env=later)
    assert result.exit_code == 0, result.output
    assert "ClickUp: 1 comentario." in result.stdout
    assert fake.comments[-1][0] == task
    assert fake.comments[-1][1].splitlines()[:2] == [
        f"[Pixely] Beneficio entregado: {STUDY} ({MONTH})",
        "Fecha: 10/12/2026 16:00",
    ]
    assert f"Entrega: {E002}" in fake.comments[-1][1]

    calls = len(fake.calls)
    result = cli(
        "--sheet", location, *args, env=later
    )  # delivering twice changes nothing
    assert result.exit_code == 0, result.output
    assert len(fake.calls) == calls
    assert "ClickUp" not in result.output

    result = cli(
        "--sheet", location, "cancel", "001", "--month", MONTH, "--motivo", "cerró",
        env=later,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert fake.comments[-1][0] == EXISTING
    assert fake.comments[-1][1].startswith(f"[Pixely] Entrega cancelada: {PUB}")
    assert "motivo: cerró" in fake.comments[-1][1]
    assert len(fake.created()) == 1
    assert {c.authorization for c in fake.calls} == {TOKEN}
    assert cell(sheet, location, "Entregas", E002, "Estado") == "entregado"


def test_a_clickup_failure_never_blocks_the_sheet(
    cli: Any, sheet: SheetFactory, fake: FakeClickUp, tmp_path: Path
) -> None:
    location = demo_with_task(sheet)
    env = environment(fake, tmp_path)
    outbox = str(tmp_path / "salida")
    assert (
        cli("--sheet", location, "notify", "--salida", outbox, env=env).exit_code == 0
    )
    fake.fail(500, times=2)

    result = cli("--sheet", location, "sent", "001", env=env)
    assert result.exit_code == 0, result.output
    assert cell(sheet, location, "Entregas", P001, "Estado") == "notificado"
    assert f"{P001}: ClickUp tuvo un error interno (500)" in result.stderr
    assert "queda 1 envío pendiente" in result.stderr
    assert fake.comments == []

    result = cli("--sheet", location, "clickup", "sync", env=env)
    assert result.exit_code == 1  # ClickUp still fails
    assert "queda 1 envío pendiente" in result.stderr

    result = cli("--sheet", location, "clickup", "sync", env=env)
    assert result.exit_code == 0, result.output
    assert "ClickUp: 1 comentario." in result.stdout
    assert [task for task, _ in fake.comments] == [EXISTING]

    result = cli("--sheet", location, "clickup", "sync", env=env)
    assert result.exit_code == 0
    assert "ClickUp está al día" in result.stdout
    assert len(fake.comments) == 1


def test_without_a_token_nothing_reaches_clickup(
    cli: Any, sheet: SheetFactory, fake: FakeClickUp, tmp_path: Path
) -> None:
    location = demo_with_task(sheet)
    env = environment(fake, tmp_path, PIXELY_CLICKUP_TOKEN=None)
    outbox = str(tmp_path / "salida")
    assert (
        cli("--sheet", location, "notify", "--salida", outbox, env=env).exit_code == 0
    )
    result = cli("--sheet", location, "sent", "001", "002", env=env)
    assert result.exit_code == 0, result.output
    assert "ClickUp" not in result.output
    assert fake.calls == []
    assert not (tmp_path / "datos").exists()
    assert cell(sheet, location, "Clientes", "002", "ClickUp") is None


@pytest.mark.parametrize(
    ("extra", "code", "lines"),
    [
        (
            {},
            0,
            [
                "✓ Token válido: usuario «Lucía Pixely».",
                "✓ Lista «Clientes Pixely» (ID 901).",
            ],
        ),
        (
            {"PIXELY_CLICKUP_LIST": "777"},
            1,
            [
                "✓ Token válido",
                "✗ ClickUp no encuentra la lista «777» (List not found)",
            ],
        ),
        (
            {"PIXELY_CLICKUP_LIST": None},
            1,
            ["✓ Token válido", "✗ Falta PIXELY_CLICKUP_LIST"],
        ),
        (
            {"PIXELY_CLICKUP_TOKEN": "pk_0_WRONG"},
            1,
            [
                "✗ ClickUp no aceptó el token (Token invalid): revisa PIXELY_CLICKUP_TOKEN"
            ],
        ),
    ],
)
def test_clickup_check_says_what_works_in_spanish(
    cli: Any,
    fake: FakeClickUp,
    tmp_path: Path,
    extra: dict[str, str | None],
    code: int,
    lines: list[str],
) -> None:
    result = cli("clickup", "check", env=environment(fake, tmp_path, **extra))
    assert result.exit_code == code, result.output
    for line in lines:
        assert line in result.stdout
    assert TOKEN not in result.output and "pk_0_WRONG" not in result.output


def test_clickup_check_without_a_token_says_how_to_set_it(
    cli: Any, fake: FakeClickUp, tmp_path: Path
) -> None:
    result = cli(
        "clickup", "check", env=environment(fake, tmp_path, PIXELY_CLICKUP_TOKEN=None)
    )
    assert result.exit_code == 2
    assert "Falta PIXELY_CLICKUP_TOKEN" in result.stderr
    assert fake.calls == []


def test_clickup_commands_have_spanish_help(cli: Any) -> None:
    for args in (
        ["clickup", "--help"],
        ["clickup", "check", "--help"],
        ["clickup", "sync", "--help"],
    ):
        result = cli(*args)
        assert result.exit_code == 0
        assert "ClickUp" in result.stdout


def test_with_clickup_off_the_client_is_not_even_imported(tmp_path: Path) -> None:
    path = control(tmp_path, {})
    script = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from pixely_benefits.cli import app\n"
        f"args = ['--sheet', {str(path)!r}, 'cancel', '007', '--month', '2026-12',"
        " '--motivo', 'cerró']\n"
        "result = CliRunner().invoke(app, args)\n"
        "assert result.exit_code == 0, result.output\n"
        "print(sorted(m for m in sys.modules if 'clickup' in m))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIXELY_CLICKUP")}
    env.update({"PIXELY_NOW": "2026-12-03T09:30", "PIXELY_USER": "lucia"})
    env["PIXELY_DATA_DIR"] = str(tmp_path / "datos")
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    )
    assert done.stdout.strip() == "['pixely_benefits.cli.clickup']"
    assert not (tmp_path / "datos").exists()
