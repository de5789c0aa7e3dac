"""The layout of the control sheet: tabs, headers, aliases and lenient matching.

Headers and words inside cells are compared after :func:`normalize`, which
ignores case, accents, surrounding spaces and repeated inner spaces.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum

from pixely_benefits.errors import StructuralError


def normalize(text: str) -> str:
    """Fold ``text`` for lenient comparison: ``"  Fecha   LÍMITE "`` -> ``"fecha limite"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


class Kind(Enum):
    """How a column is formatted when the tool creates it."""

    TEXT = "text"
    DATE = "date"
    DATETIME = "datetime"
    NUMBER = "number"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    kind: Kind = Kind.TEXT

    @property
    def names(self) -> tuple[str, ...]:
        return (normalize(self.header), *(normalize(a) for a in self.aliases))


@dataclass(frozen=True)
class TabSpec:
    name: str
    columns: tuple[Column, ...]
    required: bool = False
    keyed: bool = field(default=False)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)


def tab_titles(titles: Iterable[str]) -> dict[str, str]:
    """Each tab's title by its folded name (:func:`normalize`), first tab first.

    Raises :class:`StructuralError` when two tabs fold to the name of a tab the
    tool uses (``CLIENTES`` beside ``Clientes``): no one could tell which one
    it reads and writes. Other tabs may repeat freely; the tool ignores them.
    """
    known = {normalize(spec.name) for spec in ALL_TABS}
    found: dict[str, str] = {}
    for title in titles:
        folded = normalize(title)
        if folded not in found:
            found[folded] = title
        elif folded in known:
            raise StructuralError(
                f"La hoja de control tiene dos pestañas «{found[folded]}» y «{title}» "
                "que pixely no distingue (solo cambian mayúsculas, acentos o "
                "espacios): cambia el nombre de una de las dos o bórrala."
            )
    return found


def column_letter(index: int) -> str:
    """``0`` -> ``"A"``, ``26`` -> ``"AA"``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def match_headers(
    spec: TabSpec, header: Sequence[str], column_has_data: Sequence[bool] = ()
) -> dict[str, int]:
    """Map each column key of ``spec`` to its index in ``header``.

    Raises :class:`StructuralError` for a missing required header, for a column
    the tool reads that appears twice (the same header, or two of its names:
    ``Correo`` and ``E-mail``), and for a column that holds data under a blank
    header. Extra columns are left out of the map.
    """
    by_name: dict[str, list[int]] = {}
    for index, text in enumerate(header):
        name = normalize(text)
        if not name:
            if index < len(column_has_data) and column_has_data[index]:
                raise StructuralError(
                    f"La pestaña «{spec.name}» tiene datos en la columna "
                    f"{column_letter(index)} pero su encabezado (fila 1) está vacío: "
                    "escribe el nombre de la columna o bórrala."
                )
            continue
        by_name.setdefault(name, []).append(index)

    found: dict[str, int] = {}
    for column in spec.columns:
        places = sorted(i for name in column.names for i in by_name.get(name, ()))
        if len(places) > 1:
            raise _repeated(spec, column, header, places)
        if places:
            found[column.key] = places[0]
        elif column.required:
            raise StructuralError(
                f"A la pestaña «{spec.name}» le falta la columna obligatoria "
                f"«{column.header}»: añádela en la fila 1."
            )
    return found


def _repeated(
    spec: TabSpec, column: Column, header: Sequence[str], places: list[int]
) -> StructuralError:
    letters = _listed([column_letter(i) for i in places])
    texts = [header[i].strip() for i in places]
    if len({normalize(t) for t in texts}) == 1:
        return StructuralError(
            f"La pestaña «{spec.name}» tiene el encabezado «{texts[0]}» repetido en "
            f"las columnas {letters}: deja solo una."
        )
    shown = _listed(
        [f"«{t}» ({column_letter(i)})" for t, i in zip(texts, places, strict=True)]
    )
    count = {2: "dos", 3: "tres"}.get(len(places), str(len(places)))
    return StructuralError(
        f"La pestaña «{spec.name}» tiene {count} columnas para «{column.header}», "
        f"{shown}, y pixely no sabe cuál leer: deja solo una o cambia el nombre de "
        "las demás."
    )


def _listed(items: list[str]) -> str:
    """``["A", "B", "C"]`` -> ``"A, B y C"``."""
    return ", ".join(items[:-1]) + " y " + items[-1] if len(items) > 1 else items[0]


def _col(
    key: str,
    header: str,
    *aliases: str,
    required: bool = False,
    kind: Kind = Kind.TEXT,
) -> Column:
    return Column(key, header, tuple(aliases), required, kind)


CLIENTS = TabSpec(
    "Clientes",
    (
        _col("client_id", "ID", "Código", "ID cliente", required=True),
        _col("name", "Cliente", "Empresa", "Nombre", required=True),
        _col("contact", "Contacto", "Persona de contacto"),
        _col("email", "Correo", "Email", "E-mail"),
        _col("phone", "WhatsApp", "Teléfono", "Celular"),
        _col("channel", "Canal"),
        _col("plan", "Plan"),
        _col("state", "Estado"),
        _col("cm", "CM", "Responsable"),
        _col("clickup", "ClickUp"),
    ),
    required=True,
)

PERIODS = TabSpec(
    "Suscripciones",
    (
        _col("client_id", "ID cliente", "Cliente ID", "ID", required=True),
        _col("start", "Inicio", "Fecha inicio", required=True, kind=Kind.DATE),
        _col("end", "Fin", "Fecha fin", kind=Kind.DATE),
        _col("note", "Nota", "Notas"),
    ),
    required=True,
)

BENEFITS = TabSpec(
    "Beneficios",
    (
        _col("code", "Código", required=True),
        _col("name", "Beneficio", required=True),
        _col("kind", "Tipo"),
        _col("min_months", "Meses mínimos", required=True, kind=Kind.NUMBER),
        _col("repeat_months", "Repetir cada", kind=Kind.NUMBER),
        _col("due_days", "Plazo (días)", kind=Kind.NUMBER),
        _col("followup_days", "Seguimiento (días)", kind=Kind.NUMBER),
        _col("plans", "Planes"),
        _col("active", "Activo"),
    ),
    required=True,
)

DELIVERIES = TabSpec(
    "Entregas",
    (
        _col("delivery_id", "ID", required=True),
        _col("client_id", "ID cliente", required=True),
        _col("client", "Cliente"),
        _col("benefit", "Beneficio", required=True),
        _col("month", "Mes", required=True),
        _col("state", "Estado", required=True),
        _col("channel", "Canal"),
        _col("notified", "Notificado", kind=Kind.DATETIME),
        _col("due", "Fecha límite", kind=Kind.DATE),
        _col("delivered", "Entregado", kind=Kind.DATETIME),
        _col("link", "Enlace"),
        _col("followup", "Seguimiento", kind=Kind.DATE),
        _col("cm", "Responsable"),
        _col("notes", "Notas"),
    ),
    keyed=True,
)

HISTORY = TabSpec(
    "Historial",
    (
        _col("at", "Fecha", kind=Kind.DATETIME),
        _col("user", "Usuario"),
        _col("action", "Acción"),
        _col("delivery_id", "ID entrega"),
        _col("detail", "Detalle"),
    ),
)

SETTINGS = TabSpec(
    "Configuración",
    (
        _col("key", "Clave", required=True),
        _col("value", "Valor", required=True),
    ),
)

PROMOTIONS = TabSpec(
    "Promociones",
    (
        _col("code", "Código", required=True),
        _col("name", "Promoción", required=True),
        _col("description", "Descripción"),
        _col("valid_until", "Vigente hasta", kind=Kind.DATE),
        _col("min_months", "Meses mínimos", kind=Kind.NUMBER),
    ),
)

ALL_TABS: tuple[TabSpec, ...] = (
    CLIENTS,
    PERIODS,
    BENEFITS,
    DELIVERIES,
    HISTORY,
    SETTINGS,
    PROMOTIONS,
)
"""Every tab the tool knows, in the order ``pixely init`` creates them."""

DEFAULT_CATALOGUE: tuple[
    tuple[str, str, str, int, int | None, int, int | None], ...
] = (
    (
        "publicaciones-adicionales",
        "Publicaciones adicionales sin costo",
        "mensual",
        3,
        3,
        10,
        None,
    ),
    (
        "optimizacion-estrategia",
        "Optimización de estrategia",
        "mensual",
        3,
        6,
        15,
        None,
    ),
    ("analisis-competidores", "Análisis de competidores", "mensual", 6, 12, 15, None),
    ("estudio-mercado", "Estudio de mercado gratuito", "mensual", 6, 12, 20, None),
    ("asesoria-meta-ads", "Asesoría en Meta Ads", "mensual", 6, 6, 15, None),
    (
        "consultoria-negocio",
        "Consultoría en modelo de negocio",
        "mensual",
        12,
        12,
        20,
        30,
    ),
    (
        "acceso-preferencial",
        "Acceso preferencial a nuevos servicios o promociones",
        "campaña",
        3,
        None,
        7,
        None,
    ),
)
"""The catalogue a new sheet starts with: code, name, type, minimum months,
repeat every, days to deliver, follow-up days."""
