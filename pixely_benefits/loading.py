"""From raw tabs to validated records plus the list of problems found.

A bad row is reported (tab, row, column, value, message) and left out; only a
missing or ambiguous tab or header raises :class:`StructuralError`.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from pixely_benefits import configuration
from pixely_benefits.errors import StructuralError
from pixely_benefits.months import Month
from pixely_benefits.problems import Problem
from pixely_benefits.records import (
    Benefit,
    BusinessSettings,
    Client,
    ControlData,
    Delivery,
    DeliveryState,
    DeliveryStub,
    Period,
    Promotion,
)
from pixely_benefits.sheet import cells
from pixely_benefits.sheet.base import RawTab, Store
from pixely_benefits.sheet.schema import (
    ALL_TABS,
    BENEFITS,
    CLIENTS,
    DELIVERIES,
    PERIODS,
    PROMOTIONS,
    SETTINGS,
    TabSpec,
    column_letter,
    match_headers,
    normalize,
)

READ_TABS: tuple[TabSpec, ...] = (
    CLIENTS,
    PERIODS,
    BENEFITS,
    DELIVERIES,
    SETTINGS,
    PROMOTIONS,
)
"""The tabs every command reads."""

Model = TypeVar("Model", bound=BaseModel)


@dataclass(slots=True)
class Loaded:
    data: ControlData
    problems: list[Problem]
    tabs: dict[str, RawTab]
    repeated_clients: dict[str, list[int]] = field(default_factory=dict)
    """Client IDs on several rows of ``Clientes`` (none of them used), with the rows."""


def load(store: Store, extra: Sequence[TabSpec] = ()) -> Loaded:
    """Read the control sheet from ``store`` in one go and validate it."""
    with _collector_paused():
        return parse(store.read((*READ_TABS, *extra)))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a sheet becomes records.

    Reading a large sheet creates a few million objects at once and none of them
    is garbage, yet the allocations keep triggering collections that walk them
    again and again (0.4 s of loading a 100,000-row sheet). Reference counting
    still frees everything as usual meanwhile. One pass over the new objects
    follows when collection resumes, unless the caller keeps the collector off
    and freezes them, as the command line does.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Tab:
    """One raw tab with its headers matched: hands out cells by column key."""

    def __init__(
        self, spec: TabSpec, raw: RawTab | None, problems: list[Problem]
    ) -> None:
        if raw is not None and not (raw.header or spec.required):
            raw = None  # an entirely blank optional tab is an empty one
        self.spec = spec
        self.raw = raw
        self.problems = problems
        self.columns: dict[str, int] = {}
        if raw is not None:
            # Which columns hold data matters only under a blank header, and
            # finding out walks every cell: skip it when no header is blank.
            blank = any(not normalize(text) for text in raw.header)
            has_data = raw.column_has_data() if blank else ()
            self.columns = match_headers(spec, raw.header, has_data)
            read = {column_letter(index) for index in self.columns.values()}
            for ref in raw.uncached_formulas:
                letters = ref.rstrip("0123456789")
                if letters in read:  # other columns are kept untouched and ignored
                    row = int(ref[len(letters) :])
                    self.report(row, self._header_at(letters), "", _UNCACHED)

    @property
    def title(self) -> str:
        return self.raw.title if self.raw is not None else self.spec.name

    def _header_at(self, letters: str) -> str:
        for index, text in enumerate(self.raw.header if self.raw else []):
            if column_letter(index) == letters:
                return text
        return letters

    def header(self, key: str) -> str:
        index = self.columns.get(key)
        if index is None or self.raw is None:
            return self.spec.column(key).header
        return self.raw.header[index]

    def report(self, row: int, column: str, value: object, message: str) -> None:
        shown = "" if value is None else cells.text(value)  # type: ignore[arg-type]
        self.problems.append(Problem(self.title, row, column, shown or "", message))

    def rows(self) -> Iterable[tuple[int, dict[str, cells.Cell]]]:
        if self.raw is None:
            return
        columns = list(self.columns.items())
        for raw_row in self.raw.rows:
            values = raw_row.values
            size = len(values)
            yield (
                raw_row.number,
                {key: values[i] if i < size else None for key, i in columns},
            )

    def values_of(
        self, keys: Sequence[str]
    ) -> Iterator[tuple[int, tuple[cells.Cell, ...]]]:
        """Each row as the tuple of its cells under ``keys`` (``None`` where absent).

        The large tabs are read this way: a tuple per row costs far less than
        the dict of :meth:`rows`. Rows are padded with blanks past their end, and
        a column the tab lacks picks the last padding cell (index -1).
        """
        if self.raw is None:
            return
        pick = itemgetter(*(self.columns.get(key, -1) for key in keys))
        padding: list[cells.Cell] = [None] * (len(self.raw.header) + 1)
        for raw_row in self.raw.rows:
            yield raw_row.number, pick(raw_row.values + padding)


_UNCACHED = (
    "la celda tiene una fórmula sin resultado guardado y se lee vacía: abre el archivo "
    "en Excel o LibreOffice y guárdalo"
)


def _validated(tab: _Tab, model: type[Model]) -> list[Model]:
    found: list[Model] = []
    for number, values in tab.rows():
        try:
            found.append(model.model_validate({"row": number, **values}))
        except ValidationError as error:
            for detail in error.errors():
                key = str(detail["loc"][0]) if detail["loc"] else ""
                tab.report(number, tab.header(key), values.get(key), _message(detail))
    return found


def _message(detail: Any) -> str:
    if detail["type"] == "value_error":
        return str(detail["ctx"]["error"])
    if detail.get("input") is None:
        return "falta este dato obligatorio"
    return "valor no válido"


def _without_duplicates(
    tab: _Tab, records: list[Model], key: Callable[[Model], str], what: str
) -> list[Model]:
    """Leave out every record whose key (the tab's first column) is on several rows.

    Keys are counted on the rows as read, before validation, so that a row that
    is bad for another reason still makes its twin an error: none is used.
    """
    first = tab.spec.columns[0].key
    keys = [(number, _safe_id(values.get(first))) for number, values in tab.rows()]
    counts = Counter(found for _, found in keys if found is not None)
    header = tab.header(first)
    for number, found in keys:
        if found is not None and counts[found] > 1:
            tab.report(
                number,
                header,
                found,
                f"{what} repetido en {counts[found]} filas: ninguna se usa hasta "
                "que quede una sola",
            )
    return [record for record in records if counts[key(record)] == 1]


def parse(raw: dict[str, RawTab]) -> Loaded:
    """Validate raw tabs; pure apart from the problems it collects."""
    for spec in (CLIENTS, PERIODS, BENEFITS):
        if spec.name not in raw:
            raise StructuralError(
                f"Falta la pestaña «{spec.name}» en la hoja de control: créala con sus "
                "encabezados (pixely init la crea en una hoja nueva)."
            )
    problems: list[Problem] = []
    tabs = {spec.name: _Tab(spec, raw.get(spec.name), problems) for spec in READ_TABS}
    for spec in ALL_TABS:  # tabs read for a command (Historial): their headers too
        if spec.name in raw and spec.name not in tabs:
            _Tab(spec, raw[spec.name], problems)

    clients_tab = tabs[CLIENTS.name]
    client_rows: dict[str, list[int]] = {}
    for number, values in clients_tab.rows():
        if (cid := _safe_id(values.get("client_id"))) is not None:
            client_rows.setdefault(cid, []).append(number)
    all_client_ids = set(client_rows)
    clients = _without_duplicates(
        clients_tab,
        _validated(clients_tab, Client),
        lambda c: c.client_id,
        "ID de cliente",
    )
    known = {c.client_id for c in clients}
    periods = _periods(tabs[PERIODS.name], known, all_client_ids)

    benefits_tab = tabs[BENEFITS.name]
    benefits = _without_duplicates(
        benefits_tab, _validated(benefits_tab, Benefit), lambda b: b.code, "código"
    )
    deliveries, delivery_ids, unread = _deliveries(tabs[DELIVERIES.name])
    settings = _settings(tabs[SETTINGS.name])
    promotions_tab = tabs[PROMOTIONS.name]
    promotions = _without_duplicates(
        promotions_tab,
        _validated(promotions_tab, Promotion),
        lambda p: p.code,
        "código",
    )
    data = ControlData(
        clients=clients,
        periods=periods,
        benefits=benefits,
        deliveries=deliveries,
        settings=settings,
        promotions=promotions,
        delivery_ids=delivery_ids,
        unread_deliveries=unread,
    )
    problems.sort(key=lambda p: (_TAB_ORDER.get(p.tab, 99), p.tab, p.row))
    repeated = {cid: rows for cid, rows in client_rows.items() if len(rows) > 1}
    return Loaded(data, problems, raw, repeated)


_TAB_ORDER = {spec.name: i for i, spec in enumerate(READ_TABS)}


def _safe_id(value: cells.Cell) -> str | None:
    try:
        return cells.identifier(value)
    except cells.CellError:
        return None


_PERIOD_KEYS = ("client_id", "start", "end", "note")


def _periods(tab: _Tab, known: set[str], listed: set[str]) -> dict[str, list[Period]]:
    periods: dict[str, list[Period]] = {}
    for number, row in tab.values_of(_PERIOD_KEYS):
        raw_id, raw_start, raw_end, raw_note = row
        try:
            client_id = cells.identifier(raw_id)
            if client_id is None:
                raise _Bad("client_id", "falta el ID del cliente")
            start = _parsed(cells.day, raw_start, "start")
            if start is None:
                raise _Bad("start", "falta la fecha de inicio")
            end = _parsed(cells.day, raw_end, "end")
            if end is not None and end < start:
                raise _Bad("end", "el fin es anterior al inicio")
        except _Bad as bad:
            value = row[_PERIOD_KEYS.index(bad.key)]
            tab.report(number, tab.header(bad.key), value, bad.message)
            continue
        except cells.CellError as error:
            tab.report(number, tab.header("client_id"), raw_id, str(error))
            continue
        if client_id not in known:
            if client_id not in listed:
                tab.report(
                    number,
                    tab.header("client_id"),
                    client_id,
                    "no hay ningún cliente con ese ID en «Clientes»",
                )
            continue
        note = cells.text(raw_note)
        periods.setdefault(client_id, []).append(
            Period(number, client_id, start, end, note)
        )
    return periods


class _Bad(Exception):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


def _parsed(parser: Callable[[cells.Cell], Any], value: cells.Cell, key: str) -> Any:
    try:
        return parser(value)
    except cells.CellError as error:
        raise _Bad(key, str(error)) from None


_DELIVERY_STATES = {normalize(s.value): s for s in DeliveryState}

_DELIVERY_KEYS = (
    "delivery_id",
    "client_id",
    "benefit",
    "month",
    "state",
    "client",
    "channel",
    "notified",
    "due",
    "delivered",
    "link",
    "followup",
    "cm",
    "notes",
)


class _Memo:
    """Parsed ``Mes`` and ``Estado`` texts: a large tab repeats a few hundred values.

    Only text is remembered: ``1`` and ``True`` are equal keys but parse apart.
    """

    def __init__(self) -> None:
        self.months: dict[str, Month | None] = {}
        self.states: dict[str, str | None] = {}

    def month(self, value: cells.Cell) -> Month | None:
        if type(value) is str and value in self.months:
            return self.months[value]
        text = _parsed(cells.month, value, "month")
        found = None if text is None else Month.parse(text)
        if type(value) is str:
            self.months[value] = found
        return found

    def state(self, value: cells.Cell) -> str | None:
        if type(value) is str and value in self.states:
            return self.states[value]
        found = cells.word(value)
        if type(value) is str:
            self.states[value] = found
        return found


def _deliveries(tab: _Tab) -> tuple[list[Delivery], set[str], list[DeliveryStub]]:
    """The rows of ``Entregas``, every ID in it, and what could be read of bad rows.

    A row whose ``ID`` is blank or unreadable still counts when the rest of it
    reads well: it records a benefit given. It gets ``delivery_id`` ``""`` and a
    ``key_problem``, so that no write looks for it. Of two rows with the same
    ``ID`` the first is kept, with a ``key_problem`` naming both.
    """
    deliveries: list[Delivery] = []
    ids: set[str] = set()
    first_row: dict[str, int] = {}
    repeated: dict[str, list[int]] = {}
    stubs: list[DeliveryStub] = []
    memo = _Memo()
    for number, row in tab.values_of(_DELIVERY_KEYS):
        (
            raw_id,
            raw_client_id,
            raw_benefit,
            raw_month,
            raw_state,
            client,
            channel,
            notified,
            due,
            delivered,
            link,
            followup,
            cm,
            notes,
        ) = row
        unkeyed: _Bad | None = None
        try:
            try:
                delivery_id = _parsed(cells.identifier, raw_id, "delivery_id")
            except _Bad as bad:
                delivery_id, unkeyed = None, bad
            if delivery_id is None:
                unkeyed = unkeyed or _Bad("delivery_id", "falta el ID de la entrega")
            elif delivery_id in first_row:
                ids.add(delivery_id)
                repeated.setdefault(delivery_id, [first_row[delivery_id]]).append(
                    number
                )
                raise _Bad(
                    "delivery_id",
                    f"ID repetido (ya está en la fila {first_row[delivery_id]}): "
                    "se usa solo la primera",
                )
            else:
                ids.add(delivery_id)
                first_row[delivery_id] = number
            client_id = _parsed(cells.identifier, raw_client_id, "client_id")
            benefit = _parsed(cells.identifier, raw_benefit, "benefit")
            month = memo.month(raw_month)
            state_word = memo.state(raw_state)
            for key, found in (
                ("client_id", client_id),
                ("benefit", benefit),
                ("month", month),
                ("state", state_word),
            ):
                if found is None:
                    raise _Bad(key, "falta este dato obligatorio")
            state = _DELIVERY_STATES.get(state_word)  # type: ignore[arg-type]
            if state is None:
                raise _Bad("state", "estado desconocido: usa " + _STATE_NAMES)
            delivery = Delivery(
                row=number,
                delivery_id=delivery_id or "",
                client_id=client_id,
                benefit=benefit,
                month=month,  # type: ignore[arg-type]
                state=state,
                client=cells.text(client),
                channel=cells.text(channel),
                notified=_parsed(cells.moment, notified, "notified"),
                due=_parsed(cells.day, due, "due"),
                delivered=_parsed(cells.moment, delivered, "delivered"),
                link=cells.text(link),
                followup=_parsed(cells.day, followup, "followup"),
                cm=cells.text(cm),
                notes=cells.text(notes),
            )
        except _Bad as bad:
            if unkeyed is not None and bad.key != "delivery_id":
                _report(tab, number, row, unkeyed)
            _report(tab, number, row, bad)
            stubs.append(_stub(number, row, memo))
            continue
        if unkeyed is not None:
            _report(tab, number, row, unkeyed, counted=True)
            delivery = delivery._replace(
                key_problem=_unkeyed(tab, number, delivery, raw_id),
            )
        deliveries.append(delivery)
    if repeated:
        deliveries = [
            d._replace(key_problem=_repeated(tab, d.delivery_id, repeated))
            if d.delivery_id in repeated
            else d
            for d in deliveries
        ]
    return deliveries, ids, stubs


def _report(
    tab: _Tab,
    number: int,
    row: tuple[cells.Cell, ...],
    bad: _Bad,
    *,
    counted: bool = False,
) -> None:
    message = bad.message
    if counted:
        message += (
            ": la fila cuenta para las reglas, pero pixely no puede escribir en ella "
            "hasta que lo tenga"
        )
    value = row[_DELIVERY_KEYS.index(bad.key)]
    tab.report(number, tab.header(bad.key), value, message)


def _unkeyed(tab: _Tab, number: int, row: Delivery, raw_id: cells.Cell) -> str:
    """Why no write can reach a row without a readable ``ID``, and how to fix it."""
    shown = cells.text(raw_id)
    what = f"un ID que no se puede leer («{shown}»)" if shown else "ID"
    wanted = f"{row.client_id}-{row.benefit}-{row.month}"
    verb = "tiene" if shown else "no tiene"
    return (
        f"la fila {number} de «{tab.title}» {verb} {what}: escribe «{wanted}» en su "
        f"columna {tab.header('delivery_id')} y repite el comando"
    )


def _repeated(tab: _Tab, key: str, repeated: dict[str, list[int]]) -> str:
    numbers = [str(n) for n in repeated[key]]
    rows = ", ".join(numbers[:-1]) + f" y {numbers[-1]}"
    return (
        f"el ID «{key}» está repetido en las filas {rows} de «{tab.title}»: deja "
        "solo una y repite el comando"
    )


def _stub(number: int, row: tuple[cells.Cell, ...], memo: _Memo) -> DeliveryStub:
    """What can be read of a bad row: each field on its own, ``None`` if unreadable."""

    def read(parse: Callable[[cells.Cell], Any], value: cells.Cell) -> Any:
        try:
            return parse(value)
        except (cells.CellError, _Bad, ValueError):
            return None

    raw_id, raw_client_id, raw_benefit, raw_month, raw_state = row[:5]
    word = read(cells.word, raw_state)
    return DeliveryStub(
        row=number,
        delivery_id=read(cells.identifier, raw_id),
        client_id=read(cells.identifier, raw_client_id),
        benefit=read(cells.identifier, raw_benefit),
        month=read(memo.month, raw_month),
        state=_DELIVERY_STATES.get(word) if word is not None else None,
    )


_STATE_NAMES = ", ".join(s.value for s in DeliveryState)


def _settings(tab: _Tab) -> BusinessSettings:
    chosen: dict[str, object] = {}
    for number, values in tab.rows():
        key_text = cells.text(values.get("key"))
        if key_text is None:
            tab.report(number, tab.header("key"), None, "falta la clave")
            continue
        field = configuration.field_for(key_text)
        if field is None:
            tab.report(
                number,
                tab.header("key"),
                key_text,
                configuration.UNKNOWN_KEY,
            )
            continue
        try:
            found = configuration.read_value(field, values.get("value"))
        except cells.CellError as error:
            tab.report(
                number,
                tab.header("value"),
                values.get("value"),
                f"{error}; se usa el valor por omisión",
            )
            continue
        if found is not None:
            chosen[field] = found
    return BusinessSettings.model_validate(chosen)
