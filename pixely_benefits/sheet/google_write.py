"""Applying a :class:`ChangeSet` to a Google spreadsheet.

Right before writing, one ``values:batchGet`` reads row 1 of every tab the
change set touches and the key column of the keyed ones again, so rows are
found where they are *now*; a key that is gone or duplicated stops everything
before the first write. Then, in order: one ``spreadsheets.batchUpdate`` only
when tabs or headers are missing (tab, headers and column formats together, so
a tab never exists half made), one ``values:batchUpdate`` with every changed
cell, and one ``values:append`` per tab with new rows. All values go ``RAW``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pixely_benefits.errors import (
    PixelyError,
    SheetFormatError,
    StructuralError,
)
from pixely_benefits.sheet import google_layout
from pixely_benefits.sheet.base import ChangeSet, write_conflict
from pixely_benefits.sheet.cells import Cell
from pixely_benefits.sheet.google_api import (
    SheetsApi,
    SheetsUnavailableError,
    UncertainWriteError,
)
from pixely_benefits.sheet.google_layout import cell_range, quoted, range_start
from pixely_benefits.sheet.google_values import (
    SheetInfo,
    header_of,
    key_of,
    keys_of,
    with_suffix,
)
from pixely_benefits.sheet.schema import (
    Column,
    TabSpec,
    column_letter,
    match_headers,
    normalize,
)


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
    found: dict[str, int] = field(default_factory=dict)
    """Columns already looked up, by the name a change used."""

    def __post_init__(self) -> None:
        self.columns = match_headers(self.spec, self.header) if self.header else {}
        if not self.header:  # an entirely blank tab gets its headers, as a new one
            for column in self.spec.columns:
                self.column(column.header)

    def column(self, name: str) -> int:
        """The 0-based column of header ``name``, added at the end of row 1 if missing."""
        index = self.found.get(name)
        if index is None:
            index = self.found[name] = self._locate(name)
        return index

    def _locate(self, name: str) -> int:
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
        key_column = self.column(self.spec.columns[0].header)
        for name, value in values.items():
            if self.column(name) == key_column:
                return key_of(value)
        return None


class Writer:
    """Writes change sets into one spreadsheet whose tabs are known."""

    def __init__(
        self,
        api: SheetsApi,
        sheets: Mapping[str, SheetInfo],
        anchors: Mapping[str, int],
        key_columns: Mapping[str, int],
    ) -> None:
        self.api = api
        self.sheets = sheets
        self.anchors = anchors
        """Row where appends to a tab are anchored, by tab title (from the read)."""
        self.key_columns = key_columns
        """0-based key column of each keyed tab, by title, as the read saw it."""

    def apply(self, changes: ChangeSet) -> None:
        """Re-read, check, then send the requests; raise before any write on a conflict."""
        steps: list[tuple[str, Callable[[], Any]]] = []
        try:
            targets = self._targets(changes)
            structure = self._structure(changes, targets)
            updates = self._updates(changes, targets)
            appends = self._appends(changes, targets)
        except SheetsUnavailableError as error:
            raise with_suffix(error, " No se escribió nada en la hoja.") from error
        api = self.api
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
        _run(steps)

    def _targets(self, changes: ChangeSet) -> dict[str, _Target]:
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
        sheets = self.sheets
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
                column = self.key_columns.get(info.title)
                whole = column is None
                ranges.append(
                    quoted(info.title)
                    if whole
                    else f"{quoted(info.title)}!{column_letter(column or 0)}:"
                    f"{column_letter(column or 0)}"
                )
                asked.append((spec, "keys", column))
        answers = self.api.batch_get(ranges) if ranges else []
        pending: list[tuple[_Target, int | None, dict[str, Any]]] = []
        for (spec, part, column), answer in zip(asked, answers, strict=True):
            info = sheets[normalize(spec.name)]
            if part == "header":
                rows = answer.get("values", [])
                header = header_of(rows[0] if rows else [])
                anchor = self.anchors.get(info.title, 1)
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
                target.keys = keys_of([r[now] if now < len(r) else None for r in rows])
            elif column == now:
                target.keys = keys_of([r[0] if r else None for r in rows])
            else:
                moved.append(target)
        if moved:
            letters = [column_letter(t.columns[t.spec.columns[0].key]) for t in moved]
            answers = self.api.batch_get(
                [
                    f"{quoted(t.title)}!{c}:{c}"
                    for t, c in zip(moved, letters, strict=True)
                ]
            )
            for target, answer in zip(moved, answers, strict=True):
                rows = answer.get("values", [])
                target.keys = keys_of([r[0] if r else None for r in rows])

    def _structure(
        self, changes: ChangeSet, targets: Mapping[str, _Target]
    ) -> list[dict[str, Any]]:
        """Conflicts first, then the requests for missing tabs and headers."""
        repeated: list[str] = []
        changed: list[str] = []
        for update in changes.updates:
            target = targets[update.tab.name]
            found = target.keys.get(update.key.strip(), [])
            if not found:
                changed.append(f"«{update.key}» ya no está en «{target.title}»")
            elif len(found) > 1:
                shown = ", ".join(str(r) for r in found)
                repeated.append(
                    f"«{update.key}» está repetido en «{target.title}» (filas {shown})"
                )
        for append in changes.appends:
            target = targets[append.tab.name]
            key = target.key_of(append.values)
            if key is not None and target.keys.get(key):
                changed.append(f"«{key}» ya existe en «{target.title}»")
        if changed or repeated:
            raise write_conflict(changed, repeated)
        for update in changes.updates:
            for name in update.values:
                targets[update.tab.name].column(name)
        for append in changes.appends:
            for name in append.values:
                targets[append.tab.name].column(name)
        sheets = self.sheets
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
            raise with_suffix(error, suffix) from error
        done.append(what)
