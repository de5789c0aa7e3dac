"""The deliverable of a benefit for one client: a pre-filled document and checklist.

:func:`build_report` turns the control data into a :class:`Report`, a plain
model that every format renders the same way: Markdown and HTML through the
Jinja2 templates ``reports/informe.md`` and ``reports/informe.html`` (which a
``PIXELY_TEMPLATES`` folder may override), Word through
:mod:`pixely_benefits.report_docx`. What each benefit's document contains
comes from :mod:`pixely_benefits.procedures`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path

from pixely_benefits.errors import UsageError
from pixely_benefits.lookup import find_benefit, find_client
from pixely_benefits.messages import long_date, month_name, render
from pixely_benefits.months import Month
from pixely_benefits.procedures import (
    CLOSING_STEPS,
    Fill,
    Grid,
    Procedure,
    Step,
    procedure_for,
)
from pixely_benefits.promotions import (
    current_promotions,
    find_promotion,
    promotion_code,
    why_not,
)
from pixely_benefits.records import (
    Benefit,
    BenefitKind,
    Client,
    ClientState,
    ControlData,
    Delivery,
    Promotion,
    delivery_id,
)
from pixely_benefits.rules import REASONS, explain
from pixely_benefits.sheet.schema import normalize

DOCUMENT = "reports/informe.{extension}"
INVITATION = "reports/invitacion.txt"
DEFAULT_FOLLOWUP_DAYS = 30
"""Days to the review session when neither the catalogue nor the procedure says."""


class ReportFormat(StrEnum):
    MD = "md"
    HTML = "html"
    DOCX = "docx"


# --- the model ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportSection:
    """A :class:`~pixely_benefits.procedures.Section` with what the tool pre-filled."""

    title: str
    hint: str
    paragraphs: tuple[str, ...]
    options: tuple[str, ...]
    prompts: tuple[str, ...]
    grid: Grid | None
    lines: int
    placeholder: bool


@dataclass(frozen=True, slots=True)
class Report:
    """Everything a deliverable shows, already resolved to text and dates."""

    title: str
    objective: str
    agency: str
    signature: str
    client: Client
    benefit: Benefit
    month: Month
    due: date
    due_estimated: bool
    """``True`` when no ``Entregas`` row gave a ``Fecha límite``."""
    delivery: Delivery | None
    prepared: date
    followup: date | None
    sections: tuple[ReportSection, ...]
    checklist: tuple[Step, ...]
    resources: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    """What the CM should know before using the document (Spanish sentences):
    no usable ``Entregas`` row, a row without ``Fecha límite``, a client who
    does not qualify. The document is prepared all the same."""

    @property
    def delivery_id(self) -> str:
        if self.delivery is not None:
            return self.delivery.delivery_id
        return delivery_id(self.client.client_id, self.benefit.code, self.month)

    @property
    def facts(self) -> list[tuple[str, str]]:
        """The heading block of every format: label -> value, in Spanish."""
        due = long_date(self.due)
        if self.due_estimated:
            due += " (estimada)"
        return [
            ("Agencia", self.agency),
            ("Cliente", self.client.name),
            ("Contacto", self.client.contact or "—"),
            ("Plan", self.client.plan or "—"),
            ("Community manager", self.client.cm or "—"),
            ("Beneficio", self.benefit.name),
            ("Mes", month_name(self.month)),
            ("Fecha límite de entrega", due),
        ]


def find_delivery(
    data: ControlData, client_id: str, benefit: str, month: Month
) -> Delivery | None:
    """The client's ``Entregas`` row of ``benefit`` for ``month``, in any state.

    A row matches by its client, benefit and month, or by carrying the
    canonical ID. A row still in force wins over a cancelled one; among equals,
    the one with the canonical ID, else the first in sheet order (a person may
    have typed the ID differently).
    """
    wanted = delivery_id(client_id, benefit, month)
    rows = [
        d
        for d in data.deliveries
        if d.delivery_id == wanted
        or (d.client_id == client_id and d.benefit == benefit and d.month == month)
    ]
    if not rows:
        return None
    return min(rows, key=lambda d: (d.cancelled, d.delivery_id != wanted, d.row))


def build_report(
    data: ControlData,
    client_text: str,
    benefit_text: str,
    month: Month,
    today: date,
    *,
    promotion: str | None = None,
    templates: Path | None = None,
) -> Report:
    """The deliverable of ``benefit_text`` for ``client_text`` in ``month``.

    The due date is the ``Fecha límite`` of the client's ``Entregas`` row for
    that month; without one it is estimated as ``today`` plus ``Plazo (días)``.
    ``promotion`` (a ``Promociones`` code) chooses what an invitation offers;
    by default, the promotion its ``Entregas`` row was created for (``promo
    invite``), else every promotion still valid ``today``.
    """
    client = find_client(data, client_text)
    benefit = find_benefit(data, benefit_text)
    procedure = procedure_for(benefit.code)
    row = find_delivery(data, client.client_id, benefit.code, month)
    due = row.due if row is not None else None
    estimated = due is None
    if due is None:
        due = today + timedelta(days=benefit.due_days)
    followup = _followup(procedure, benefit, row, due)
    offered = _offered(data, promotion or _recorded(data, row), today)
    warnings = _warnings(data, client, benefit, month, row, due, today, offered)
    sections = tuple(
        ReportSection(
            title=section.title,
            hint=section.hint,
            paragraphs=_prefilled(
                section.fill, data, client, benefit, due, followup, offered, templates
            ),
            options=section.options,
            prompts=section.prompts,
            grid=section.grid,
            lines=section.lines,
            placeholder=section.placeholder,
        )
        for section in procedure.sections
    )
    return Report(
        title=procedure.title,
        objective=procedure.objective,
        agency=data.settings.agency,
        signature=data.settings.signed_by,
        client=client,
        benefit=benefit,
        month=month,
        due=due,
        due_estimated=estimated,
        delivery=row,
        prepared=today,
        followup=followup[0] if followup else None,
        sections=sections,
        checklist=procedure.steps + CLOSING_STEPS,
        resources=procedure.resources,
        warnings=warnings,
    )


def _followup(
    procedure: Procedure, benefit: Benefit, row: Delivery | None, due: date
) -> tuple[date, str] | None:
    """The review session's date and what it was counted from, if the procedure
    has one: the row's ``Seguimiento``, else the delivery (or the due date) plus
    ``Seguimiento (días)`` of the catalogue (the procedure's days if blank)."""
    if not any(s.fill is Fill.FOLLOWUP_SESSION for s in procedure.sections):
        return None
    if row is not None and row.followup is not None:
        return row.followup, "según la columna «Seguimiento» de «Entregas»"
    days = benefit.followup_days or procedure.followup_days or DEFAULT_FOLLOWUP_DAYS
    if row is not None and row.delivered is not None:
        return row.delivered.date() + timedelta(days=days), (
            f"{days} días después de la entrega"
        )
    return due + timedelta(days=days), (
        f"{days} días después de la fecha límite; ajústala a la fecha real de entrega"
    )


def _warnings(
    data: ControlData,
    client: Client,
    benefit: Benefit,
    month: Month,
    row: Delivery | None,
    due: date,
    today: date,
    offered: Sequence[Promotion],
) -> tuple[str, ...]:
    """What :attr:`Report.warnings` says, in the order a CM should read it."""
    estimate = (
        f"la fecha límite del documento es una estimación, el {long_date(due)} "
        f"(hoy más los {benefit.due_days} días de «Plazo (días)»)"
    )
    wanted = delivery_id(client.client_id, benefit.code, month)
    found: list[str] = []
    if client.state is not ClientState.ACTIVE:
        found.append(f"{client.name} está {client.state.value} en «Clientes».")
    if row is not None:
        where = f"La fila «{row.delivery_id}» de Entregas (fila {row.row})"
        if row.cancelled:
            found.append(f"{where} está cancelada; el documento se preparó igual.")
        if row.due is None:
            found.append(f"{where} no tiene «Fecha límite»: {estimate}.")
    elif wanted in data.delivery_ids:  # a row the loader left out as bad
        found.append(
            f"La fila «{wanted}» de Entregas tiene datos que no se pueden leer "
            f"(«pixely check» los muestra): {estimate}."
        )
    else:
        invited = (
            " (no se le invitó con «pixely promo invite»)"
            if benefit.kind is BenefitKind.CAMPAIGN
            else ""
        )
        found.append(
            f"{client.name} no tiene fila de «{benefit.code}» en Entregas para "
            f"{month}{invited}: {estimate}."
        )
        if client.state is ClientState.ACTIVE:
            found.extend(_not_qualifying(data, client, benefit, month, today, offered))
    return tuple(found)


def _not_qualifying(
    data: ControlData,
    client: Client,
    benefit: Benefit,
    month: Month,
    today: date,
    offered: Sequence[Promotion],
) -> list[str]:
    """Why ``client`` would not get ``benefit`` in ``month``: the rules of the
    contract for a monthly benefit, each offered promotion's for a campaign.
    Only for an active client: that a paused or cancelled one does not qualify
    goes without saying."""
    after = "; el documento se preparó igual."
    if benefit.kind is BenefitKind.CAMPAIGN:
        return [
            f"{client.name} no califica para la promoción «{p.code}»: {reason}{after}"
            for p in offered
            if (reason := why_not(data, client, p, benefit, today))
        ]
    explanation = explain(data, client.client_id, month)
    decision = explanation.decision
    if decision.eligible:
        if decision.benefit == benefit.code:
            return []
        return [
            f"En {month} a {client.name} le corresponde «{decision.benefit}», no "
            f"«{benefit.code}»{after}"
        ]
    reasons: list[str] = []
    for check in explanation.checks:
        if check.code == benefit.code and not check.candidate:
            reasons.extend(check.reasons)
    if not reasons and decision.reason is not None:
        reasons.append(REASONS[decision.reason])
    return [
        f"{client.name} no es elegible para «{benefit.code}» en {month}: "
        f"{'; '.join(reasons)}{after}"
    ]


def _recorded(data: ControlData, row: Delivery | None) -> str | None:
    """The promotion an invitation row records (``promo invite``), if still listed."""
    code = promotion_code(row) if row is not None else None
    if code is None:
        return None
    known = {normalize(p.code) for p in data.promotions}
    return code if normalize(code) in known else None


def _offered(data: ControlData, code: str | None, today: date) -> list[Promotion]:
    """The promotion named ``code``, else every promotion still valid ``today``."""
    if code is None:
        return current_promotions(data.promotions, today)
    return [find_promotion(data, code)]


def _prefilled(
    fill: Fill,
    data: ControlData,
    client: Client,
    benefit: Benefit,
    due: date,
    followup: tuple[date, str] | None,
    offered: Sequence[Promotion],
    templates: Path | None,
) -> tuple[str, ...]:
    if fill is Fill.FOLLOWUP_SESSION and followup is not None:
        day, basis = followup
        return (
            f"Sesión de revisión: {long_date(day)} ({basis}). Confírmala con el "
            "cliente al entregar el informe.",
        )
    if fill is Fill.INVITATION:
        text = render(
            INVITATION,
            {
                "client": client,
                "contact": client.greeting_name,
                "benefit": benefit,
                "promotions": [
                    {
                        "code": p.code,
                        "name": p.name,
                        "description": p.description or "",
                        "valid_until": long_date(p.valid_until)
                        if p.valid_until
                        else "",
                    }
                    for p in offered
                ],
                "due": long_date(due),
                "agency": data.settings.agency,
                "signature": data.settings.signed_by,
                "cm": client.cm,
            },
            templates=templates,
        )
        return tuple(_paragraphs(text))
    return ()


def _paragraphs(text: str) -> list[str]:
    """Blocks separated by blank lines, each joined into one line."""
    blocks = re.split(r"\n\s*\n", text.strip())
    return [" ".join(block.split()) for block in blocks if block.strip()]


# --- rendering and saving ----------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def markdown_text(text: str) -> str:
    """``text`` with Markdown's special characters escaped, on one line."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def render_text(
    report: Report, fmt: ReportFormat, *, templates: Path | None = None
) -> str:
    """The Markdown or HTML document, from ``reports/informe.<formato>``."""
    if fmt is ReportFormat.DOCX:
        raise ValueError("a .docx report is binary: use render_report")
    context = {
        "report": report,
        "facts": report.facts,
        "md": markdown_text,
        "fecha": long_date,
    }
    text = render(DOCUMENT.format(extension=fmt.value), context, templates=templates)
    return text.strip() + "\n"


def render_report(
    report: Report, fmt: ReportFormat, *, templates: Path | None = None
) -> bytes:
    """The document in ``fmt``, as the bytes of the file to save."""
    if fmt is ReportFormat.DOCX:
        from pixely_benefits.report_docx import docx_bytes

        return docx_bytes(report)
    return render_text(report, fmt, templates=templates).encode("utf-8")


def choose_format(
    fmt: ReportFormat | None, target: Path | None, *, screen: bool = False
) -> ReportFormat:
    """``--formato`` if given, else the extension of ``--salida``, else Word (or
    Markdown when the document goes to the ``screen``).

    A ``--salida`` file whose extension is none of the formats is refused: a
    document named ``.pdf`` that is really Word would not open.
    """
    suffix = target.suffix.lower().lstrip(".") if target is not None else ""
    named = {f.value: f for f in ReportFormat}.get(suffix)
    if suffix and named is None and target is not None and not target.is_dir():
        raise UsageError(
            f"--salida termina en .{suffix}, y el informe solo se guarda como .md, "
            ".html o .docx: cambia la extensión (para un PDF, guarda el .html y "
            "desde el navegador imprímelo como PDF)."
        )
    if fmt is None:
        return named or (ReportFormat.MD if screen else ReportFormat.DOCX)
    if named is not None and named is not fmt:
        raise UsageError(
            f"--salida termina en .{suffix} pero --formato es {fmt.value}: "
            "usa la misma extensión o quita una de las dos opciones."
        )
    return fmt


def file_name(report: Report, fmt: ReportFormat) -> str:
    """``007-estudio-mercado-2026-12.docx``: safe on every file system."""
    stem = re.sub(r"[^\w.-]+", "_", report.delivery_id).strip("._") or "informe"
    return f"{stem}.{fmt.value}"


def output_path(
    target: Path | None, outbox: Path, report: Report, fmt: ReportFormat
) -> Path:
    """Where the document goes: ``--salida`` (a file, or a folder for the default
    name), else ``<carpeta de salida>/AAAA-MM/informes/``."""
    if target is None:
        return outbox / str(report.month) / "informes" / file_name(report, fmt)
    if target.is_dir() or not target.suffix:
        return target / file_name(report, fmt)
    return target


def save_report(content: bytes, path: Path, *, replace: bool = False) -> None:
    """Write ``content`` to ``path`` whole (temporary file, then rename).

    An existing file is kept unless ``replace``: it may already hold the CM's
    work on the document.
    """
    if path.exists() and not replace:
        raise UsageError(
            f"«{path}» ya existe y puede tener trabajo hecho: elige otra --salida o "
            "usa --reemplazar para sobrescribirlo."
        )
    partial = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(content)
        partial.replace(path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise UsageError(
            f"No se pudo guardar «{path}» ({error.strerror or error}): elige otra "
            "--salida."
        ) from error
