"""The Google Sheets backend: the control sheet kept in a Google spreadsheet.

Requests, and why so few (a command costs the same for 10 or 2,000 clients):

* **Read**: one ``spreadsheets.get`` (tab titles and sizes) and one
  ``values:batchGet`` for every tab the command needs, with
  ``valueRenderOption=UNFORMATTED_VALUE`` and ``dateTimeRenderOption=
  SERIAL_NUMBER``: dates arrive as serial numbers (days since 1899-12-30) and
  never as text in the sheet's locale, IDs and phones typed as text stay text.
* **Write** (:mod:`~pixely_benefits.sheet.google_write`): one ``values:batchGet`` reads row 1
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
``USER_ENTERED`` with ISO text for date cells only was the other option; it was
left because a request has one ``valueInputOption`` for all its cells, so the
dates would need requests of their own beside the ``RAW`` text (another
``values:batchUpdate``, and one after each append to reach the new rows): twice
the writes per command, and rows that exist for a moment without their dates.

Known limits, written here for whoever meets them:

* A date column that a person created by hand without a date format shows the
  serial number (``46357``) in the cells the tool writes until the column is
  given a date format (Formato > Número > Fecha). Columns created by the tool
  are formatted.
* ``values:append`` looks for "the table" from its anchor, and Google's
  detection may end a table at a fully blank row. The anchor is ``A1`` unless
  the read saw blank rows inside the data; then it is the first row of the
  last block of data, so new rows go below the last row that holds data either
  way.
* Each request is atomic on Google's side, but a command's requests are not
  atomic together: if one fails after retries, the error says which parts
  were already saved.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pixely_benefits.errors import PixelyError
from pixely_benefits.sheet import google_layout
from pixely_benefits.sheet.base import ChangeSet, RawTab
from pixely_benefits.sheet.cells import Cell
from pixely_benefits.sheet.google_api import (
    Caller,
    RetryPolicy,
    SheetsApi,
    SheetsUnavailableError,
    UncertainWriteError,
)
from pixely_benefits.sheet.google_layout import quoted
from pixely_benefits.sheet.google_values import (
    SheetInfo,
    dates_as_dates,
    header_of,
    raw_tab,
    with_suffix,
)
from pixely_benefits.sheet.google_write import Writer
from pixely_benefits.sheet.schema import TabSpec, normalize, tab_titles

logger = logging.getLogger(__name__)

URL = "https://docs.google.com/spreadsheets/d/{key}/edit"


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
class Prepared:
    """What :meth:`GoogleStore.prepare` added: new tabs, and headers per tab."""

    created: list[str]
    headers: dict[str, list[str]]


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
        titles: list[str] = []
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
            titles.append(info.title)
        tab_titles(titles)  # two tabs of the tool alike after folding: stop
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
            raise with_suffix(error, " No se escribió nada en la hoja.") from error
        found: dict[str, RawTab] = {}
        for (spec, info), answer in zip(wanted, answers, strict=True):
            raw, anchor = raw_tab(info.title, answer)
            dates_as_dates(raw, spec)
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
        try:
            sheets = self._sheets if self._sheets is not None else self._metadata()
        except SheetsUnavailableError as error:
            raise with_suffix(error, " No se escribió nada en la hoja.") from error
        self._sheets = None  # tabs may be added: ask Google again next time
        writer = Writer(self._connect(), sheets, self._anchors, self._key_columns)
        writer.apply(changes)

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
            raise with_suffix(error, " No se cambió nada en la hoja.") from error
        headers = {
            info.title: header_of((a.get("values") or [[]])[0])
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
                raise with_suffix(error, " No se cambió nada en la hoja.") from error
        return result
