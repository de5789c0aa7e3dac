"""The storage interface: what every backend of the control sheet offers.

A backend reads whole tabs as raw cells and applies a :class:`ChangeSet`.
It knows nothing of clients or benefits: the schema, the parsing and the
rules live above it. Both backends must behave the same; one test suite runs
against both.

Writing rules every backend keeps:

* rows to update are found by the value of their key column *at write time*,
  and only the named cells change; a key that is gone or duplicated stops the
  whole change set before anything is written (:class:`WriteConflictError`);
* new rows go below the last row that holds data; nothing is sorted, cleared
  or rewritten;
* ``str`` values are stored as literal text, never as formulas; ``date`` and
  ``datetime`` values become real date cells;
* missing tabs named in ``new_tabs`` are created with their headers; headers
  a change needs that an existing tab lacks are added at the end of row 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from pixely_benefits.errors import WriteConflictError
from pixely_benefits.sheet.cells import Cell
from pixely_benefits.sheet.schema import TabSpec


class RawRow(NamedTuple):
    """A row as read; a named tuple because a large sheet has hundreds of thousands."""

    number: int
    """The row number as the sheet shows it (the header is row 1)."""
    values: list[Cell]


@dataclass(slots=True)
class RawTab:
    """A tab as read: row 1 as text, then every row that is not entirely blank."""

    title: str
    header: list[str]
    rows: list[RawRow]
    uncached_formulas: list[str] = field(default_factory=list)
    """A1 references of formula cells with no saved result (value unknown)."""

    def column_has_data(self) -> list[bool]:
        width = len(self.header)
        seen = [False] * width
        for row in self.rows:
            for index, value in enumerate(row.values[:width]):
                if not seen[index] and value is not None and value != "":
                    seen[index] = True
        return seen


@dataclass(frozen=True, slots=True)
class RowUpdate:
    """Set ``values`` (header -> value) on the row of ``tab`` whose key column holds ``key``."""

    tab: TabSpec
    key: str
    values: Mapping[str, Cell]


@dataclass(frozen=True, slots=True)
class RowAppend:
    """Add a row to ``tab`` with ``values`` (header -> value)."""

    tab: TabSpec
    values: Mapping[str, Cell]


@dataclass(slots=True)
class ChangeSet:
    """Everything one command writes, applied together by :meth:`Store.write`."""

    new_tabs: list[TabSpec] = field(default_factory=list)
    updates: list[RowUpdate] = field(default_factory=list)
    appends: list[RowAppend] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.new_tabs or self.updates or self.appends)


class Store(Protocol):
    """A control sheet: a local workbook or a Google spreadsheet."""

    @property
    def label(self) -> str:
        """How the sheet is named to the user (a file path or a spreadsheet title)."""
        ...

    def read(self, tabs: Iterable[TabSpec]) -> dict[str, RawTab]:
        """Read the given tabs at once; the result is keyed by ``TabSpec.name``.

        Tabs that do not exist are absent from the result. The key column of a
        keyed tab is the one whose header matches the tab's first column.
        """
        ...

    def write(self, changes: ChangeSet) -> None:
        """Apply ``changes`` as described in this module's docstring."""
        ...


def write_conflict(changed: list[str], repeated: list[str]) -> WriteConflictError:
    """The error for a change set whose rows do not match the sheet at write time.

    ``changed`` says what moved since the sheet was read (a row gone, an ID
    added by someone else); ``repeated`` the keys found on several rows. A
    repeated key alone is not a change: the sheet may have held it all along.
    """
    found = "; ".join([*changed, *repeated])
    if changed:
        return WriteConflictError(
            f"La hoja cambió y no se escribió nada: {found}. Revisa esas filas y "
            "vuelve a ejecutar el comando."
        )
    return WriteConflictError(
        f"No se escribió nada: {found}. Deja una sola fila con cada ID y vuelve a "
        "ejecutar el comando."
    )
