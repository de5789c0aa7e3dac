"""The Google Sheets backend: the control sheet kept in a Google spreadsheet.

Requests, and why so few (a command costs the same for 10 or 2,000 clients):

* **Read**: one ``spreadsheets.get`` (tab titles and sizes) and one
  ``values:batchGet`` for every tab the command needs, with
  ``valueRenderOption=UNFORMATTED_VALUE`` and ``dateTimeRenderOption=
  SERIAL_NUMBER``: dates arrive as serial numbers (days since 1899-12-30) and
  never as text in the sheet's locale, IDs and phones typed as text stay text.
* **Write** (:meth:`GoogleStore.write`): one ``values:batchGet`` reads row 1
  and the key column (``Entregas``' ID) again, so that a row a person moved
  or deleted since the read is found where it is now, or the write stops
  before anything is written (:class:`WriteConflictError`). Then, in order:
  one ``spreadsheets.batchUpdate`` only when tabs or headers are missing (the
  new tab, its headers and column formats in one atomic request); one
  ``values:batchUpdate`` with every changed cell; one ``values:append`` per tab
  with new rows (``INSERT_ROWS``, so nothing below is overwritten).

Values are written with ``valueInputOption=RAW``: text is stored as typed and
never parsed, so ``=HYPERLINK(...)``, ``007`` or ``2026-12`` stay text. Dates
the tool writes are sent as serial numbers, which *are* dates in a spreadsheet
once the cell has a date format; the columns the tool creates (``pixely init
--sheet`` or a missing tab or header) get that format over the whole column.
``USER_ENTERED`` for date cells was the other option; it was left because a
request has one ``valueInputOption`` for all its cells, so every write would
need a second request for its dates (and one more per appended tab), and
because Google would then parse the dates in the sheet's locale.

Known limits, written here for whoever meets them:

* A date column that a person created by hand without a date format shows the
  serial number (``46357``) in the cells the tool writes until the column is
  given a date format (Formato > Número > Fecha). Columns created by the tool
  are formatted.
* ``values:append`` finds the end of the table from its anchor, and a fully
  blank row ends a table. The anchor is ``A1`` unless the read saw blank rows
  inside the data; then it is the first row of the last block of data, so new
  rows still go below the last row that holds data.
* Each request is atomic on Google's side, but a command's requests are not
  atomic together: if one fails after retries, the error says which parts
  were already saved.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from pixely_benefits.errors import (
    PixelyError,
    SheetFormatError,
    StructuralError,
    WriteConflictError,
)
from pixely_benefits.sheet import cells, google_layout
from pixely_benefits.sheet.base import ChangeSet, RawRow, RawTab
from pixely_benefits.sheet.cells import Cell
from pixely_benefits.sheet.google_api import (
    Caller,
    RetryPolicy,
    SheetsApi,
    SheetsUnavailableError,
    UncertainWriteError,
)
from pixely_benefits.sheet.google_layout import cell_range, quoted, range_start
from pixely_benefits.sheet.schema import (
    Column,
    Kind,
    TabSpec,
    column_letter,
    match_headers,
    normalize,
)

logger = logging.getLogger(__name__)

URL = "https://docs.google.com/spreadsheets/d/{key}/edit"
MAX_SERIAL = 2958465
"""The serial number of 9999-12-31, the last date a spreadsheet knows."""


@dataclass(frozen=True, slots=True)
class GoogleConfig:
    """Where the credentials are, whether to use an emulator, how long to retry."""

    credentials_file: Path | None = None
    emulator_host: str | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    @classmethod
    def from_settings(cls) -> GoogleConfig:
        from pixely_benefits.settings import get_settings

        settings = get_settings()
        return cls(
            credentials_file=settings.google_credentials,
            emulator_host=settings.sheets_emulator_host,
            retry=RetryPolicy.within(settings.google_retry_seconds),
        )


@dataclass(frozen=True, slots=True)
class SheetInfo:
    sheet_id: int
    title: str
    rows: int
    columns: int


@dataclass(frozen=True, slots=True)
class Prepared:
    """What :meth:`GoogleStore.prepare` added: new tabs, and headers per tab."""

    created: list[str]
    headers: dict[str, list[str]]


@dataclass(slots=True)
class _Target:
    """A tab as it is right before a write: row 1, its key column, new headers."""

    spec: TabSpec
    title: str
    info: SheetInfo | None
    header: list[str]
    anchor: int = 1
    keys: dict[str, list[int]] = field(default_factory=dict)
    added: list[tuple[str, Column | None]] = field(default_factory=list)
    columns: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.columns = match_headers(self.spec, self.header)

    def column(self, name: str) -> int:
        """The 0-based column of header ``name``, added at the end of row 1 if missing."""
        folded = normalize(name)
        known: Column | None = None
        for candidate in self.spec.columns:
            if folded in candidate.names:
                index = self.columns.get(candidate.key)
                if index is not None:
                    return index
                known, name = candidate, candidate.header
                break
        for index, text in enumerate(self.header):
            if normalize(text) == folded:
                return index
        self.header.append(name)
        self.added.append((name, known))
        if known is not None:
            self.columns[known.key] = len(self.header) - 1
        return len(self.header) - 1

    def key_of(self, values: Mapping[str, Cell]) -> str | None:
        if not self.spec.keyed:
            return None
        names = self.spec.columns[0].names
        for name, value in values.items():
            if normalize(name) in names:
                return _key(value)
        return None


class GoogleStore:
    """A control sheet kept in Google Sheets, reached with gspread."""

    def __init__(self, key: str, config: GoogleConfig | None = None) -> None:
        self.key = key
        self._config = config
        self._api: SheetsApi | None = None
        self._title: str | None = None
        self._sheets: dict[str, SheetInfo] | None = None
        self._anchors: dict[str, int] = {}
        self._key_columns: dict[str, int] = {}

    @property
    def label(self) -> str:
        return f"«{self._title}»" if self._title else URL.format(key=self.key)

    @property
    def requests(self) -> int:
        """Requests sent to Google so far, retries included."""
        return self._api.requests if self._api is not None else 0

    def _connect(self) -> SheetsApi:
        if self._api is None:
            from pixely_benefits.sheet import google_auth

            config = self._config or GoogleConfig.from_settings()
            if config.emulator_host:
                from google.auth.credentials import AnonymousCredentials

                source = config.credentials_file
                caller = Caller(account=google_auth.account_in(source))
                session = google_auth.emulator_session(config.emulator_host)
                credentials: Any = AnonymousCredentials()  # type: ignore[no-untyped-call]
            else:
                identity = google_auth.find_identity(config.credentials_file)
                caller = Caller(
                    account=identity.account,
                    source=str(identity.source) if identity.source else None,
                    person=identity.account is None,
                )
                session = google_auth.authorized_session(identity)
                credentials = identity.credentials
            self._api = SheetsApi(
                self.key, credentials, session, policy=config.retry, caller=caller
            )
        return self._api

    def _metadata(self) -> dict[str, SheetInfo]:
        """Fetch the tab list; each tab is keyed by its folded title (first wins)."""
        answer = self._connect().metadata()
        self._title = str(answer.get("properties", {}).get("title", "")) or None
        sheets: dict[str, SheetInfo] = {}
        for sheet in answer.get("sheets", []):
            properties = sheet.get("properties", {})
            if properties.get("sheetType", "GRID") != "GRID":
                continue
            grid = properties.get("gridProperties", {})
            info = SheetInfo(
                int(properties.get("sheetId", 0)),
                str(properties.get("title", "")),
                int(grid.get("rowCount", 0)),
                int(grid.get("columnCount", 0)),
            )
            sheets.setdefault(normalize(info.title), info)
        self._sheets = sheets
        return sheets

    def read(self, tabs: Iterable[TabSpec]) -> dict[str, RawTab]:
        try:
            sheets = self._metadata()
            wanted = [
                (spec, sheets[normalize(spec.name)])
                for spec in tabs
                if normalize(spec.name) in sheets
            ]
            if not wanted:
                return {}
            answers = self._connect().batch_get([quoted(i.title) for _, i in wanted])
        except SheetsUnavailableError as error:
            raise _with_suffix(error, " No se escribió nada en la hoja.") from error
        found: dict[str, RawTab] = {}
        for (spec, info), answer in zip(wanted, answers, strict=True):
            raw, anchor = _raw_tab(info.title, answer)
            _dates_as_dates(raw, spec)
            found[spec.name] = raw
            self._anchors[info.title] = anchor
            key_names = spec.columns[0].names
            for index, text in enumerate(raw.header):
                if normalize(text) in key_names:
                    self._key_columns[info.title] = index
                    break
        return found

    def write(self, changes: ChangeSet) -> None:
        if not changes:
            return
        steps: list[tuple[str, Callable[[], Any]]] = []
        try:
            sheets = self._sheets if self._sheets is not None else self._metadata()
            targets = self._targets(changes, sheets)
            structure = self._structure(changes, sheets, targets)
            updates = self._updates(changes, targets)
            appends = self._appends(changes, targets)
        except SheetsUnavailableError as error:
            raise _with_suffix(error, " No se escribió nada en la hoja.") from error
        api = self._connect()
        if structure:
            steps.append(
                (
                    "las pestañas y encabezados nuevos",
                    lambda: api.batch_update(structure),
                )
            )
        if updates:
            steps.append(
                ("los cambios en filas existentes", lambda: api.update_values(updates))
            )
        for target, rows in appends:
            steps.append(
                (f"las filas nuevas de «{target.title}»", _appender(api, target, rows))
            )
        self._sheets = None  # tabs may have been added: ask Google next time
        _run(steps)

    def _targets(
        self, changes: ChangeSet, sheets: Mapping[str, SheetInfo]
    ) -> dict[str, _Target]:
        """Every tab the change set touches, with row 1 and keys read again now."""
        specs: dict[str, TabSpec] = {}
        keyed: set[str] = set()
        for update in changes.updates:
            specs.setdefault(update.tab.name, update.tab)
            keyed.add(update.tab.name)
        for append in changes.appends:
            specs.setdefault(append.tab.name, append.tab)
            if append.tab.keyed:
                keyed.add(append.tab.name)
        creating = {normalize(s.name) for s in changes.new_tabs}
        targets: dict[str, _Target] = {}
        ranges: list[str] = []
        asked: list[tuple[TabSpec, str, int | None]] = []
        for name, spec in specs.items():
            info = sheets.get(normalize(name))
            if info is None:
                if normalize(name) not in creating:
                    raise StructuralError(
                        f"Falta la pestaña «{name}» en la hoja de control: créala con sus "
                        "encabezados y vuelve a ejecutar el comando."
                    )
                targets[name] = _Target(spec, spec.name, None, list(spec.headers))
                continue
            ranges.append(f"{quoted(info.title)}!1:1")
            asked.append((spec, "header", None))
            if name in keyed:
                column = self._key_columns.get(info.title)
                whole = column is None
                ranges.append(
                    quoted(info.title)
                    if whole
                    else f"{quoted(info.title)}!{column_letter(column or 0)}:"
                    f"{column_letter(column or 0)}"
                )
                asked.append((spec, "keys", column))
        answers = self._connect().batch_get(ranges) if ranges else []
        pending: list[tuple[_Target, int | None, dict[str, Any]]] = []
        for (spec, part, column), answer in zip(asked, answers, strict=True):
            info = sheets[normalize(spec.name)]
            if part == "header":
                rows = answer.get("values", [])
                header = _header(rows[0] if rows else [])
                anchor = self._anchors.get(info.title, 1)
                targets[spec.name] = _Target(spec, info.title, info, header, anchor)
            else:
                pending.append((targets[spec.name], column, answer))
        self._index_keys(pending)
        return targets

    def _index_keys(
        self, pending: list[tuple[_Target, int | None, dict[str, Any]]]
    ) -> None:
        """Fill each target's keys; a key column that moved is fetched once more."""
        moved: list[_Target] = []
        for target, column, answer in pending:
            now = target.columns.get(target.spec.columns[0].key)
            rows = answer.get("values", [])
            if now is None:
                continue
            if column is None:
                target.keys = _keys([r[now] if now < len(r) else None for r in rows])
            elif column == now:
                target.keys = _keys([r[0] if r else None for r in rows])
            else:
                moved.append(target)
        if moved:
            letters = [column_letter(t.columns[t.spec.columns[0].key]) for t in moved]
            answers = self._connect().batch_get(
                [
                    f"{quoted(t.title)}!{c}:{c}"
                    for t, c in zip(moved, letters, strict=True)
                ]
            )
            for target, answer in zip(moved, answers, strict=True):
                rows = answer.get("values", [])
                target.keys = _keys([r[0] if r else None for r in rows])

    def _structure(
        self,
        changes: ChangeSet,
        sheets: Mapping[str, SheetInfo],
        targets: Mapping[str, _Target],
    ) -> list[dict[str, Any]]:
        """Conflicts first, then the requests for missing tabs and headers."""
        conflicts: list[str] = []
        for update in changes.updates:
            target = targets[update.tab.name]
            found = target.keys.get(update.key.strip(), [])
            if not found:
                conflicts.append(f"«{update.key}» ya no está en «{target.title}»")
            elif len(found) > 1:
                shown = ", ".join(str(r) for r in found)
                conflicts.append(
                    f"«{update.key}» está repetido en «{target.title}» (filas {shown})"
                )
        for append in changes.appends:
            target = targets[append.tab.name]
            key = target.key_of(append.values)
            if key is not None and target.keys.get(key):
                conflicts.append(f"«{key}» ya existe en «{target.title}»")
        if conflicts:
            raise WriteConflictError(
                "La hoja cambió y no se escribió nada: "
                + "; ".join(conflicts)
                + ". Revisa esas filas y vuelve a ejecutar el comando."
            )
        for update in changes.updates:
            for name in update.values:
                targets[update.tab.name].column(name)
        for append in changes.appends:
            for name in append.values:
                targets[append.tab.name].column(name)
        taken = {info.sheet_id for info in sheets.values()}
        requests: list[dict[str, Any]] = []
        created: set[str] = set()
        for spec in [
            *changes.new_tabs,
            *(t.spec for t in targets.values() if t.info is None),
        ]:
            if normalize(spec.name) in sheets or normalize(spec.name) in created:
                continue
            created.add(normalize(spec.name))
            sheet_id = google_layout.new_sheet_id(taken)
            taken.add(sheet_id)
            requests += google_layout.new_tab(spec, sheet_id)
            fresh = targets.get(spec.name)
            if fresh is not None and fresh.added:
                requests += google_layout.new_columns(
                    sheet_id,
                    max(google_layout.DEFAULT_COLUMNS, len(spec.columns)),
                    len(spec.columns),
                    fresh.added,
                )
        for target in targets.values():
            if target.info is not None and target.added:
                first = len(target.header) - len(target.added)
                requests += google_layout.new_columns(
                    target.info.sheet_id, target.info.columns, first, target.added
                )
        return requests

    def _updates(
        self, changes: ChangeSet, targets: Mapping[str, _Target]
    ) -> list[dict[str, Any]]:
        """One value range per run of adjacent changed cells in a row."""
        by_row: dict[tuple[str, int], dict[int, Cell]] = {}
        for update in changes.updates:
            target = targets[update.tab.name]
            row = target.keys[update.key.strip()][0]
            cells_of_row = by_row.setdefault((target.title, row), {})
            for name, value in update.values.items():
                cells_of_row[target.column(name)] = value
        data: list[dict[str, Any]] = []
        for (title, row), values in by_row.items():
            columns = sorted(values)
            run = [columns[0]]
            for column in [*columns[1:], None]:
                if column is not None and column == run[-1] + 1:
                    run.append(column)
                    continue
                data.append(
                    {
                        "range": cell_range(title, row, run[0], run[-1]),
                        "majorDimension": "ROWS",
                        "values": [[google_layout.wire(values[c]) for c in run]],
                    }
                )
                if column is not None:
                    run = [column]
        return data

    def _appends(
        self, changes: ChangeSet, targets: Mapping[str, _Target]
    ) -> list[tuple[_Target, list[list[Any]]]]:
        rows: dict[str, list[list[Any]]] = {}
        for append in changes.appends:
            target = targets[append.tab.name]
            placed = {target.column(n): v for n, v in append.values.items()}
            width = max(
                (c for c, v in placed.items() if v not in (None, "")), default=-1
            )
            row = [google_layout.wire(placed.get(c)) for c in range(width + 1)]
            rows.setdefault(append.tab.name, []).append(row)
        return [(targets[name], found) for name, found in rows.items()]

    def prepare(
        self, tabs: Sequence[tuple[TabSpec, Sequence[Mapping[str, Cell]]]]
    ) -> Prepared:
        """Add the tabs and headers that ``tabs`` lists and the sheet lacks.

        Nothing that exists is changed: rows go only into tabs created here,
        and missing headers go at the end of row 1 of existing tabs.
        """
        try:
            sheets = self._metadata()
            existing = [
                (spec, sheets[normalize(spec.name)])
                for spec, _ in tabs
                if normalize(spec.name) in sheets
            ]
            answers = (
                self._connect().batch_get(
                    [f"{quoted(i.title)}!1:1" for _, i in existing]
                )
                if existing
                else []
            )
        except SheetsUnavailableError as error:
            raise _with_suffix(error, " No se cambió nada en la hoja.") from error
        headers = {
            info.title: _header((a.get("values") or [[]])[0])
            for (_, info), a in zip(existing, answers, strict=True)
        }
        taken = {info.sheet_id for info in sheets.values()}
        requests: list[dict[str, Any]] = []
        result = Prepared([], {})
        for spec, rows in tabs:
            info = sheets.get(normalize(spec.name))
            if info is None:
                sheet_id = google_layout.new_sheet_id(taken)
                taken.add(sheet_id)
                requests += google_layout.new_tab(spec, sheet_id, rows)
                result.created.append(spec.name)
                continue
            header = headers[info.title]
            present = {normalize(text) for text in header}
            missing = [c for c in spec.columns if not present.intersection(c.names)]
            if missing:
                requests += google_layout.new_columns(
                    info.sheet_id,
                    info.columns,
                    len(header),
                    [(c.header, c) for c in missing],
                )
                result.headers[info.title] = [c.header for c in missing]
        if requests:
            try:
                self._connect().batch_update(requests)
            except UncertainWriteError:
                raise
            except PixelyError as error:  # one request: all of it or nothing
                raise _with_suffix(error, " No se cambió nada en la hoja.") from error
        return result


def _appender(
    api: SheetsApi, target: _Target, rows: list[list[Any]]
) -> Callable[[], None]:
    def append() -> None:
        answer = api.append(f"{quoted(target.title)}!A{target.anchor}", rows)
        written = str(answer.get("updates", {}).get("updatedRange", ""))
        if written and range_start(written)[1] != 0:
            raise SheetFormatError(
                f"Google puso las filas nuevas de «{target.title}» en {written}, no "
                "desde la columna A: revisa esa pestaña (la celda A1 no debe estar "
                "vacía) y corrige esas filas a mano."
            )

    return append


def _run(steps: list[tuple[str, Callable[[], Any]]]) -> None:
    """Send the write requests in order; a failure says what was already saved."""
    done: list[str] = []
    for index, (what, send) in enumerate(steps):
        try:
            send()
        except UncertainWriteError as error:
            saved = f"ya se guardaron {', '.join(done)}; " if done else ""
            raise UncertainWriteError(
                f"Google Sheets no contestó a tiempo al guardar {what} y no se sabe si "
                f"se guardaron: {saved}revisa la hoja antes de volver a ejecutar el "
                "comando, para no repetirlas."
            ) from error
        except PixelyError as error:
            if not done:
                suffix = " No se escribió nada en la hoja."
            else:
                left = ", ".join(w for w, _ in steps[index:])
                suffix = (
                    f" Ya se guardaron {', '.join(done)}; faltan {left}: revisa la hoja "
                    "antes de volver a ejecutar el comando."
                )
            raise _with_suffix(error, suffix) from error
        done.append(what)


def _with_suffix(error: PixelyError, suffix: str) -> PixelyError:
    if error.message.endswith(suffix.strip()):
        return error
    joined = error.message.rstrip(".") + "." + suffix
    return type(error)(joined)


def _header(values: Sequence[Any]) -> list[str]:
    header = ["" if _blank(v) else str(v).strip() for v in values]
    while header and not header[-1]:
        header.pop()
    return header


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _cell(value: Any) -> Cell:
    if _blank(value):
        return None
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _raw_tab(title: str, answer: Mapping[str, Any]) -> tuple[RawTab, int]:
    """The tab as the workbook backend would give it, and the append anchor row."""
    first_row, _ = range_start(str(answer.get("range", "A1")))
    rows: list[list[Any]] = answer.get("values", [])
    occupied: list[int] = []
    header: list[str] = []
    body: list[RawRow] = []
    for offset, values in enumerate(rows):
        number = first_row + offset
        if any(not _blank(v) for v in values):
            occupied.append(number)
        if number == 1:
            header = _header(values)
            continue
        row = [_cell(v) for v in values[: len(header)]]
        while row and row[-1] is None:
            row.pop()
        if row:
            body.append(RawRow(number, row))
    anchor = occupied[-1] if occupied else 1
    for number in reversed(occupied[:-1]):
        if number != anchor - 1:
            break
        anchor = number
    return RawTab(title, header, body), anchor


def _dates_as_dates(raw: RawTab, spec: TabSpec) -> None:
    """Turn serial numbers in the date columns of ``spec`` into dates, in place.

    The workbook backend hands date cells over as dates; Google sends serial
    numbers (the read asks for them, so the sheet's locale never matters).
    Converting the known date columns here keeps both backends' raw tabs alike.
    A number too large to be a date is left as it is for the parsers to report.
    """
    kinds: dict[int, Kind] = {}
    for index, text in enumerate(raw.header):
        folded = normalize(text)
        for column in spec.columns:
            if folded in column.names and column.kind in (Kind.DATE, Kind.DATETIME):
                kinds.setdefault(index, column.kind)
    if not kinds:
        return
    for row in raw.rows:
        values = row.values
        for index, kind in kinds.items():
            if index < len(values):
                values[index] = _as_date(values[index], kind)


def _as_date(value: Cell, kind: Kind) -> Cell:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if not 1 <= value <= MAX_SERIAL:
        return value
    seconds = round(value * 86400)
    moment = datetime.combine(cells.SERIAL_EPOCH, time()) + timedelta(seconds=seconds)
    if kind is Kind.DATE and moment.time() == time():
        return moment.date()
    return moment


def _key(value: Any) -> str | None:
    try:
        return cells.identifier(value)
    except cells.CellError:
        return None


def _keys(column: Sequence[Any]) -> dict[str, list[int]]:
    """Row numbers by key, from a column read from row 1 (the header is skipped)."""
    keys: dict[str, list[int]] = {}
    for offset, value in enumerate(column[1:], start=2):
        key = _key(value)
        if key is not None:
            keys.setdefault(key, []).append(offset)
    return keys
