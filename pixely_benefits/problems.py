"""Problems found in the sheet are data: collected, shown together, never raised."""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
"""The row is left out of the computation until it is fixed."""
WARNING = "aviso"
"""The row is used; one of its cells is not (an e-mail that is not an address)."""


@dataclass(frozen=True, slots=True)
class Problem:
    """A bad row or cell: ``row`` is the number the sheet shows (1 is the header)."""

    tab: str
    row: int
    column: str
    value: str
    message: str
    severity: str = ERROR
    """:data:`ERROR` or :data:`WARNING`."""

    def describe(self) -> str:
        where = f"{self.tab}, fila {self.row}"
        if self.column:
            where += f", columna «{self.column}»"
        shown = f" («{self.value}»)" if self.value else ""
        return f"{where}{shown}: {self.message}"

    def as_dict(self) -> dict[str, str | int]:
        return {
            "tab": self.tab,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
            "severity": self.severity,
        }
