"""The data model of the fake Sheets server: grids, A1 ranges, value rendering.

Kept apart from the HTTP layer in :mod:`tests.fake_sheets` so each file reads on
its own. Behaviour follows the recorded exchanges with the real API (see
``sheets-api-recordings`` in the shared reference): trailing empty cells and
rows are dropped, ``values`` is left out of an empty range, ranges in answers
are clipped to the grid and titles are quoted only when they need it.
"""

from __future__ import annotations

import ast
import operator
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

EPOCH = datetime(1899, 12, 30)
Value = Any  # str | int | float | bool | Formula | None


class ApiError(Exception):
    """An error the fake answers with, shaped like Google's."""

    def __init__(self, code: int, message: str, status: str) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status

    def body(self) -> dict[str, Any]:
        return {
            "error": {"code": self.code, "message": self.message, "status": self.status}
        }


def bad_request(message: str) -> ApiError:
    return ApiError(400, message, "INVALID_ARGUMENT")


@dataclass(frozen=True)
class Formula:
    """A cell whose content is a formula (only ``USER_ENTERED`` input makes one).

    The fake computes plain arithmetic (``=3/2``); any other formula reads as
    ``#NAME?``, as an unknown function does in Sheets.
    """

    text: str

    def result(self) -> Any:
        try:
            tree = ast.parse(self.text[1:], mode="eval")
            number = _arithmetic(tree.body)
        except (SyntaxError, ValueError, ZeroDivisionError):
            return "#NAME?"
        return int(number) if float(number).is_integer() else number


_OPERATORS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


def _arithmetic(node: ast.expr) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_arithmetic(node.operand)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return float(
            _OPERATORS[type(node.op)](_arithmetic(node.left), _arithmetic(node.right))
        )
    raise ValueError("not arithmetic")


@dataclass
class Grid:
    """One tab: properties, sparse values and per-cell formats (0-based indexes)."""

    sheet_id: int
    title: str
    rows: int = 1000
    columns: int = 26
    frozen: int = 0
    values: list[list[Value]] = field(default_factory=list)
    formats: list[dict[int, dict[str, Any]]] = field(default_factory=list)

    def get(self, row: int, column: int) -> Value:
        if row < len(self.values) and column < len(self.values[row]):
            return self.values[row][column]
        return None

    def put(self, row: int, column: int, value: Value) -> None:
        while len(self.values) <= row:
            self.values.append([])
        line = self.values[row]
        while len(line) <= column:
            line.append(None)
        line[column] = None if value == "" else value

    def format_of(self, row: int, column: int) -> dict[str, Any]:
        if row < len(self.formats):
            return self.formats[row].get(column, {})
        return {}

    def set_format(self, row: int, column: int, changes: dict[str, Any]) -> None:
        while len(self.formats) <= row:
            self.formats.append({})
        merged = dict(self.formats[row].get(column, {}))
        merged.update(changes)
        self.formats[row][column] = merged

    def copy(self) -> Grid:
        """A copy to change freely (format dicts are shared: they are never mutated)."""
        twin = Grid(self.sheet_id, self.title, self.rows, self.columns, self.frozen)
        twin.values = [list(line) for line in self.values]
        twin.formats = [dict(line) for line in self.formats]
        return twin

    def repeat_format(
        self, rows: range, columns: range, changes: dict[str, Any]
    ) -> None:
        """Merge ``changes`` into the format of every cell of the block."""
        while len(self.formats) < rows.stop:
            self.formats.append({})
        for row in rows:
            line = self.formats[row]
            for column in columns:
                existing = line.get(column)
                line[column] = {**existing, **changes} if existing else changes

    def insert_rows(self, at: int, count: int) -> None:
        """Insert ``count`` empty rows at ``at``; they take the formats of the row above."""
        above = dict(self.format_of_row(at - 1)) if at > 0 else {}
        while len(self.values) < at:
            self.values.append([])
        while len(self.formats) < at:
            self.formats.append({})
        for _ in range(count):
            self.values.insert(at, [])
            self.formats.insert(at, dict(above))
        self.rows += count

    def format_of_row(self, row: int) -> dict[int, dict[str, Any]]:
        return self.formats[row] if 0 <= row < len(self.formats) else {}

    def has_data(self, row: int, first: int = 0, last: int | None = None) -> bool:
        if row >= len(self.values):
            return False
        line = self.values[row][first : None if last is None else last + 1]
        return any(v is not None for v in line)

    def last_row(self) -> int:
        """The 0-based index of the last row holding data, -1 when empty."""
        for row in range(len(self.values) - 1, -1, -1):
            if self.has_data(row):
                return row
        return -1

    def properties(self, index: int) -> dict[str, Any]:
        grid: dict[str, Any] = {"rowCount": self.rows, "columnCount": self.columns}
        if self.frozen:
            grid["frozenRowCount"] = self.frozen
        return {
            "sheetId": self.sheet_id,
            "title": self.title,
            "index": index,
            "sheetType": "GRID",
            "gridProperties": grid,
        }


@dataclass
class Spreadsheet:
    key: str
    title: str
    sheets: list[Grid] = field(default_factory=list)
    locale: str = "es_419"
    time_zone: str = "America/Lima"

    def grid(self, sheet_id: int) -> Grid:
        for grid in self.sheets:
            if grid.sheet_id == sheet_id:
                return grid
        raise bad_request(f"No grid with id: {sheet_id}")


# --- A1 notation ---------------------------------------------------------------


def letters(column: int) -> str:
    text = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        text = chr(ord("A") + rest) + text
    return text


def column_index(text: str) -> int:
    number = 0
    for char in text.upper():
        number = number * 26 + ord(char) - ord("A") + 1
    return number - 1


def shown_title(title: str) -> str:
    """A title as Google writes it in a range: quoted unless plainly a name."""
    plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", title) is not None
    looks_like_cell = (
        re.fullmatch(r"[A-Za-z]{1,3}\d+|[Rr]\d+[Cc]\d+", title) is not None
    )
    if plain and not looks_like_cell:
        return title
    return "'" + title.replace("'", "''") + "'"


@dataclass(frozen=True)
class Area:
    """A range resolved on a grid: inclusive 0-based bounds (``None`` = open end)."""

    grid: Grid
    top: int
    left: int
    bottom: int | None
    right: int | None
    whole: bool = False
    """The range named only the tab."""

    def clipped(self) -> tuple[int, int, int, int]:
        bottom = self.grid.rows - 1 if self.bottom is None else self.bottom
        right = self.grid.columns - 1 if self.right is None else self.right
        return (
            self.top,
            self.left,
            min(bottom, self.grid.rows - 1),
            min(right, self.grid.columns - 1),
        )

    def a1(self, bottom: int | None = None, right: int | None = None) -> str:
        top, left, clip_bottom, clip_right = self.clipped()
        bottom = clip_bottom if bottom is None else bottom
        right = clip_right if right is None else right
        start = f"{letters(left)}{top + 1}"
        end = f"{letters(right)}{bottom + 1}"
        cells = start if (top, left) == (bottom, right) else f"{start}:{end}"
        return f"{shown_title(self.grid.title)}!{cells}"


_PART = re.compile(r"^([A-Za-z]*)(\d*)$")


def split_title(text: str) -> tuple[str | None, str]:
    """``'My tab'!A1:B`` -> (``My tab``, ``A1:B``); a bare name -> (name, '')."""
    if text.startswith("'"):
        index, title = 1, ""
        while index < len(text):
            char = text[index]
            if char == "'":
                if text[index + 1 : index + 2] == "'":
                    title += "'"
                    index += 2
                    continue
                rest = text[index + 1 :]
                if rest and not rest.startswith("!"):
                    raise bad_request(f"Unable to parse range: {text}")
                return title, rest[1:]
            title += char
            index += 1
        raise bad_request(f"Unable to parse range: {text}")
    if "!" in text:
        title, _, cells = text.rpartition("!")
        return title, cells
    return None, text


def resolve(sheets: list[Grid], text: str) -> Area:
    """Turn an A1 range into an :class:`Area` of one of ``sheets``."""
    title, cells = split_title(text)
    if title is None:
        match = find_grid(sheets, cells)
        if match is not None:
            return Area(match, 0, 0, None, None, whole=True)
        if not sheets:
            raise bad_request(f"Unable to parse range: {text}")
        grid = sheets[0]
    else:
        found = find_grid(sheets, title)
        if found is None:
            raise bad_request(f"Unable to parse range: {text}")
        grid = found
    if not cells:
        return Area(grid, 0, 0, None, None, whole=True)
    start, _, end = cells.partition(":")
    first = _PART.match(start)
    if first is None or not (first.group(1) or first.group(2)):
        raise bad_request(f"Unable to parse range: {text}")
    left = column_index(first.group(1)) if first.group(1) else 0
    top = int(first.group(2)) - 1 if first.group(2) else 0
    if not end:
        if first.group(1) and first.group(2):
            return Area(grid, top, left, top, left)
        if first.group(1):
            return Area(grid, 0, left, None, left)
        return Area(grid, top, 0, top, None)
    last = _PART.match(end)
    if last is None or not (last.group(1) or last.group(2)):
        raise bad_request(f"Unable to parse range: {text}")
    right = column_index(last.group(1)) if last.group(1) else None
    bottom = int(last.group(2)) - 1 if last.group(2) else None
    if right is None and not first.group(1):
        left = 0
    return Area(grid, top, left, bottom, right)


def find_grid(sheets: list[Grid], title: str) -> Grid | None:
    for grid in sheets:
        if grid.title == title:
            return grid
    for grid in sheets:
        if grid.title.casefold() == title.casefold():
            return grid
    return None


# --- values in and out ---------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)


def to_serial(moment: date) -> int | float:
    if isinstance(moment, datetime):
        delta = moment.replace(tzinfo=None) - EPOCH
        return delta.days + delta.seconds / 86400
    return (moment - EPOCH.date()).days


def from_serial(serial: float) -> datetime:
    return EPOCH + timedelta(seconds=round(serial * 86400))


def user_entered(
    text: str, number_format: dict[str, Any]
) -> tuple[Value, dict[str, Any]]:
    """Parse ``text`` as if typed by a person; returns the value and any format set."""
    if number_format.get("type") == "TEXT":
        return text, {}
    if text.startswith("'"):
        return text[1:], {}
    if text.startswith("="):
        return Formula(text), {}
    if text.upper() in ("TRUE", "FALSE"):
        return text.upper() == "TRUE", {}
    if _NUMBER.match(text):
        number = float(text)
        return (int(number) if number.is_integer() and "." not in text else number), {}
    found = _ISO.match(text)
    if found:
        y, m, d, hh, mm, ss = found.groups()
        try:
            moment = datetime(
                int(y), int(m), int(d), int(hh or 0), int(mm or 0), int(ss or 0)
            )
        except ValueError:
            return text, {}
        if hh is None:
            return to_serial(moment.date()), {"type": "DATE", "pattern": "yyyy-mm-dd"}
        return to_serial(moment), {
            "type": "DATE_TIME",
            "pattern": "yyyy-mm-dd hh:mm:ss",
        }
    return text, {}


def is_date_format(number_format: dict[str, Any]) -> bool:
    return number_format.get("type") in ("DATE", "DATE_TIME", "TIME")


_TOKEN = re.compile(r"yyyy|yy|dd|d|hh|h|mm|m|ss|s|.", re.IGNORECASE)


def format_serial(serial: float, pattern: str) -> str:
    """Render a serial number with a Sheets date pattern (dd/mm/yyyy hh:mm...)."""
    moment = from_serial(serial)
    tokens = _TOKEN.findall(pattern)
    out: list[str] = []
    for index, token in enumerate(tokens):
        lower = token.lower()
        if lower in ("mm", "m"):
            before = [t.lower() for t in tokens[:index] if t.isalpha()]
            after = [t.lower() for t in tokens[index + 1 :] if t.isalpha()]
            minutes = (before and before[-1] in ("h", "hh")) or (
                after and after[0] in ("s", "ss")
            )
            number = moment.minute if minutes else moment.month
            out.append(f"{number:02d}" if lower == "mm" else str(number))
        elif lower == "yyyy":
            out.append(f"{moment.year:04d}")
        elif lower == "yy":
            out.append(f"{moment.year % 100:02d}")
        elif lower in ("dd", "d"):
            out.append(f"{moment.day:02d}" if lower == "dd" else str(moment.day))
        elif lower in ("hh", "h"):
            out.append(f"{moment.hour:02d}" if lower == "hh" else str(moment.hour))
        elif lower in ("ss", "s"):
            out.append(f"{moment.second:02d}" if lower == "ss" else str(moment.second))
        else:
            out.append(token)
    return "".join(out)


def format_number(value: float) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def render(value: Value, number_format: dict[str, Any], option: str, dates: str) -> Any:
    """A stored value as ``values.get`` returns it for these render options."""
    if value is None:
        return ""
    if isinstance(value, Formula):
        if option == "FORMULA":
            return value.text
        value = value.result()
    if isinstance(value, bool):
        return value if option != "FORMATTED_VALUE" else format_number(value)
    if isinstance(value, int | float):
        dated = is_date_format(number_format)
        if option == "FORMATTED_VALUE":
            if dated:
                return format_serial(value, number_format.get("pattern", "yyyy-mm-dd"))
            return format_number(value)
        if dated and dates == "FORMATTED_STRING":
            return format_serial(value, number_format.get("pattern", "yyyy-mm-dd"))
        return value
    return value
