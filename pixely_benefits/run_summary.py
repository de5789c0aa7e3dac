"""What a monthly run did and what needs the CM, as plain Spanish lines.

The same lines go to the screen, to the log file and, with ``--resumen-a``,
into the e-mail to the CM. Nothing here reads, writes or sends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pixely_benefits.loading import Loaded
    from pixely_benefits.months import Month
    from pixely_benefits.problems import Problem
    from pixely_benefits.sending import SendReport
    from pixely_benefits.status import StatusReport

SHOWN_PROBLEMS = 10
"""Sheet problems listed one by one; the rest are counted (``pixely check`` lists all)."""


def as_is(text: str) -> str:
    return text


ALL_WELL = 0
SOME_FAILED = 1


@dataclass
class RunSummary:
    month: Month
    sheet: str
    send: bool
    dry_run: bool
    outbox: Path
    clients: int
    problems: list[Problem]
    created: int = 0
    prepared: int = 0
    would_send: int = 0
    recovered: list[str] = field(default_factory=list)
    """Rows marked ``notificado`` from the journal (sent by an earlier run)."""
    skipped: list[tuple[str, str, str]] = field(default_factory=list)
    """(client ID, name, why) of eligible clients left without a notice."""
    not_eligible: dict[str, int] = field(default_factory=dict)
    """Reason (Spanish) -> how many clients are not eligible for it."""
    by_hand: list[tuple[str, str, str, str, tuple[str, ...]]] = field(
        default_factory=list
    )
    """Notices to send by hand: delivery ID, client ID, name, benefit code, channels."""
    """(delivery ID, client ID, name, channels) of rows the CM sends herself."""
    notes: list[str] = field(default_factory=list)
    report: SendReport | None = None
    status: StatusReport | None = None
    final: Loaded | None = None
    mail_error: str | None = None
    suggest: Callable[[str], str] = as_is
    """Writes the ``pixely …`` commands of a line as the user should type them
    (with the ``--sheet`` the run was given)."""

    @property
    def failed(self) -> bool:
        """Something went wrong or needs the CM (exit code 1)."""
        sent_badly = self.report is not None and self.report.failed
        return bool(
            sent_badly or self.skipped or self.problems or self.notes or self.mail_error
        )

    @property
    def exit_code(self) -> int:
        return SOME_FAILED if self.failed else ALL_WELL

    def reported_ids(self) -> set[str]:
        """Rows already listed as failed, held or left by the sending."""
        report = self.report
        if report is None:
            return set()
        return {
            *(m.delivery_id for m in report.refused),
            *(key for key, _ in report.held),
            *report.left,
        }

    def subject(self, agency: str) -> str:
        from pixely_benefits.messages import month_name

        sent = len(self.report.sent) if self.report else 0
        state = "con fallos" if self.failed else "todo bien"
        return (
            f"{agency} · beneficios de {month_name(self.month)}: {sent} avisos "
            f"enviados, {state}"
        )

    def lines(self) -> list[str]:
        from pixely_benefits.messages import month_name

        out = [
            f"Resumen de beneficios de {month_name(self.month)} (hoja «{self.sheet}»)",
        ]
        if self.dry_run:
            out.append("Simulación (--dry-run): no se escribió ni se envió nada.")
        out.extend(self._notices())
        out.extend(self._sending())
        out.extend(self._skipped())
        out.extend(self._failures())
        out.extend(self._status())
        out.extend(self._problems())
        if self.failed:
            out.append(
                "Resultado: hay fallos o cosas por revisar (código de salida 1)."
            )
        else:
            out.append("Resultado: todo bien (código de salida 0).")
        return [self.suggest(line) for line in out]

    def _notices(self) -> list[str]:
        if self.dry_run:
            line = f"Filas nuevas en Entregas: se crearían {self.created}."
            if self.send:
                line += f" Correos que se enviarían: {self.would_send}."
            return [line]
        return [
            f"Filas nuevas en Entregas: {self.created}; mensajes nuevos en "
            f"«{self.outbox}»: {self.prepared}."
        ]

    def _sending(self) -> list[str]:
        out = sending_lines(self.report, self.recovered)
        if self.by_hand:
            out.append(
                f"Por enviar a mano: {len(self.by_hand)} (abre «{self.outbox / 'index.html'}» "
                "y, al enviar cada uno, confírmalo con el comando que lo sigue)."
            )
            for key, client_id, name, benefit, channels in self.by_hand:
                how = " y ".join(channels) or "sin canal"
                out.append(
                    f"  · {client_id} {name} ({key}): {how} → pixely sent {client_id} "
                    f"--month {self.month} --beneficio {benefit}"
                )
        return out

    def _skipped(self) -> list[str]:
        out: list[str] = []
        if self.skipped:
            out.append(f"Sin aviso: {len(self.skipped)}.")
            out.extend(
                f"  · {client_id} {name}: {why}"
                for client_id, name, why in self.skipped
            )
        if self.not_eligible:
            total = sum(self.not_eligible.values())
            parts = "; ".join(f"{why}: {n}" for why, n in self.not_eligible.items())
            out.append(f"No elegibles este mes: {total} ({parts}).")
        return out

    def _failures(self) -> list[str]:
        return failure_lines(self.report, self.notes, self.mail_error)

    def _status(self) -> list[str]:
        from pixely_benefits.status import STALE_PENDING_DAYS

        report = self.status
        if report is None:
            return []
        out = [
            f"Pendientes hace más de {STALE_PENDING_DAYS} días: {len(report.stale)}."
        ]
        out.extend(
            f"  · {s.row.delivery_id} ({s.row.client or s.row.client_id}): pendiente "
            f"desde el {s.since:%d/%m/%Y}, CM {s.row.cm or '—'}"
            for s in report.stale
        )
        out.append(f"Entregas vencidas: {len(report.late)}.")
        out.extend(
            f"  · {r.delivery_id} ({r.client or r.client_id}): fecha límite "
            f"{r.due:%d/%m/%Y}, {r.state.value}, CM {r.cm or '—'}"
            for r in report.late
            if r.due is not None
        )
        out.append(f"Seguimientos por hacer: {len(report.followups)}.")
        out.extend(
            f"  · {r.delivery_id} ({r.client or r.client_id}): seguimiento el "
            f"{r.followup:%d/%m/%Y}, CM {r.cm or '—'}"
            for r in report.followups
            if r.followup is not None
        )
        return out

    def _problems(self) -> list[str]:
        if not self.problems:
            return ["Problemas en la hoja: ninguno."]
        rows = len({(p.tab, p.row) for p in self.problems})
        out = [
            f"Problemas en la hoja: {rows} filas (se omitieron; «pixely check» los "
            "lista todos)."
        ]
        out.extend(f"  · {p.describe()}" for p in self.problems[:SHOWN_PROBLEMS])
        if len(self.problems) > SHOWN_PROBLEMS:
            out.append(f"  · … y {len(self.problems) - SHOWN_PROBLEMS} más.")
        return out


def sending_lines(report: SendReport | None, recovered: list[str]) -> list[str]:
    """What the sending did: who was notified, what an earlier run had sent."""
    out: list[str] = []
    if report is not None and not report.error and not report.total:
        out.append(
            "Notificados por correo en esta ejecución: 0 (no había correos por enviar)."
        )
    elif report is not None:
        out.append(f"Notificados por correo en esta ejecución: {len(report.sent)}.")
        for mailed in report.sent:
            again = " (reenviado tras una conexión perdida)" if mailed.resent else ""
            out.append(
                f"  · {mailed.client_id} {mailed.client} <{mailed.address}>{again}"
            )
        resent = [m for m in report.sent if m.resent]
        if resent:
            out.append(
                f"  Ojo: {len(resent)} se reenviaron porque el servidor dejó de "
                "responder justo al recibirlos; si ya los había aceptado, el cliente "
                "puede verlos dos veces (con el mismo Message-ID)."
            )
    if recovered:
        out.append(
            "Ya enviados por una ejecución anterior y anotados ahora: "
            f"{len(recovered)} ({', '.join(recovered)})."
        )
    if (
        report is not None
        and report.left
        and not report.error
        and not report.write_error
    ):
        out.append(
            f"Quedan para la próxima ejecución (--max): {len(report.left)} correos."
        )
    return out


def failure_lines(
    report: SendReport | None, notes: list[str], mail_error: str | None = None
) -> list[str]:
    """Everything that failed or needs the CM, one item a line."""
    items: list[str] = []
    if report is not None:
        items.extend(
            f"{m.delivery_id} ({m.client}): el servidor rechazó «{m.address}» "
            f"({m.reply}); sigue pendiente, con el motivo en «Notas»"
            for m in report.refused
        )
        items.extend(f"{key}: {why}" for key, why in report.held)
        if report.error:
            items.append(
                f"El envío se detuvo: {report.error} Quedan {len(report.left)} correos "
                "pendientes para la próxima ejecución."
            )
        if report.write_error:
            items.append(
                f"No se pudo anotar en la hoja: {report.write_error} Los envíos "
                "quedaron en el registro local y se anotarán en la próxima ejecución."
            )
    items.extend(notes)
    if mail_error:
        items.append(f"No se pudo enviar este resumen por correo: {mail_error}")
    if not items:
        return ["Fallos: ninguno."]
    return [f"Fallos y avisos: {len(items)}.", *(f"  · {item}" for item in items)]
