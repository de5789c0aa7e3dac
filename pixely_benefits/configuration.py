"""The ``Configuración`` tab: which keys it knows and how each value is read."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pixely_benefits.sheet import cells
from pixely_benefits.sheet.schema import normalize

KEYS = {
    "agencia": "agency",
    "zona_horaria": "timezone",
    "region_telefono": "phone_region",
    "dias_gracia": "grace_days",
    "meses_entre_beneficios": "months_between",
    "firma": "signature",
}
"""Key as typed in the sheet -> field of :class:`~pixely_benefits.records.BusinessSettings`."""

UNKNOWN_KEY = "clave desconocida: las válidas son " + ", ".join(KEYS)


def field_for(key: str) -> str | None:
    """The settings field of a key typed leniently (``Zona horaria`` = ``zona_horaria``)."""
    return KEYS.get(normalize(key).replace(" ", "_"))


def read_value(field: str, value: cells.Cell) -> object:
    """The value of ``field`` from its cell; raises :class:`cells.CellError` if unusable."""
    if field in ("grace_days", "months_between"):
        return cells.whole_number(value)
    found = cells.text(value)
    if found is None:
        return None
    if field == "timezone":
        try:
            ZoneInfo(found)
        except (ZoneInfoNotFoundError, ValueError):
            raise cells.CellError(
                "zona horaria desconocida: usa un nombre como America/Lima"
            ) from None
    if field == "phone_region":
        from phonenumbers import SUPPORTED_REGIONS

        if found.upper() not in SUPPORTED_REGIONS:
            raise cells.CellError(
                "se esperaba el código de dos letras de un país, como PE"
            )
        found = found.upper()
    return found
