"""Promotions for loyal clients, sent through a ``campaña`` benefit.

A promotion is a row of ``Promociones``; it reaches clients through the first
active benefit of ``Tipo`` ``campaña`` in the catalogue (``acceso-preferencial``
in the starting one). A client qualifies when it is not paused or cancelled,
its plan is admitted by that benefit, and its continuous months (rules 3 and 4
of the contract, counted on the day of the run) reach both the promotion's
``Meses mínimos`` and the benefit's. A promotion whose ``Vigente hasta`` has
passed is refused.

How an invitation is recorded: one ``Entregas`` row of the campaign benefit in
the month of the invitation, whose ``Notas`` start with ``Promoción: <código>``.
Its ``ID`` is the contract's ``{ID cliente}-{Código}-{AAAA-MM}``; if the client
already has a row with that ID (an invitation to another promotion in the same
month), the promotion's code is appended, ``{ID cliente}-{Código}-{AAAA-MM}-
{promoción}``, so every ID stays unique and still reads the same way. A row
with the mark or that suffix, in any state (cancelled too), means the client
was invited: nobody is invited twice to the same promotion.

Pure like :mod:`pixely_benefits.ledger`, whose :class:`Plan` it returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from pixely_benefits.contacts import reachability
from pixely_benefits.errors import UsageError
from pixely_benefits.ledger import Plan, Result, append_note
from pixely_benefits.ledger_plan import Stamp, new_row, taken
from pixely_benefits.lookup import did_you_mean, find_client, unique
from pixely_benefits.months import Month
from pixely_benefits.outbox import NoticeRequest
from pixely_benefits.records import (
    Benefit,
    BenefitKind,
    Client,
    ClientState,
    ControlData,
    Delivery,
    DeliveryState,
    Promotion,
    delivery_id,
)
from pixely_benefits.rules import continuity_start, continuous_months, merge_periods
from pixely_benefits.sheet.cells import Cell
from pixely_benefits.sheet.schema import normalize

INVITE = "invitar"
ACCEPT = "aceptar"
"""The ``Acción`` words written to ``Historial``."""

MARK = "Promoción:"
"""How the ``Notas`` of an invitation start: ``Promoción: reels-pro (nombre)``."""


# --- finding promotions and their rows ----------------------------------------------


def find_promotion(data: ControlData, code: str) -> Promotion:
    """The promotion ``code`` (or that name, leniently), else a :class:`UsageError`."""
    wanted = normalize(code)
    for promotion in data.promotions:
        if wanted in (normalize(promotion.code), normalize(promotion.name)):
            return promotion
    names = {p.code: p.name for p in data.promotions}
    if not names:
        raise UsageError(
            "La pestaña «Promociones» no tiene ninguna promoción: añade una fila con "
            "Código, Promoción, Descripción, Vigente hasta y Meses mínimos."
        )
    raise UsageError(
        f"No hay ninguna promoción «{code.strip()}» en «Promociones»"
        + did_you_mean(code, names)
    )


def expired(promotion: Promotion, today: date) -> bool:
    """Past its ``Vigente hasta`` (the day itself still counts); blank: never."""
    return promotion.valid_until is not None and promotion.valid_until < today


def current_promotions(promotions: Iterable[Promotion], today: date) -> list[Promotion]:
    return [p for p in promotions if not expired(p, today)]


def _refuse_expired(promotion: Promotion, today: date) -> None:
    if expired(promotion, today):
        assert promotion.valid_until is not None
        raise UsageError(
            f"La promoción «{promotion.code}» venció el "
            f"{promotion.valid_until:%d/%m/%Y}: si sigue en pie, cambia su «Vigente "
            "hasta» en «Promociones»."
        )


def campaign_benefit(data: ControlData) -> Benefit:
    """The benefit promotions go out as: the first active ``campaña`` one."""
    for benefit in data.benefits:
        if benefit.kind is BenefitKind.CAMPAIGN and benefit.active:
            return benefit
    raise UsageError(
        "No hay ningún beneficio de Tipo «campaña» activo en «Beneficios»: las "
        "promociones se envían como uno de ellos (por ejemplo acceso-preferencial)."
    )


def promotion_code(row: Delivery) -> str | None:
    """The promotion an ``Entregas`` row invites to, from its ``Notas`` mark."""
    for line in (row.notes or "").splitlines():
        folded = normalize(line)
        if folded.startswith(normalize(MARK)):
            words = line.split(":", 1)[1].split()
            return words[0] if words else None
    return None


def invitations(data: ControlData, promotion: Promotion) -> dict[str, Delivery]:
    """Client ID -> the first row that invites it to ``promotion`` (any state)."""
    wanted = normalize(promotion.code)
    suffix = f"-{promotion.code}"
    found: dict[str, Delivery] = {}
    for row in data.deliveries:
        code = promotion_code(row)
        mine = normalize(code) == wanted if code else row.delivery_id.endswith(suffix)
        if mine:
            found.setdefault(row.client_id, row)
    return found


# --- who qualifies ------------------------------------------------------------------


def months_of(data: ControlData, client: Client, today: date) -> int | None:
    """Continuous months of ``client`` on ``today``; ``None`` without a subscription."""
    blocks = merge_periods(
        data.periods.get(client.client_id, ()), data.settings.grace_days
    )
    since = continuity_start(blocks, today)
    return None if since is None else continuous_months(since, today)


def required_months(promotion: Promotion, benefit: Benefit) -> int:
    return max(promotion.min_months, benefit.min_months)


def why_not(
    data: ControlData,
    client: Client,
    promotion: Promotion,
    benefit: Benefit,
    today: date,
) -> str | None:
    """Why ``client`` does not qualify for ``promotion`` (Spanish), or ``None``."""
    if client.state in (ClientState.PAUSED, ClientState.CANCELLED):
        return f"está {client.state.value}"
    if not benefit.admits(client.plan):
        return f"su plan «{client.plan or '(sin plan)'}» no incluye «{benefit.code}»"
    months = months_of(data, client, today)
    if months is None:
        return "no tiene suscripción vigente"
    needed = required_months(promotion, benefit)
    if months < needed:
        return f"tiene {months} meses continuos y la promoción pide {needed}"
    return None


# --- invite -------------------------------------------------------------------------


@dataclass(slots=True)
class Invitation:
    """What ``promo invite`` does: the ledger plan, and who was left out and why."""

    promotion: Promotion
    benefit: Benefit
    month: Month
    plan: Plan
    excluded: list[tuple[str, str]] = field(default_factory=list)


def plan_invite(
    data: ControlData,
    code: str,
    now: datetime,
    user: str,
    *,
    clients: Sequence[str] = (),
    resend: bool = False,
    dry_run: bool = False,
) -> Invitation:
    """Create one ``pendiente`` row per qualifying client not yet invited, and its
    notice; rows still ``pendiente`` get their notice again if missing (with
    ``resend``, ``notificado`` rows too). ``clients`` limits the run.
    ``dry_run`` only changes the words: what would be done."""
    promotion = find_promotion(data, code)
    today = now.date()
    _refuse_expired(promotion, today)
    benefit = campaign_benefit(data)
    month = Month.of(today)
    wanted = {find_client(data, c).client_id for c in unique(clients)}
    invited = invitations(data, promotion)
    stamp = Stamp(now, user)
    result = Invitation(promotion, benefit, month, Plan())
    plan = result.plan
    due = today + timedelta(days=benefit.due_days)
    if promotion.valid_until is not None:
        due = min(due, promotion.valid_until)
    for client in data.clients:
        if wanted and client.client_id not in wanted:
            continue
        reach = reachability(client, data.settings)
        row = invited.get(client.client_id)
        if row is not None:
            again = row.state is DeliveryState.PENDING or (
                resend and row.state is DeliveryState.NOTIFIED
            )
            if again and reach.reachable:
                plan.notices.append(
                    NoticeRequest(
                        row.delivery_id,
                        client,
                        benefit,
                        row.month,
                        due,
                        reach,
                        promotion,
                    )
                )
                if row.state is DeliveryState.PENDING:
                    plan.to_confirm.append(client.client_id)
            message = f"ya invitado ({row.state.value}, {row.month})"
            plan.say(client.client_id, row.delivery_id, Result.UNCHANGED, message)
            continue
        reason = why_not(data, client, promotion, benefit, today)
        if reason is not None:
            result.excluded.append((client.client_id, reason))
            if wanted:
                plan.say(
                    client.client_id, None, Result.SKIPPED, f"no califica: {reason}"
                )
            continue
        if not reach.reachable:
            why = "; ".join(reach.problems) or "no tiene correo ni WhatsApp"
            message = f"sin invitación ({why}): completa sus datos en «Clientes»"
            plan.say(client.client_id, None, Result.SKIPPED, message)
            continue
        key = _free_key(data, client, benefit, month, promotion)
        if key is None:
            canonical = delivery_id(client.client_id, benefit.code, month)
            blocked = taken(data, f"{canonical}-{promotion.code}") or ""
            plan.say(client.client_id, None, Result.SKIPPED, blocked)
            continue
        values: dict[str, Cell] = {
            "ID": key,
            "Estado": DeliveryState.PENDING.value,
            "Notas": f"{MARK} {promotion.code} ({promotion.name})",
        }
        plan.create(
            new_row(client, benefit.code, month, values),
            stamp,
            INVITE,
            f"promoción {promotion.code}: {promotion.name}",
        )
        plan.notices.append(
            NoticeRequest(key, client, benefit, month, due, reach, promotion)
        )
        plan.to_confirm.append(client.client_id)
        done = "se invitaría a" if dry_run else "invitado a"
        message = f"{done} «{promotion.name}» por {' y '.join(reach.channels)}"
        plan.say(client.client_id, key, Result.DONE, message, reach.problems)
    return result


def _free_key(
    data: ControlData,
    client: Client,
    benefit: Benefit,
    month: Month,
    promotion: Promotion,
) -> str | None:
    """The contract's ID if free, else the one with the promotion's code appended."""
    canonical = delivery_id(client.client_id, benefit.code, month)
    for key in (canonical, f"{canonical}-{promotion.code}"):
        if taken(data, key) is None:
            return key
    return None


# --- accept -------------------------------------------------------------------------


def plan_accept(
    data: ControlData, code: str, client_id: str, now: datetime, user: str
) -> Plan:
    """Mark the client's invitation to the promotion ``aceptado``."""
    promotion = find_promotion(data, code)
    _refuse_expired(promotion, now.date())
    client = find_client(data, client_id)
    plan = Plan()
    row = invitations(data, promotion).get(client.client_id)
    if row is None:
        message = _not_invited(data, client, promotion, now.date())
        plan.say(client.client_id, None, Result.SKIPPED, message)
        return plan
    if row.state is DeliveryState.CANCELLED:
        message = (
            f"su invitación «{row.delivery_id}» está cancelada: si la acepta, cambia "
            "su Estado a notificado en «Entregas» y repite el comando"
        )
        plan.say(client.client_id, row.delivery_id, Result.SKIPPED, message)
        return plan
    if row.state in (DeliveryState.ACCEPTED, DeliveryState.DELIVERED):
        message = f"ya estaba {row.state.value}: no se cambió nada"
        plan.say(client.client_id, row.delivery_id, Result.UNCHANGED, message)
        return plan
    if not plan.writable(row):  # no ID, or a repeated one: the reason is said
        return plan
    note = f"Aceptó la promoción el {now:%d/%m/%Y}"
    values: dict[str, Cell] = {
        "Estado": DeliveryState.ACCEPTED.value,
        "Notas": append_note(row.notes, note),
    }
    detail = f"promoción {promotion.code} aceptada"
    plan.update(row, values, Stamp(now, user), ACCEPT, detail)
    message = f"aceptó «{promotion.name}»: entrégalo con «pixely deliver {row.benefit}»"
    plan.say(client.client_id, row.delivery_id, Result.DONE, message)
    return plan


def _not_invited(
    data: ControlData, client: Client, promotion: Promotion, today: date
) -> str:
    """Why there is nothing to accept, and what (if anything) can be done."""
    head = f"no fue invitado a «{promotion.code}»"
    reason = why_not(data, client, promotion, campaign_benefit(data), today)
    if reason is not None:
        return f"{head} y no califica: {reason}; no se cambió nada"
    reach = reachability(client, data.settings)
    if not reach.reachable:
        why = "; ".join(reach.problems) or "no tiene correo ni WhatsApp"
        return (
            f"{head}: califica, pero no se le puede escribir ({why}); completa sus "
            f"datos en «Clientes», invítalo con «pixely promo invite {promotion.code} "
            f"--client {client.client_id}» y repite este comando"
        )
    return (
        f"{head}, aunque califica: invítalo con «pixely promo invite "
        f"{promotion.code} --client {client.client_id}» y repite este comando"
    )


# --- list ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PromotionSummary:
    """One line of ``promo list``."""

    promotion: Promotion
    expired: bool
    benefit: Benefit | None
    """The campaign benefit promotions go out as; ``None`` without one."""
    qualifying: int
    """Clients that qualify today, invited or not."""
    invited: int
    accepted: int

    @property
    def benefit_months(self) -> int | None:
        """``Meses mínimos`` of the campaign benefit."""
        return None if self.benefit is None else self.benefit.min_months

    @property
    def required_months(self) -> int:
        """The continuous months a client needs: the larger of both minimums."""
        return max(self.promotion.min_months, self.benefit_months or 0)

    def as_json(self) -> dict[str, str | int | bool | None]:
        p = self.promotion
        return {
            "code": p.code,
            "name": p.name,
            "description": p.description,
            "valid_until": p.valid_until.isoformat() if p.valid_until else None,
            "min_months": p.min_months,
            "benefit_min_months": self.benefit_months,
            "required_months": self.required_months,
            "expired": self.expired,
            "qualifying": self.qualifying,
            "invited": self.invited,
            "accepted": self.accepted,
        }


def summarise(data: ControlData, today: date) -> list[PromotionSummary]:
    """Every promotion, in sheet order, with its invitations so far."""
    benefit = next(
        (b for b in data.benefits if b.kind is BenefitKind.CAMPAIGN and b.active),
        None,
    )
    found: list[PromotionSummary] = []
    for promotion in data.promotions:
        rows = invitations(data, promotion).values()
        qualifying = 0
        if benefit is not None:
            qualifying = sum(
                1
                for c in data.clients
                if why_not(data, c, promotion, benefit, today) is None
            )
        found.append(
            PromotionSummary(
                promotion=promotion,
                expired=expired(promotion, today),
                benefit=benefit,
                qualifying=qualifying,
                invited=sum(1 for r in rows if not r.cancelled),
                accepted=sum(
                    1
                    for r in rows
                    if r.state in (DeliveryState.ACCEPTED, DeliveryState.DELIVERED)
                ),
            )
        )
    return found
