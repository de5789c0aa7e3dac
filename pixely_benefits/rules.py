"""Eligibility and rotation of continuity benefits: the rules of the contract, pure.

Everything here takes typed records and returns values; nothing reads a sheet,
prints or logs. The numbered rules refer to "Eligibility for month M" in the
control-sheet contract. The work is linear in the number of rows: deliveries
are grouped by client once and each client only looks at its own rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from pixely_benefits.errors import UsageError
from pixely_benefits.months import Month, whole_months_between
from pixely_benefits.records import (
    Benefit,
    BenefitKind,
    BusinessSettings,
    Client,
    ClientState,
    ControlData,
    Delivery,
    Period,
)

STATE = "estado"
NO_SUBSCRIPTION = "sin-suscripcion"
NO_BENEFIT = "sin-beneficio"
SENIORITY = "antiguedad"
RECENT = "beneficio-reciente"

REASONS: dict[str, str] = {
    STATE: "cliente pausado o cancelado",
    NO_SUBSCRIPTION: "sin suscripción vigente",
    NO_BENEFIT: "sin beneficio disponible",
    SENIORITY: "aún no tiene los meses continuos necesarios",
    RECENT: "ya recibió un beneficio reciente",
}
"""Reason code (rule 8) -> the Spanish text shown to people."""

NEXT_ELIGIBLE_HORIZON = 36
"""How many months ahead :func:`explain` looks for the next eligible month."""


@dataclass(frozen=True, slots=True)
class Block:
    """Merged subscription periods: ``end`` is ``None`` while the block is open."""

    start: date
    end: date | None

    def contains(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of the rules for one client and month."""

    client_id: str
    client: str
    eligible: bool
    months: int | None
    benefit: str | None
    reason: str | None
    status: str | None
    existing: Delivery | None

    def as_json(self) -> dict[str, str | int | bool | None]:
        """The object of ``eligible --format json``, keys in the contract's order."""
        return {
            "client_id": self.client_id,
            "client": self.client,
            "eligible": self.eligible,
            "months": self.months,
            "benefit": self.benefit,
            "reason": self.reason,
            "status": self.status,
        }


@dataclass(frozen=True, slots=True)
class BenefitCheck:
    """Why one catalogue benefit is, or is not, a candidate (Spanish reasons)."""

    code: str
    name: str
    candidate: bool
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Explanation:
    """Everything ``pixely explain`` shows for one client and month.

    ``periods`` are the client's ``Suscripciones`` rows and ``deliveries`` its
    ``Entregas`` rows for months up to M (cancelled and campaign rows too), both
    in sheet order; ``on`` is the evaluation date D and ``since`` the
    continuity start; ``checks`` follow catalogue order.
    """

    client: Client
    month: Month
    on: date
    periods: list[Period]
    blocks: list[Block]
    since: date | None
    months: int | None
    decision: Decision
    deliveries: list[Delivery]
    checks: list[BenefitCheck]
    next_eligible: Month | None


def merge_periods(periods: Sequence[Period], grace_days: int) -> list[Block]:
    """Rule 3: sort by ``Inicio``, merge overlaps and gaps of at most ``grace_days``."""
    blocks: list[Block] = []
    start: date | None = None
    end: date | None = None
    for period in sorted(periods, key=lambda p: p.start):
        if start is not None and (
            end is None or (period.start - end).days - 1 <= grace_days
        ):
            if end is not None:
                end = None if period.end is None else max(end, period.end)
            continue
        if start is not None:
            blocks.append(Block(start, end))
        start, end = period.start, period.end
    if start is not None:
        blocks.append(Block(start, end))
    return blocks


def continuity_start(blocks: Iterable[Block], on: date) -> date | None:
    """Rule 3: the start of the block containing ``on``, or ``None``."""
    for block in blocks:
        if block.contains(on):
            return block.start
    return None


def continuous_months(start: date, on: date) -> int:
    """Rule 4: whole calendar months from the continuity start to ``on``."""
    return whole_months_between(start, on)


def deliveries_by_client(deliveries: Iterable[Delivery]) -> dict[str, list[Delivery]]:
    """Group ``Entregas`` rows by client, keeping sheet order inside each group."""
    grouped: dict[str, list[Delivery]] = {}
    for delivery in deliveries:
        grouped.setdefault(delivery.client_id, []).append(delivery)
    return grouped


class _Catalogue:
    """The catalogue with the look-ups the rules need, built once per run."""

    def __init__(self, benefits: Sequence[Benefit]) -> None:
        self.benefits = list(benefits)
        kinds: dict[str, BenefitKind] = {}
        for benefit in self.benefits:
            kinds.setdefault(benefit.code, benefit.kind)
        self._campaign = {
            c for c, kind in kinds.items() if kind is BenefitKind.CAMPAIGN
        }
        self._admitted: dict[str | None, list[Benefit]] = {}

    def monthly_row(self, delivery: Delivery) -> bool:
        """Rows of ``mensual`` benefits, active or not, and of unknown codes."""
        return delivery.benefit not in self._campaign

    def admitted(self, plan: str | None) -> list[Benefit]:
        """Active ``mensual`` benefits the plan admits, in catalogue order."""
        found = self._admitted.get(plan)
        if found is None:
            found = [
                b
                for b in self.benefits
                if b.active and b.kind is BenefitKind.MONTHLY and b.admits(plan)
            ]
            self._admitted[plan] = found
        return found


@dataclass(slots=True)
class _History:
    """What a client's non-cancelled ``mensual`` rows say about month M."""

    existing: Delivery | None = None
    latest: Month | None = None
    latest_by_code: dict[str, Month] = field(default_factory=dict)


def _history(rows: Iterable[Delivery], month: Month, catalogue: _Catalogue) -> _History:
    found = _History()
    target = month.index
    latest = -1
    by_code = found.latest_by_code
    for row in rows:
        if row.cancelled or not catalogue.monthly_row(row):
            continue
        at = row.month.index
        if at == target:
            if found.existing is None or row.row < found.existing.row:
                found.existing = row
        elif at < target:
            if at > latest:
                latest, found.latest = at, row.month
            last = by_code.get(row.benefit)
            if last is None or at > last.index:
                by_code[row.benefit] = row.month
    return found


def _blocked(benefit: Benefit, history: _History, month: Month) -> Month | None:
    """Rule 7: the row month that keeps ``benefit`` from repeating in ``month``."""
    last = history.latest_by_code.get(benefit.code)
    if last is not None and month - last < benefit.repeat_months:
        return last
    return None


def _pick(candidates: list[Benefit], history: _History) -> Benefit | None:
    """Rule 7: never given first (catalogue order), else the one given longest ago."""
    oldest: Benefit | None = None
    oldest_month: Month | None = None
    for benefit in candidates:
        last = history.latest_by_code.get(benefit.code)
        if last is None:
            return benefit
        if oldest_month is None or last < oldest_month:
            oldest, oldest_month = benefit, last
    return oldest


def _decide(
    client: Client,
    blocks: Sequence[Block],
    rows: Iterable[Delivery],
    month: Month,
    on: date,
    catalogue: _Catalogue,
    settings: BusinessSettings,
) -> Decision:
    history = _history(rows, month, catalogue)
    since = continuity_start(blocks, on)
    months = None if since is None else continuous_months(since, on)
    existing = history.existing
    status = None if existing is None else existing.state.value

    def answer(benefit: str | None, reason: str | None) -> Decision:
        return Decision(
            client.client_id,
            client.name,
            benefit is not None,
            months,
            benefit,
            reason,
            status,
            existing,
        )

    if client.state in (ClientState.PAUSED, ClientState.CANCELLED):
        return answer(None, STATE)
    if months is None:
        return answer(None, NO_SUBSCRIPTION)
    if existing is not None:
        return answer(existing.benefit, None)
    admitted = catalogue.admitted(client.plan)
    if not admitted:
        return answer(None, NO_BENEFIT)
    if months < min(b.min_months for b in admitted):
        return answer(None, SENIORITY)
    if history.latest is not None and month - history.latest < settings.months_between:
        return answer(None, RECENT)
    candidates = [
        b
        for b in admitted
        if b.min_months <= months and _blocked(b, history, month) is None
    ]
    chosen = _pick(candidates, history)
    if chosen is None:
        return answer(None, NO_BENEFIT)
    return answer(chosen.code, None)


def evaluation_day(month: Month, on: date | None = None) -> date:
    """Rule 1: ``on`` when given, else the first day of ``month``."""
    return month.first_day if on is None else on


def decide(data: ControlData, month: Month, on: date | None = None) -> list[Decision]:
    """One decision per client, in ``Clientes`` order."""
    day = evaluation_day(month, on)
    catalogue = _Catalogue(data.benefits)
    grouped = deliveries_by_client(data.deliveries)
    grace = data.settings.grace_days
    return [
        _decide(
            client,
            merge_periods(data.periods.get(client.client_id, ()), grace),
            grouped.get(client.client_id, ()),
            month,
            day,
            catalogue,
            data.settings,
        )
        for client in data.clients
    ]


def _check(
    benefit: Benefit,
    client: Client,
    months: int | None,
    history: _History,
    month: Month,
    decision: Decision,
    chosen_by_rotation: bool,
) -> BenefitCheck:
    reasons: list[str] = []
    if not benefit.active:
        reasons.append("no está activo")
    if benefit.kind is BenefitKind.CAMPAIGN:
        reasons.append("es de campaña")
        return BenefitCheck(benefit.code, benefit.name, False, reasons)
    if not benefit.admits(client.plan):
        plan = client.plan or "(sin plan)"
        reasons.append(f"el plan «{plan}» no lo incluye")
    if months is None:
        reasons.append("sin suscripción vigente")
    elif months < benefit.min_months:
        reasons.append(
            f"requiere {benefit.min_months} meses continuos (tiene {months})"
        )
    last = _blocked(benefit, history, month)
    if last is not None:
        again = last.shift(benefit.repeat_months)
        reasons.append(f"ya lo recibió en {last}; puede repetirse desde {again}")
    candidate = not reasons
    existing = decision.existing
    if existing is not None and existing.benefit == benefit.code:
        reasons.append(
            f"ya está registrado para {month} (fila {existing.row} de «Entregas»)"
        )
    elif candidate and chosen_by_rotation and decision.benefit == benefit.code:
        if benefit.code in history.latest_by_code:
            reasons.append("elegido: el que hace más tiempo recibió")
        else:
            reasons.append("elegido: nunca lo recibió")
    elif candidate and chosen_by_rotation:
        reasons.append(f"disponible, pero se eligió «{decision.benefit}»")
    elif candidate and decision.reason is not None:
        reasons.append(
            f"disponible, pero el cliente no es elegible: {REASONS[decision.reason]}"
        )
    elif candidate and existing is not None:
        reasons.append(f"disponible, pero {month} ya tiene «{existing.benefit}»")
    return BenefitCheck(benefit.code, benefit.name, candidate, reasons)


def _next_eligible(
    client: Client,
    blocks: Sequence[Block],
    rows: Sequence[Delivery],
    month: Month,
    catalogue: _Catalogue,
    settings: BusinessSettings,
) -> Month | None:
    """The first month after ``month`` in which the client qualifies, all else equal."""
    if client.state in (ClientState.PAUSED, ClientState.CANCELLED):
        return None
    for ahead in range(1, NEXT_ELIGIBLE_HORIZON + 1):
        later = month.shift(ahead)
        day = later.first_day
        if _decide(client, blocks, rows, later, day, catalogue, settings).eligible:
            return later
    return None


def explain(
    data: ControlData, client_id: str, month: Month, on: date | None = None
) -> Explanation:
    """The decision for one client with every step that led to it.

    ``next_eligible`` simulates the following months (up to
    :data:`NEXT_ELIGIBLE_HORIZON`) on the first day of each, with the periods
    and ``Entregas`` rows as they are now: open blocks run on, closed ones end.
    """
    client = data.client(client_id)
    if client is None:
        raise UsageError(f"No hay ningún cliente con ID «{client_id}» en «Clientes».")
    day = evaluation_day(month, on)
    catalogue = _Catalogue(data.benefits)
    periods = sorted(data.periods.get(client_id, ()), key=lambda p: p.row)
    blocks = merge_periods(periods, data.settings.grace_days)
    rows = [d for d in data.deliveries if d.client_id == client_id]
    decision = _decide(client, blocks, rows, month, day, catalogue, data.settings)
    since = continuity_start(blocks, day)
    history = _history(rows, month, catalogue)
    by_rotation = decision.eligible and decision.existing is None
    checks = [
        _check(b, client, decision.months, history, month, decision, by_rotation)
        for b in data.benefits
    ]
    following = None
    if not decision.eligible:
        following = _next_eligible(
            client, blocks, rows, month, catalogue, data.settings
        )
    return Explanation(
        client=client,
        month=month,
        on=day,
        periods=periods,
        blocks=blocks,
        since=since,
        months=decision.months,
        decision=decision,
        deliveries=sorted((d for d in rows if d.month <= month), key=lambda d: d.row),
        checks=checks,
        next_eligible=following,
    )
