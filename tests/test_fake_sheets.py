"""The fake Sheets server answers like Google: checked against recorded exchanges.

The recordings are real request/response pairs between gspread and the Sheets
API v4 (see the shared reference ``sheets-api-recordings``). Each cassette is
replayed against the fake, in order, and every answer must have the shape of
Google's: the same keys, the same list lengths (so trailing empty cells and
rows are dropped the same way and ``values`` is left out of empty ranges), the
same types of values. Values themselves are compared too, except where noted.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from tests.fake_sheets import FakeSheets

RECORDINGS = (
    Path(__file__).resolve().parents[2] / "shared/reference/sheets-api-recordings"
)
"""Beside the repository, as the project's shared reference keeps them."""
CASSETTES = sorted(RECORDINGS.glob("*.json")) if RECORDINGS.is_dir() else []

PRESENTATION = {"defaultFormat", "spreadsheetTheme"}
"""Spreadsheet properties about looks that the fake leaves out."""

SHAPE_ONLY: dict[str, set[int]] = {
    # Appending to a whole tab (no anchor cell) whose first row has a gap:
    # Google took the table to be the cell after the gap and wrote the row two
    # columns to the right. pixely always anchors at a cell, so the fake does
    # not copy this: the answer keeps its shape, the next read (of the row
    # written) differs and only its status is compared.
    "WorksheetTest.test_append_row_with_empty_value": {6, 14},
}
STATUS_ONLY: dict[str, set[int]] = {
    "WorksheetTest.test_append_row_with_empty_value": {7, 15},
}


def shape(value: Any) -> Any:
    """The structure of a JSON answer: keys, list lengths and scalar types."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in sorted(value.items()) if k not in PRESENTATION}
    if isinstance(value, list):
        return [shape(v) for v in value]
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def replay(fake: FakeSheets, cassette: Path) -> list[tuple[int, Any, Any]]:
    """Send the cassette's Sheets requests to the fake: (index, recorded, fake)."""
    pairs: list[tuple[int, Any, Any]] = []
    sheet_ids: dict[int, int] = {}
    interactions = json.loads(cassette.read_text())["interactions"]
    for index, interaction in enumerate(interactions):
        request, response = interaction["request"], interaction["response"]
        uri = urlsplit(request["uri"])
        recorded_text = response["body"]["string"]
        recorded = json.loads(recorded_text) if recorded_text else None
        if uri.netloc == "www.googleapis.com":  # Drive: create or delete the file
            if request["method"] == "POST":
                assert recorded is not None
                fake.create({"Sheet1": []}, title=recorded["name"], key=recorded["id"])
            continue
        body = request.get("body")
        for recorded_id, fake_id in sheet_ids.items():  # tabs the fake numbered itself
            body = body and body.replace(
                f'"sheetId": {recorded_id}', f'"sheetId": {fake_id}'
            )
        answer = requests.request(
            request["method"],
            f"http://{fake.host}{uri.path}" + (f"?{uri.query}" if uri.query else ""),
            data=body.encode() if isinstance(body, str) else body,
            headers={"Content-Type": "application/json"},
            timeout=5,
        )
        assert answer.status_code == response["status"]["code"], (index, answer.text)
        answered = answer.json()
        for mine, theirs in zip(
            answered.get("replies", []),
            (recorded or {}).get("replies", []),
            strict=True,
        ):
            if "addSheet" in theirs:
                recorded_id = theirs["addSheet"]["properties"]["sheetId"]
                sheet_ids[recorded_id] = mine["addSheet"]["properties"]["sheetId"]
        pairs.append((index, recorded, answered))
    return pairs


@pytest.mark.skipif(
    not CASSETTES, reason="the shared recordings are not on this machine"
)
@pytest.mark.parametrize("cassette", CASSETTES, ids=lambda p: p.stem)
def test_the_fake_answers_recorded_requests_like_google(
    fake_sheets: FakeSheets, cassette: Path
) -> None:
    pairs = replay(fake_sheets, cassette)
    assert pairs, "the cassette has Sheets requests"
    for index, recorded, answered in pairs:
        if index in STATUS_ONLY.get(cassette.stem, set()):
            continue
        assert shape(answered) == shape(recorded), index
        if index in SHAPE_ONLY.get(cassette.stem, set()):
            continue
        for key in ("values", "range", "clearedRange", "updates", "tableRange"):
            if key in recorded:
                assert answered[key] == recorded[key], (index, key)


def get(fake: FakeSheets, path: str, **params: Any) -> requests.Response:
    return requests.get(
        f"http://{fake.host}/v4/spreadsheets/{path}", params=params, timeout=5
    )


def post(fake: FakeSheets, path: str, body: Any, **params: Any) -> requests.Response:
    url = f"http://{fake.host}/v4/spreadsheets/{path}"
    return requests.post(url, json=body, params=params, timeout=5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("'Mi pestaña'!A1:B", [["a", "b"], ["c"]]),
        ("'Mi pestaña'!B1:B2", [["b"]]),
        ("'Mi pestaña'!A2:2", [["c"]]),
        ("'Mi pestaña'!C:C", None),
        ("'Mi pestaña'", [["a", "b"], ["c"]]),
        ("'It''s'!A1", [["quoted"]]),
    ],
)
def test_a1_ranges_with_quoted_titles(
    fake_sheets: FakeSheets, text: str, expected: Any
) -> None:
    key = fake_sheets.create({"Mi pestaña": [["a", "b"], ["c"]], "It's": [["quoted"]]})
    answer = get(fake_sheets, f"{key}/values:batchGet", ranges=[text]).json()
    assert answer["valueRanges"][0].get("values") == expected


def test_render_options_give_serials_or_formatted_dates(
    fake_sheets: FakeSheets,
) -> None:
    key = fake_sheets.create(
        {"T": [[date(2026, 12, 1), datetime(2026, 12, 3, 9, 30), "007", 7, True]]}
    )

    def read(**options: str) -> list[Any]:
        answer = get(fake_sheets, f"{key}/values/T", **options).json()
        return answer["values"][0]  # type: ignore[no-any-return]

    serial = read(
        valueRenderOption="UNFORMATTED_VALUE", dateTimeRenderOption="SERIAL_NUMBER"
    )
    assert serial == [46357, 46359.395833333336, "007", 7, True]
    formatted = read(
        valueRenderOption="UNFORMATTED_VALUE", dateTimeRenderOption="FORMATTED_STRING"
    )
    assert formatted == ["01/12/2026", "03/12/2026 09:30", "007", 7, True]
    assert read() == ["01/12/2026", "03/12/2026 09:30", "007", "7", "TRUE"]


def test_raw_keeps_text_and_user_entered_parses_it(fake_sheets: FakeSheets) -> None:
    key = fake_sheets.create({"T": [[]]})
    typed = ["=1+1", "2026-12-05", "007", "'=x", "hola"]
    for row, option in ((1, "RAW"), (2, "USER_ENTERED")):
        body = {
            "valueInputOption": option,
            "data": [{"range": f"T!A{row}:E{row}", "values": [typed]}],
        }
        assert post(fake_sheets, f"{key}/values:batchUpdate", body).status_code == 200
    answer = get(
        fake_sheets,
        f"{key}/values/T",
        valueRenderOption="UNFORMATTED_VALUE",
        dateTimeRenderOption="SERIAL_NUMBER",
    ).json()
    assert answer["values"] == [typed, [2, 46361, 7, "=x", "hola"]]
    grid = fake_sheets.grid(key, "T")
    assert grid.get(0, 0) == "=1+1"  # RAW: the text itself
    assert fake_sheets.rows(key, "T")[1][:2] == ["=1+1", datetime(2026, 12, 5)]


def test_append_finds_the_table_and_inserts_rows(fake_sheets: FakeSheets) -> None:
    key = fake_sheets.create({"T": [["ID", "x"], ["1"], [], ["2"], [], [], ["nota"]]})
    params = {"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"}
    answer = post(
        fake_sheets, f"{key}/values/'T'!A4:append", {"values": [["3"]]}, **params
    )
    assert answer.json()["tableRange"] == "T!A4"
    assert answer.json()["updates"]["updatedRange"] == "T!A5"
    rows = fake_sheets.rows(key, "T")
    assert rows == [["ID", "x"], ["1"], [], ["2"], ["3"], [], [], ["nota"]]
    assert fake_sheets.grid(key, "T").rows == 1001


def test_writes_outside_the_grid_are_refused_whole(fake_sheets: FakeSheets) -> None:
    key = fake_sheets.create({"T": [["a"]]})
    body = {
        "valueInputOption": "RAW",
        "data": [
            {"range": "T!B1", "values": [["b"]]},
            {"range": "T!AA1", "values": [["outside"]]},
        ],
    }
    answer = post(fake_sheets, f"{key}/values:batchUpdate", body)
    assert answer.status_code == 400
    assert answer.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert "exceeds grid limits" in answer.json()["error"]["message"]
    assert fake_sheets.rows(key, "T") == [["a"]]


def test_a_batch_update_applies_all_or_nothing(fake_sheets: FakeSheets) -> None:
    key = fake_sheets.create({"T": [["a"]]})
    body = {
        "requests": [
            {"addSheet": {"properties": {"title": "Nueva"}}},
            {"addSheet": {"properties": {"title": "T"}}},
        ]
    }
    answer = post(fake_sheets, f"{key}:batchUpdate", body)
    assert answer.status_code == 400
    assert "already exists" in answer.json()["error"]["message"]
    assert fake_sheets.titles(key) == ["T"]


@pytest.mark.parametrize(
    ("setup", "status", "name"),
    [
        ("unknown", 404, "NOT_FOUND"),
        ("denied", 403, "PERMISSION_DENIED"),
        ("scopes", 403, "PERMISSION_DENIED"),
        ("fault", 429, "RESOURCE_EXHAUSTED"),
        ("fault500", 500, "INTERNAL"),
    ],
)
def test_errors_have_googles_shape(
    fake_sheets: FakeSheets, setup: str, status: int, name: str
) -> None:
    key = fake_sheets.create({"T": [["a"]]})
    if setup == "unknown":
        key = "no-such-spreadsheet"
    elif setup == "denied":
        fake_sheets.denied.add(key)
    elif setup == "scopes":
        fake_sheets.scopes_missing = True
    else:
        fake_sheets.fail(status)
    answer = get(fake_sheets, key)
    assert answer.status_code == status
    error = answer.json()["error"]
    assert (error["code"], error["status"]) == (status, name)
    assert error["message"]


def test_a_fault_is_answered_then_requests_succeed_and_all_are_logged(
    fake_sheets: FakeSheets,
) -> None:
    key = fake_sheets.create({"T": [["a"]]})
    fake_sheets.fail(429, times=2, kind="values.get")
    statuses = [get(fake_sheets, f"{key}/values/T").status_code for _ in range(3)]
    assert statuses == [429, 429, 200]
    assert get(fake_sheets, key).status_code == 200
    assert fake_sheets.kinds() == ["values.get"] * 3 + ["spreadsheets.get"]
    assert (fake_sheets.reads(), fake_sheets.writes()) == (4, 0)


def test_a_slow_answer_arrives_after_the_delay(fake_sheets: FakeSheets) -> None:
    key = fake_sheets.create({"T": [["a"]]})
    fake_sheets.slow(0.5)
    with pytest.raises(requests.ReadTimeout):
        requests.get(f"http://{fake_sheets.host}/v4/spreadsheets/{key}", timeout=0.1)
    assert get(fake_sheets, key).status_code == 200
