"""Typed records read from the control sheet.

The small tabs (clients, benefits, promotions, settings) are pydantic models;
subscription periods and deliveries, the tabs that grow to hundreds of
thousands of rows, are slotted dataclasses filled by the same cell parsers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, NamedTuple

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from pixely_benefits.months import Month
from pixely_benefits.sheet import cells


class ClientState(StrEnum):
    ACTIVE = "activo"
    PAUSED = "pausado"
    CANCELLED = "cancelado"


class Channel(StrEnum):
    EMAIL = "correo"
    WHATSAPP = "whatsapp"
    BOTH = "ambos"


class BenefitKind(StrEnum):
    MONTHLY = "mensual"
    CAMPAIGN = "campaña"


class DeliveryState(StrEnum):
    PENDING = "pendiente"
    NOTIFIED = "notificado"
    DELIVERED = "entregado"
    CANCELLED = "cancelado"
    ACCEPTED = "aceptado"


def _words(enum: type[StrEnum]) -> dict[str, Any]:
    from pixely_benefits.sheet.schema import normalize

    return {normalize(member.value): member for member in enum}


def _keyword(enum: type[StrEnum], default: StrEnum | None) -> BeforeValidator:
    known = _words(enum)
    allowed = ", ".join(f"«{m.value}»" for m in enum)

    def parse(value: cells.Cell) -> StrEnum | None:
        folded = cells.word(value)
        if folded is None:
            return default
        if folded not in known:
            raise ValueError(f"se esperaba {allowed}")
        return known[folded]  # type: ignore[no-any-return]

    return BeforeValidator(parse)


Text = Annotated[str | None, BeforeValidator(cells.text)]
RequiredText = Annotated[str, BeforeValidator(cells.text)]
Identifier = Annotated[str, BeforeValidator(cells.identifier)]
OptionalIdentifier = Annotated[str | None, BeforeValidator(cells.identifier)]


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True)

    row: int = Field(description="row number as the sheet shows it")


class Client(_Row):
    client_id: Identifier
    name: RequiredText
    contact: Text = None
    email: Text = None
    phone: Text = None
    channel: Annotated[Channel | None, _keyword(Channel, None)] = None
    plan: Text = None
    state: Annotated[ClientState, _keyword(ClientState, ClientState.ACTIVE)] = (
        ClientState.ACTIVE
    )
    cm: Text = None
    clickup: Text = None

    @property
    def greeting_name(self) -> str:
        return self.contact or self.name


def _count(default: int | None, minimum: int = 0) -> BeforeValidator:
    def parse(value: cells.Cell) -> int | None:
        try:
            found = cells.whole_number(value, minimum=minimum)
        except cells.CellError as error:
            raise ValueError(str(error)) from None
        return default if found is None else found

    return BeforeValidator(parse)


def _plans(value: cells.Cell) -> tuple[str, ...]:
    from pixely_benefits.sheet.schema import normalize

    raw = cells.text(value)
    if raw is None:
        return ()
    return tuple(normalize(part) for part in raw.split(",") if part.strip())


def _active(value: cells.Cell) -> bool:
    try:
        found = cells.flag(value)
    except cells.CellError as error:
        raise ValueError(str(error)) from None
    return True if found is None else found


class Benefit(_Row):
    code: Identifier
    name: RequiredText
    kind: Annotated[BenefitKind, _keyword(BenefitKind, BenefitKind.MONTHLY)] = (
        BenefitKind.MONTHLY
    )
    min_months: Annotated[int, _count(None)]
    repeat_months: Annotated[int, _count(12)] = 12
    due_days: Annotated[int, _count(15)] = 15
    followup_days: Annotated[int | None, _count(None)] = None
    plans: Annotated[tuple[str, ...], BeforeValidator(_plans)] = ()
    active: Annotated[bool, BeforeValidator(_active)] = True

    def admits(self, plan: str | None) -> bool:
        """Whether a client on ``plan`` may get this benefit (blank ``Planes``: all)."""
        from pixely_benefits.sheet.schema import normalize

        if not self.plans:
            return True
        return plan is not None and normalize(plan) in self.plans


class Promotion(_Row):
    code: Identifier
    name: RequiredText
    description: Text = None
    valid_until: Annotated[date | None, BeforeValidator(cells.day)] = None
    min_months: Annotated[int, _count(0)] = 0


class Period(NamedTuple):
    """One row of ``Suscripciones``.

    Periods and deliveries are named tuples rather than frozen dataclasses:
    a sheet can hold hundreds of thousands of them, and a frozen dataclass
    costs several times more to create (see benchmarks/README.md).
    """

    row: int
    client_id: str
    start: date
    end: date | None
    note: str | None = None


class Delivery(NamedTuple):
    """One row of ``Entregas``; ``month`` is the month the benefit belongs to."""

    row: int
    delivery_id: str
    client_id: str
    benefit: str
    month: Month
    state: DeliveryState
    client: str | None = None
    channel: str | None = None
    notified: datetime | None = None
    due: date | None = None
    delivered: datetime | None = None
    link: str | None = None
    followup: date | None = None
    cm: str | None = None
    notes: str | None = None
    key_problem: str | None = None
    """Why a write cannot find this row by its ``ID`` (blank, unreadable or on
    several rows), in Spanish, naming the rows to fix; ``None`` for most rows.
    A row without a readable ``ID`` has ``delivery_id`` ``""``."""

    @property
    def cancelled(self) -> bool:
        return self.state is DeliveryState.CANCELLED

    @property
    def label(self) -> str:
        """The row's ``ID``, or its row number when it has none."""
        return self.delivery_id or f"fila {self.row} (sin ID)"


@dataclass(frozen=True, slots=True)
class DeliveryStub:
    """What could be read of an ``Entregas`` row left out as bad.

    It still records a benefit given, so no new row may take its client's
    month while it is there; every field may be missing.
    """

    row: int
    delivery_id: str | None
    client_id: str | None
    benefit: str | None
    month: Month | None
    state: DeliveryState | None


def delivery_id(client_id: str, benefit: str, month: Month) -> str:
    """The key of an ``Entregas`` row: ``{ID cliente}-{Código}-{YYYY-MM}``."""
    return f"{client_id}-{benefit}-{month}"


class BusinessSettings(BaseModel):
    """The ``Configuración`` tab, with the contract's defaults."""

    model_config = ConfigDict(frozen=True)

    agency: str = "Pixely"
    timezone: str | None = None
    phone_region: str | None = None
    grace_days: int = Field(default=7, ge=0)
    months_between: int = Field(default=1, ge=0)
    signature: str | None = None

    @property
    def signed_by(self) -> str:
        return self.signature or self.agency


@dataclass(slots=True)
class ControlData:
    """Everything read from the control sheet, already validated.

    ``delivery_ids`` holds every ID found in ``Entregas``, including rows that
    were left out as bad, so that no new row ever repeats an existing ID;
    ``unread_deliveries`` what could be read of those rows.
    """

    clients: list[Client]
    periods: dict[str, list[Period]]
    benefits: list[Benefit]
    deliveries: list[Delivery]
    settings: BusinessSettings
    promotions: list[Promotion]
    delivery_ids: set[str]
    unread_deliveries: list[DeliveryStub] = field(default_factory=list)
    _clients_by_id: dict[str, Client] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _rows_by_client: dict[str, list[Delivery]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def client(self, client_id: str) -> Client | None:
        # Commands look clients up once per row; an index keeps that linear.
        if self._clients_by_id is None:
            self._clients_by_id = {}
            for client in self.clients:
                self._clients_by_id.setdefault(client.client_id, client)
        return self._clients_by_id.get(client_id)

    def rows_of(self, client_id: str) -> list[Delivery]:
        """The client's ``Entregas`` rows in sheet order (an index built on first use)."""
        if self._rows_by_client is None:
            self._rows_by_client = {}
            for row in self.deliveries:
                self._rows_by_client.setdefault(row.client_id, []).append(row)
        return self._rows_by_client.get(client_id, [])

    def benefit(self, code: str) -> Benefit | None:
        for benefit in self.benefits:
            if benefit.code == code:
                return benefit
        return None
