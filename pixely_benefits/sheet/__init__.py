"""Storage of the control sheet: the interface, its backends, the schema and cells."""

from __future__ import annotations

import re
from pathlib import Path

from pixely_benefits.sheet.base import Store

_GOOGLE_URL = re.compile(r"docs\.google\.com/spreadsheets/d/([A-Za-z0-9_-]+)")
_GOOGLE_ID = re.compile(r"^[A-Za-z0-9_-]{30,}$")

DEFAULT_SHEET = "beneficios.xlsx"


def google_key(location: str) -> str | None:
    """The spreadsheet ID in a Google Sheets URL or a bare ID; ``None`` for a path."""
    if found := _GOOGLE_URL.search(location):
        return found.group(1)
    if _GOOGLE_ID.match(location) and not Path(location).exists():
        return location
    return None


def open_store(location: str) -> Store:
    """The backend for ``location``: a Google spreadsheet or a local workbook.

    gspread is imported only when a Google sheet is asked for.
    """
    key = google_key(location)
    if key is not None:
        from pixely_benefits.sheet.google import GoogleStore

        return GoogleStore(key)
    from pixely_benefits.sheet.workbook import WorkbookStore

    return WorkbookStore(Path(location).expanduser())
