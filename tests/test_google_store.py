"""The Google Sheets backend against the fake server, through the real gspread client.

What is checked here is what only this backend has: the requests it makes
(and how few), how it finds rows that people moved, retries, the errors it
turns into Spanish sentences and the credentials it accepts. The behaviour
shared with the workbook runs on both backends in the ``sheet`` suites.
"""

from __future__ import annotations

import json
import socket
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from pixely_benefits.errors import (
    ConfigurationError,
    PixelyError,
    SheetNotFoundError,
    WriteConflictError,
)
from pixely_benefits.loading import READ_TABS, load
from pixely_benefits.sheet import google_key, open_store
from pixely_benefits.sheet.base import ChangeSet, RowAppend, RowUpdate
from pixely_benefits.sheet.google import GoogleConfig, GoogleStore
from pixely_benefits.sheet.google_api import RetryPolicy, UncertainWriteError
from pixely_benefits.sheet.google_auth import load_identity
from pixely_benefits.sheet.schema import ALL_TABS, CLIENTS, DELIVERIES, HISTORY, PERIODS
from pixely_benefits.sheet.workbook import WorkbookStore
from pixely_benefits.starter import starter_tabs
from tests.conftest import demo_rows, write_xlsx
from tests.fake_sheets import FakeSheets

FAST = RetryPolicy(
    total_seconds=2.0,
    first_wait=0.01,
    max_wait=0.05,
    attempts=4,
    connect_timeout=0.5,
    read_timeout=5.0,
)
IMPATIENT = replace(FAST, read_timeout=0.3)
"""For the tests of slow answers: gives up waiting after 0.3 s."""
HEAD = DELIVERIES.headers
A = "001-estudio-mercado-2026-12"
B = "002-publicaciones-adicionales-2026-12"


def store(fake: FakeSheets, key: str, **config: Any) -> GoogleStore:
    options: dict[str, Any] = {"emulator_host": fake.host, "retry": FAST, **config}
    return GoogleStore(key, GoogleConfig(**options))


def delivery(delivery_id: str, state: str = "pendiente") -> list[Any]:
    client, _, rest = delivery_id.partition("-")
    return [delivery_id, client, None, rest[:-8], rest[-7:], state]


def entregas(*ids: str) -> dict[str, list[list[Any]]]:
    return {"Entregas": [HEAD, *(delivery(i) for i in ids)]}


def column(rows: list[list[Any]], header: str) -> list[Any]:
    index = rows[0].index(header)
    return [r[index] if index < len(r) else None for r in rows[1:]]


# --- reads ---------------------------------------------------------------------------


def test_reads_give_the_same_data_as_the_workbook(
    fake_sheets: FakeSheets, tmp_path: Path
) -> None:
    rows = demo_rows()
    rows["Clientes"].insert(3, [None, "  "])  # a blank row keeps the numbering
    rows["Clientes"][0] = [f"  {str(h).upper()} " for h in rows["Clientes"][0]]
    rows[" configuración "] = rows.pop("Configuración")
    workbook = load(WorkbookStore(write_xlsx(tmp_path / "b.xlsx", rows)))
    google = load(store(fake_sheets, fake_sheets.create(rows)))
    assert google.data == workbook.data
    assert google.problems == workbook.problems
    assert google.tabs["Clientes"].rows[2].number == 5


def test_ids_phones_and_dates_keep_their_meaning(fake_sheets: FakeSheets) -> None:
    key = fake_sheets.create(
        {
            "Clientes": [
                ["ID", "Cliente", "WhatsApp"],
                ["007", "Espiga", "+51 987 654 321"],
            ],
            "Suscripciones": [
                ["ID cliente", "Inicio", "Fin"],
                ["007", date(2026, 3, 1), 46357],
            ],
        }
    )
    raw = store(fake_sheets, key).read([CLIENTS, PERIODS])
    assert raw["Clientes"].rows[0].values == ["007", "Espiga", "+51 987 654 321"]
    assert raw["Suscripciones"].rows[0].values == [
        "007",
        date(2026, 3, 1),
        date(2026, 12, 1),
    ]
    query = fake_sheets.log[-1].query
    assert query["valueRenderOption"] == ["UNFORMATTED_VALUE"]
    assert query["dateTimeRenderOption"] == ["SERIAL_NUMBER"]


@pytest.mark.parametrize("clients", [10, 2000])
def test_a_read_is_two_requests_whatever_the_size(
    fake_sheets: FakeSheets, clients: int
) -> None:
    rows = demo_rows()
    rows["Clientes"] += [[f"C{i:04d}", f"Cliente {i}"] for i in range(clients)]
    loaded = load(store(fake_sheets, fake_sheets.create(rows)))
    assert len(loaded.data.clients) >= clients
    assert fake_sheets.kinds() == ["spreadsheets.get", "values:batchGet"]
    assert len(fake_sheets.log[-1].query["ranges"]) == len(READ_TABS)


def test_the_emulator_sends_no_token(fake_sheets: FakeSheets) -> None:
    store(fake_sheets, fake_sheets.create(entregas(A))).read([DELIVERIES])
    assert fake_sheets.log and not any(c.authorized for c in fake_sheets.log)


# --- writes --------------------------------------------------------------------------


def test_a_write_is_one_reread_one_update_and_one_append_per_tab(
    fake_sheets: FakeSheets,
) -> None:
    key = fake_sheets.create({**entregas(A), "Historial": [HISTORY.headers]})
    google = store(fake_sheets, key)
    google.read([DELIVERIES, HISTORY])
    fake_sheets.reset()
    note: dict[str, Any] = {
        "Fecha": datetime(2026, 12, 3, 9, 30),
        "Acción": "notificar",
    }
    google.write(
        ChangeSet(
            updates=[
                RowUpdate(DELIVERIES, A, {"Estado": "notificado", "Notas": "=1+1"})
            ],
            appends=[
                RowAppend(DELIVERIES, dict(zip(HEAD, delivery(B), strict=False))),
                RowAppend(HISTORY, note),
                RowAppend(HISTORY, {**note, "Acción": "otra"}),
            ],
        )
    )
    assert fake_sheets.kinds() == [
        "values:batchGet",
        "values:batchUpdate",
        "values:append",
        "values:append",
    ]
    reread, update, *appends = fake_sheets.log
    assert reread.query["ranges"] == [
        "'Entregas'!1:1",
        "'Entregas'!A:A",
        "'Historial'!1:1",
    ]
    assert update.body["valueInputOption"] == "RAW"
    assert [d["range"] for d in update.body["data"]] == [
        "'Entregas'!F2",
        "'Entregas'!N2",
    ]
    for call in appends:
        assert call.query["valueInputOption"] == ["RAW"]
        assert call.query["insertDataOption"] == ["INSERT_ROWS"]
    assert [c.path.rsplit("/", 1)[1] for c in appends] == [
        "%27Entregas%27%21A1:append",
        "%27Historial%27%21A1:append",
    ]
    grid = fake_sheets.grid(key, "Entregas")
    assert grid.get(1, 13) == "=1+1"  # stored as text: RAW never makes a formula
    history = fake_sheets.grid(key, "Historial")
    assert [history.get(r, 2) for r in (1, 2)] == ["notificar", "otra"]
    assert history.get(1, 0) == 46359.395833333336  # 2026-12-03 09:30 as a serial


def test_rows_moved_after_the_read_are_found_where_they_are_now(
    fake_sheets: FakeSheets,
) -> None:
    key = fake_sheets.create(entregas(A, B))
    google = store(fake_sheets, key)
    google.read([DELIVERIES])
    grid = fake_sheets.grid(key, "Entregas")
    grid.values[1], grid.values[2] = grid.values[2], grid.values[1]  # a person sorts
    google.write(ChangeSet(updates=[RowUpdate(DELIVERIES, A, {"Estado": "entregado"})]))
    rows = fake_sheets.rows(key, "Entregas")
    assert column(rows, "ID") == [B, A]
    assert column(rows, "Estado") == ["pendiente", "entregado"]


def test_an_id_column_moved_after_the_read_costs_one_more_read(
    fake_sheets: FakeSheets,
) -> None:
    key = fake_sheets.create(entregas(A, B))
    google = store(fake_sheets, key)
    google.read([DELIVERIES])
    grid = fake_sheets.grid(key, "Entregas")
    for line in grid.values:  # a person inserts a column before ID
        line.insert(0, None)
    grid.values[0][0] = "Prioridad"
    fake_sheets.reset()
    google.write(ChangeSet(updates=[RowUpdate(DELIVERIES, B, {"Estado": "entregado"})]))
    assert fake_sheets.kinds() == [
        "values:batchGet",
        "values:batchGet",
        "values:batchUpdate",
    ]
    rows = fake_sheets.rows(key, "Entregas")
    assert column(rows, "Estado") == ["pendiente", "entregado"]
    assert rows[0][0] == "Prioridad"


def test_an_id_deleted_after_the_read_stops_the_write(fake_sheets: FakeSheets) -> None:
    key = fake_sheets.create(entregas(A, B))
    google = store(fake_sheets, key)
    google.read([DELIVERIES])
    del fake_sheets.grid(key, "Entregas").values[2]
    fake_sheets.reset()
    changes = ChangeSet(
        updates=[RowUpdate(DELIVERIES, B, {"Estado": "entregado"})],
        appends=[RowAppend(HISTORY, {"Acción": "entregar"})],
        new_tabs=[HISTORY],
    )
    with pytest.raises(WriteConflictError, match=f"«{B}» ya no está en «Entregas»"):
        google.write(changes)
    assert fake_sheets.writes() == 0
    assert fake_sheets.titles(key) == ["Entregas"]


def test_a_missing_tab_is_made_in_one_request_with_formats(
    fake_sheets: FakeSheets,
) -> None:
    key = fake_sheets.create(entregas(A))
    google = store(fake_sheets, key)
    google.read([DELIVERIES, HISTORY])
    fake_sheets.reset()
    note: dict[str, Any] = {
        "Fecha": datetime(2026, 12, 3, 9, 30),
        "Usuario": "lucía",
        "Acción": "x",
    }
    google.write(ChangeSet(new_tabs=[HISTORY], appends=[RowAppend(HISTORY, note)]))
    assert fake_sheets.kinds() == ["spreadsheets.batchUpdate", "values:append"]
    added = [r for r in fake_sheets.structure if "addSheet" in r]
    assert added[0]["addSheet"]["properties"]["title"] == "Historial"
    grid = fake_sheets.grid(key, "Historial")
    assert grid.frozen == 1
    assert grid.format_of(5, 0)["numberFormat"]["type"] == "DATE_TIME"
    assert grid.format_of(5, 1)["numberFormat"]["type"] == "TEXT"
    assert fake_sheets.rows(key, "Historial") == [
        HISTORY.headers,
        [datetime(2026, 12, 3, 9, 30), "lucía", "x"],
    ]


def test_a_header_beyond_the_grid_widens_it_first(fake_sheets: FakeSheets) -> None:
    short = ["ID", "ID cliente", "Beneficio", "Mes", "Estado"]
    key = fake_sheets.create({"Entregas": [short, delivery(A)[:2] + delivery(A)[3:]]})
    fake_sheets.grid(key, "Entregas").columns = 5
    google = store(fake_sheets, key)
    google.read([DELIVERIES])
    when = date(2026, 12, 18)
    google.write(ChangeSet(updates=[RowUpdate(DELIVERIES, A, {"Fecha límite": when})]))
    assert any("appendDimension" in r for r in fake_sheets.structure)
    rows = fake_sheets.rows(key, "Entregas")
    assert rows[0] == [*short, "Fecha límite"]
    assert rows[1][5] == datetime(2026, 12, 18)


# --- init on an existing spreadsheet --------------------------------------------------


def test_prepare_adds_tabs_and_headers_and_touches_nothing_else(
    fake_sheets: FakeSheets,
) -> None:
    key = fake_sheets.create(
        {
            "clientes": [["ID", "Cliente", "Nota propia"], ["001", "Espiga", "ok"]],
            "Beneficios": [["Código", "Beneficio", "Meses mínimos"], ["x", "X", 3]],
        }
    )
    google = store(fake_sheets, key)
    done = google.prepare(starter_tabs())
    assert done.created == [
        "Suscripciones",
        "Entregas",
        "Historial",
        "Configuración",
        "Promociones",
    ]
    assert done.headers["clientes"][:3] == ["Contacto", "Correo", "WhatsApp"]
    assert fake_sheets.count("spreadsheets.batchUpdate") == 1
    assert fake_sheets.rows(key, "clientes")[1] == ["001", "Espiga", "ok"]
    assert fake_sheets.rows(key, "Beneficios")[1:] == [["x", "X", 3]]  # no catalogue
    assert fake_sheets.rows(key, "Configuración")[1] == ["agencia", "Pixely"]
    subscriptions = fake_sheets.grid(key, "Suscripciones")
    assert subscriptions.format_of(10, 0)["numberFormat"] == {"type": "TEXT"}
    assert subscriptions.format_of(10, 1)["numberFormat"]["type"] == "DATE"
    fake_sheets.reset()
    again = store(fake_sheets, key).prepare(starter_tabs())
    assert (again.created, again.headers) == ([], {})
    assert fake_sheets.kinds() == ["spreadsheets.get", "values:batchGet"]


# --- retries ---------------------------------------------------------------------------


def test_a_busy_answer_is_retried(fake_sheets: FakeSheets) -> None:
    key = fake_sheets.create(entregas(A))
    fake_sheets.fail(429, times=2)
    raw = store(fake_sheets, key).read([DELIVERIES])
    assert raw["Entregas"].rows[0].values[0] == A
    assert fake_sheets.kinds() == ["spreadsheets.get"] * 3 + ["values:batchGet"]


def test_retries_stop_and_say_nothing_was_written(fake_sheets: FakeSheets) -> None:
    key = fake_sheets.create(entregas(A))
    google = store(fake_sheets, key)
    google.read([DELIVERIES])
    fake_sheets.fail(503, times=100)
    changes = ChangeSet(updates=[RowUpdate(DELIVERIES, A, {"Estado": "entregado"})])
    with pytest.raises(SheetNotFoundError) as caught:
        google.write(changes)
    message = caught.value.message
    assert "tras 4 intentos" in message
    assert message.endswith("No se escribió nada en la hoja.")


def test_a_slow_read_times_out_and_is_retried(fake_sheets: FakeSheets) -> None:
    key = fake_sheets.create(entregas(A))
    fake_sheets.slow(1.0, kind="values:batchGet")
    raw = store(fake_sheets, key, retry=IMPATIENT).read([DELIVERIES])
    assert raw["Entregas"].rows[0].values[0] == A
    assert fake_sheets.count("values:batchGet") == 2


def test_a_slow_append_is_not_repeated_and_says_so(fake_sheets: FakeSheets) -> None:
    key = fake_sheets.create(entregas(A))
    google = store(fake_sheets, key, retry=IMPATIENT)
    google.read([DELIVERIES])
    fake_sheets.slow(1.0, kind="values:append")
    changes = ChangeSet(
        appends=[RowAppend(HISTORY, {"Acción": "x"})], new_tabs=[HISTORY]
    )
    with pytest.raises(UncertainWriteError) as caught:
        google.write(changes)
    assert "y no se sabe si se guardaron" in caught.value.message
    assert "ya se guardaron las pestañas y encabezados nuevos" in caught.value.message
    assert fake_sheets.count("values:append") == 1  # not repeated: it did arrive
    assert fake_sheets.rows(key, "Historial")[1:] == [[None, None, "x"]]


def test_a_partial_write_names_what_was_saved(fake_sheets: FakeSheets) -> None:
    key = fake_sheets.create(entregas(A))
    google = store(fake_sheets, key)
    google.read([DELIVERIES])
    fake_sheets.fail(400, kind="values:append")
    changes = ChangeSet(
        updates=[RowUpdate(DELIVERIES, A, {"Estado": "entregado"})],
        appends=[RowAppend(HISTORY, {"Acción": "x"})],
        new_tabs=[HISTORY],
    )
    with pytest.raises(PixelyError) as caught:
        google.write(changes)
    message = caught.value.message
    assert (
        "Ya se guardaron las pestañas y encabezados nuevos, los cambios en filas"
        in message
    )
    assert "faltan las filas nuevas de «Historial»" in message


# --- errors ------------------------------------------------------------------------------


def service_account(
    folder: Path, email: str = "pixely@agencia.iam.gserviceaccount.com"
) -> Path:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    path = folder / "cuenta.json"
    info = {
        "type": "service_account",
        "project_id": "agencia",
        "private_key_id": "abc",
        "private_key": pem,
        "client_email": email,
        "client_id": "1",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    path.write_text(json.dumps(info))
    return path


def test_not_shared_names_the_service_account(
    fake_sheets: FakeSheets, tmp_path: Path
) -> None:
    key = fake_sheets.create(entregas(A))
    fake_sheets.denied.add(key)
    google = store(fake_sheets, key, credentials_file=service_account(tmp_path))
    with pytest.raises(SheetNotFoundError) as caught:
        google.read([DELIVERIES])
    assert "«pixely@agencia.iam.gserviceaccount.com»" in caught.value.message
    assert "Compartir" in caught.value.message


@pytest.mark.parametrize(
    ("setup", "error", "words"),
    [
        ("unknown", SheetNotFoundError, "No existe una hoja de Google con el ID"),
        ("scopes", ConfigurationError, "falta el alcance"),
        ("offline", SheetNotFoundError, "No hay conexión con Google Sheets"),
    ],
)
def test_errors_say_what_to_fix(
    fake_sheets: FakeSheets, setup: str, error: type[PixelyError], words: str
) -> None:
    key = fake_sheets.create(entregas(A))
    host = fake_sheets.host
    if setup == "unknown":
        key = "x" * 44
    elif setup == "scopes":
        fake_sheets.scopes_missing = True
    else:
        with socket.socket() as probe:  # a port nobody listens on
            probe.bind(("127.0.0.1", 0))
            host = f"127.0.0.1:{probe.getsockname()[1]}"
    google = store(fake_sheets, key, emulator_host=host)
    with pytest.raises(error) as caught:
        google.read([DELIVERIES])
    assert words in caught.value.message
    assert caught.value.__cause__ is not None


@pytest.mark.parametrize(
    ("status", "google_says", "words"),
    [
        (
            403,
            "You are trying to edit a protected cell or object. Please contact the "
            "spreadsheet owner to remove protection if you need to edit.",
            "está protegido y la cuenta «pixely@agencia.iam.gserviceaccount.com»",
        ),
        (
            403,
            "Your application is authenticating by using local Application Default "
            "Credentials. The sheets.googleapis.com API requires a quota project.",
            "set-quota-project",
        ),
        (
            403,
            "Google Sheets API has not been used in project 123 before or it is disabled.",
            "La API de Google Sheets no está activada",
        ),
        (400, "Unable to parse range: 'Entregas'!1:1", "cambió de nombre o se borró"),
        (
            400,
            "This operation is not supported for this document",
            "es un Excel guardado en Drive",
        ),
    ],
)
def test_what_google_says_becomes_what_to_do(
    fake_sheets: FakeSheets, tmp_path: Path, status: int, google_says: str, words: str
) -> None:
    key = fake_sheets.create(entregas(A))
    google = store(fake_sheets, key, credentials_file=service_account(tmp_path))
    google.read([DELIVERIES])
    fake_sheets.fail(status, message=google_says)
    with pytest.raises(PixelyError) as caught:
        google.write(ChangeSet(updates=[RowUpdate(DELIVERIES, A, {"Estado": "x"})]))
    assert words in caught.value.message


def test_a_url_or_an_id_opens_the_google_backend(fake_sheets: FakeSheets) -> None:
    key = fake_sheets.create(entregas(A))
    assert google_key(fake_sheets.url(key)) == key
    opened = open_store(fake_sheets.url(key))
    assert isinstance(opened, GoogleStore)
    assert set(opened.read(ALL_TABS)) == {"Entregas"}
    assert opened.label == "«Hoja de control»"


# --- credentials -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "No existe el archivo de credenciales"),
        ("{no es json", "no es un JSON válido"),
        ('{"installed": {"client_id": "x"}}', "es el archivo de cliente OAuth"),
        ('{"type": "external_account"}', "no es de una cuenta de servicio"),
        (
            '{"type": "service_account", "client_email": "a@b", "token_uri": "t", '
            '"private_key": "-----BEGIN PRIVATE KEY-----\\nroto\\n-----END PRIVATE KEY-----"}',
            "está incompleta o dañada",
        ),
        ('{"type": "authorized_user", "client_id": "x"}', "vuelve a iniciar sesión"),
    ],
)
def test_bad_credentials_files_are_explained(
    tmp_path: Path, content: str | None, words: str
) -> None:
    path = tmp_path / "credenciales.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ConfigurationError) as caught:
        load_identity(path)
    assert words in caught.value.message
    assert str(path) in caught.value.message
    assert "roto" not in caught.value.message


def test_a_service_account_and_a_login_are_accepted(tmp_path: Path) -> None:
    from google.oauth2 import service_account as accounts

    account = load_identity(service_account(tmp_path))
    assert account.account == "pixely@agencia.iam.gserviceaccount.com"
    assert isinstance(account.credentials, accounts.Credentials)
    assert account.credentials.scopes == [
        "https://www.googleapis.com/auth/spreadsheets"
    ]
    login = tmp_path / "usuario.json"
    login.write_text(
        json.dumps(
            {
                "type": "authorized_user",
                "client_id": "id",
                "client_secret": "secret",
                "refresh_token": "refresh",
            }
        )
    )
    person = load_identity(login)
    assert person.account is None


def test_no_credentials_at_all_is_explained(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("PIXELY_GOOGLE_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("PIXELY_SHEETS_EMULATOR_HOST", raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigurationError, match="falta la credencial"):
        GoogleStore("x" * 44).read([DELIVERIES])
