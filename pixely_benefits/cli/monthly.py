"""The monthly routine: ``notify``, ``sent``, ``deliver``, ``cancel`` and ``status``.

Each command reads the sheet once, asks :mod:`pixely_benefits.ledger` for a
plan, writes it in one go and shows what happened to each client.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from pixely_benefits.cli import common, tracking
from pixely_benefits.cli import run as run_cli
from pixely_benefits.cli.app import app

if TYPE_CHECKING:
    from pixely_benefits.ledger import Outcome, Plan
    from pixely_benefits.loading import Loaded
    from pixely_benefits.months import Month
    from pixely_benefits.records import BusinessSettings, ControlData
    from pixely_benefits.sheet.base import Store
    from pixely_benefits.status import StatusReport

MonthOption = Annotated[
    str | None,
    typer.Option(
        "--month",
        "-m",
        help="Mes de las entregas, AAAA-MM. Por omisión, el mes en curso.",
        show_default=False,
    ),
]

EXIT_CODES = (
    "Sale con 0 si todo quedó hecho (o ya lo estaba), 1 si algo no se pudo hacer "
    "(el motivo aparece en la lista) y 2 si el comando no pudo ejecutarse (hoja, "
    "archivo o datos indicados)."
)


class ChannelChoice(StrEnum):
    correo = "correo"
    whatsapp = "whatsapp"
    ambos = "ambos"


@dataclass
class _Run:
    """What every command of the routine starts from."""

    store: Store
    loaded: Loaded
    month: Month
    now: datetime

    @property
    def data(self) -> ControlData:
        return self.loaded.data


def _start(
    ctx: typer.Context, month_text: str | None, *, history: bool = False
) -> _Run:
    from pixely_benefits.clock import current_month, now
    from pixely_benefits.loading import load
    from pixely_benefits.sheet.schema import HISTORY

    month = common.parse_month(month_text)
    store = common.store(ctx)
    loaded = load(store, (HISTORY,) if history else ())
    settings = loaded.data.settings
    return _Run(store, loaded, month or current_month(settings), now(settings))


def _apply(run: _Run, plan: Plan, *, dry_run: bool = False) -> None:
    """Write the plan (unless a dry run), list the outcomes, then the sheet problems."""
    if not dry_run:
        run.store.write(plan.changes)
    _show(run.data, plan.outcomes)
    common.summarise_problems(run.loaded.problems)
    if not dry_run:
        from pixely_benefits.cli.clickup import after_write

        after_write(run.store, run.data, plan.changes)  # nothing when ClickUp is off


_MARKS = {"hecho": "[green]✓[/]", "sin cambios": "[dim]·[/]", "omitido": "[yellow]✗[/]"}


def _show(data: ControlData, outcomes: list[Outcome]) -> None:
    out = common.console
    for outcome in outcomes:
        client = data.client(outcome.client_id)
        who = f"{outcome.client_id} {client.name}" if client else outcome.client_id
        mark = _MARKS[outcome.result.value]
        out.print(f"{mark} {escape(who)}: {escape(outcome.message)}", soft_wrap=True)
        for warning in outcome.warnings:
            out.print(f"    [yellow]aviso:[/] {escape(warning)}", soft_wrap=True)


def _exit(plan: Plan) -> None:
    raise typer.Exit(1 if plan.failed else 0)


@app.command()
def notify(
    ctx: typer.Context,
    month: MonthOption = None,
    clients: Annotated[
        list[str] | None,
        typer.Option(
            "--client",
            "--cliente",
            "-c",
            help="Solo este cliente (ID); se puede repetir. Por omisión, todos.",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Muestra lo que haría sin escribir nada."),
    ] = False,
    resend: Annotated[
        bool,
        typer.Option(
            "--resend",
            help=(
                "Vuelve a generar los mensajes aunque ya existan (también de los ya "
                "notificados); nunca duplica filas."
            ),
        ),
    ] = False,
    folder: Annotated[
        Path | None,
        typer.Option(
            "--salida",
            help="Carpeta de los mensajes (se crea AAAA-MM dentro). Por omisión, "
            "PIXELY_OUTBOX o «salida».",
            show_default=False,
        ),
    ] = None,
    send: Annotated[
        bool,
        typer.Option(
            "--send",
            help="Envía los correos por SMTP (PIXELY_SMTP_*): cada uno aceptado pasa "
            "su fila a «notificado»; nunca dos veces, aunque se corte a medias.",
        ),
    ] = False,
    rate: run_cli.RateOption = None,
    most: run_cli.MaxOption = None,
) -> None:
    """Prepara los avisos del mes: filas «pendiente» en Entregas y los mensajes.

    Crea la fila de cada cliente elegible y sus mensajes en la carpeta de salida:
    el correo (.eml), el texto y el enlace de WhatsApp, y un index.html para
    enviarlos uno a uno. Con --send envía además los correos; el WhatsApp sigue
    siendo un enlace que la CM abre.

    Volver a ejecutarlo no crea filas nuevas y solo genera los mensajes que falten.
    Un cliente sin correo ni WhatsApp válidos queda sin fila y se informa.
    Sale con 0 si todo quedó hecho, 1 si algún cliente quedó sin aviso o algún
    correo no se pudo enviar, 2 si el comando no pudo ejecutarse y 3 si otra
    ejecución con envío está en marcha.
    """
    from pixely_benefits.ledger import Result, plan_notify
    from pixely_benefits.settings import get_settings
    from pixely_benefits.sheet.schema import HISTORY
    from pixely_benefits.status import creation_times

    chosen = run_cli.limits(rate, most)
    if send and not dry_run:
        run_cli.check_mail()
        ctx.with_resource(run_cli.send_lock())
    run = _start(ctx, month, history=True)
    plan = plan_notify(
        run.data,
        run.month,
        run.now,
        common.user_name(),
        clients=clients or (),
        resend=resend,
        created=creation_times(run.loaded.tabs.get(HISTORY.name)),
    )
    if dry_run:
        common.console.print(
            "[bold]Simulación[/] (--dry-run): esto es lo que se haría."
        )
    _apply(run, plan, dry_run=dry_run)
    target = (folder or get_settings().outbox) / str(run.month)
    created = plan.count(Result.DONE)
    out = common.console
    if dry_run:
        out.print(
            f"\n[bold]Simulación:[/] no se escribió nada. Se crearían {created} filas "
            f"en Entregas y se prepararían {len(plan.notices)} avisos en «{escape(str(target))}».",
            soft_wrap=True,
        )
        _exit(plan)
    files = 0
    if plan.notices:
        files = _prepare(plan, target.parent, run, resend=resend)
    out.print(
        f"\n[bold]{run.month}:[/] {created} filas nuevas en Entregas; "
        f"{files} mensajes nuevos en «{escape(str(target))}».",
        soft_wrap=True,
    )
    if send:
        failed = run_cli.send_prepared(run.store, run.loaded, plan, target, chosen)
        raise typer.Exit(1 if failed or plan.failed else 0)
    if plan.to_confirm:
        ids = " ".join(dict.fromkeys(plan.to_confirm))
        out.print(
            f"Abre «{escape(str(target / 'index.html'))}» para enviarlos uno a uno y, "
            f"cuando los envíes, confírmalo con: pixely sent {escape(ids)} "
            f"--month {run.month}",
            soft_wrap=True,
        )
    _exit(plan)


def _prepare(plan: Plan, folder: Path, run: _Run, *, resend: bool) -> int:
    """Render the plan's notices; the number of files written by this run."""
    from pixely_benefits.outbox import prepare_month

    settings = run.data.settings
    prepared = prepare_month(
        plan.notices,
        folder,
        run.month,
        settings,
        resend=resend,
        now=_aware(run.now, settings),
    )
    return sum(len(p.rendered) for p in prepared)


def _aware(moment: datetime, settings: BusinessSettings) -> datetime:
    """``moment`` (local time in ``zona_horaria``) with its offset, for e-mail headers."""
    from zoneinfo import ZoneInfo

    if settings.timezone:
        return moment.replace(tzinfo=ZoneInfo(settings.timezone))
    return moment.astimezone()


@app.command()
def sent(
    ctx: typer.Context,
    clients: Annotated[
        list[str],
        typer.Argument(help="ID de los clientes a los que ya enviaste el aviso."),
    ],
    month: MonthOption = None,
    channel: Annotated[
        ChannelChoice | None,
        typer.Option(
            "--canal",
            help="Canal usado: correo, whatsapp o ambos. Por omisión, los canales "
            "que tiene el cliente.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Confirma que enviaste los avisos: la fila del mes pasa a «notificado».

    Guarda la fecha de hoy, el canal y la fecha límite (hoy + «Plazo (días)» del
    beneficio).

    Sale con 0 si todo quedó hecho (o ya lo estaba), 1 si algún cliente no tiene
    fila del mes y 2 si el comando no pudo ejecutarse (por ejemplo, un ID que no existe).
    """
    from pixely_benefits.ledger import plan_sent
    from pixely_benefits.records import Channel

    run = _start(ctx, month)
    chosen = Channel(channel.value) if channel else None
    plan = plan_sent(
        run.data, clients, run.month, run.now, common.user_name(), channel=chosen
    )
    _apply(run, plan)
    _exit(plan)


@app.command()
def deliver(
    ctx: typer.Context,
    benefit: Annotated[
        str,
        typer.Argument(help="Código del beneficio entregado, p. ej. estudio-mercado."),
    ],
    client: Annotated[
        str,
        typer.Option("--client", "--cliente", "-c", help="ID del cliente."),
    ],
    month: Annotated[
        str | None,
        typer.Option(
            "--month",
            "-m",
            help="Mes de la entrega, AAAA-MM. Por omisión, la entrega abierta de ese "
            "beneficio (de cualquier mes) o, si no hay, el mes en curso.",
            show_default=False,
        ),
    ] = None,
    link: Annotated[
        str | None,
        typer.Option("--link", "--enlace", help="Enlace al entregable (Drive)."),
    ] = None,
    note: Annotated[
        str | None,
        typer.Option("--note", "--nota", help="Nota que se añade a «Notas»."),
    ] = None,
    create: Annotated[
        bool,
        typer.Option(
            "--crear",
            help="Si no hay una entrega abierta, la registra igual (fuera de la rotación).",
        ),
    ] = False,
) -> None:
    """Registra la entrega de un beneficio a un cliente.

    La fila pasa a «entregado» con la fecha, el enlace, la nota (añadida a las que
    ya hubiera) y la fecha de seguimiento si el beneficio la tiene.

    Entregar dos veces no cambia nada. Sale con 0 si quedó registrado (o ya lo
    estaba), 1 si no hay una entrega abierta (usa --crear) y 2 si el comando no pudo
    ejecutarse (por ejemplo, un beneficio o cliente que no existe).
    """
    from pixely_benefits.ledger import plan_deliver

    run = _start(ctx, month)
    plan = plan_deliver(
        run.data,
        benefit,
        client,
        run.now,
        common.user_name(),
        month=common.parse_month(month),
        link=link,
        note=note,
        create=create,
    )
    _apply(run, plan)
    _exit(plan)


@app.command()
def cancel(
    ctx: typer.Context,
    client: Annotated[str, typer.Argument(help="ID del cliente.")],
    month: Annotated[
        str,
        typer.Option("--month", "-m", help="Mes de la fila a cancelar, AAAA-MM."),
    ],
    reason: Annotated[
        str,
        typer.Option("--motivo", help="Por qué se cancela; se añade a «Notas»."),
    ],
    benefit: Annotated[
        str | None,
        typer.Option(
            "--beneficio",
            help="Código del beneficio, si el cliente tiene varias filas en el mes.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Cancela la fila de un cliente en un mes; la fila se conserva.

    Pasa a «cancelado» y el motivo se añade a «Notas».

    Sale con 0 si quedó cancelada (o ya lo estaba), 1 si no hay fila que cancelar o
    ya se entregó, y 2 si el comando no pudo ejecutarse.
    """
    from pixely_benefits.ledger import plan_cancel

    if not reason.strip():
        raise typer.BadParameter("escribe el motivo de la cancelación.")
    run = _start(ctx, month)
    plan = plan_cancel(
        run.data,
        client,
        run.month,
        reason,
        run.now,
        common.user_name(),
        benefit_code=benefit,
    )
    _apply(run, plan)
    _exit(plan)


@app.command()
def status(
    ctx: typer.Context,
    month: MonthOption = None,
    output: Annotated[
        tracking.Format,
        typer.Option(
            "--format",
            "-f",
            help="table (por omisión) o json (para otras herramientas).",
        ),
    ] = tracking.Format.table,
) -> None:
    """Resume el mes: filas por estado, pendientes, vencidas y seguimientos.

    Lista las filas «pendiente» hace más de 3 días, las entregas con la fecha
    límite pasada y los seguimientos que tocan (de cualquier mes). Por CM: lo
    notificado en el mes, lo entregado a tiempo, lo atrasado y el % a tiempo.

    Sale con 0 siempre que pudo leer la hoja, haya o no atrasos, para que cron
    pueda enviar el resumen por correo.
    """
    from pixely_benefits.sheet.schema import HISTORY
    from pixely_benefits.status import creation_times, status_report

    run = _start(ctx, month, history=True)
    created = creation_times(run.loaded.tabs.get(HISTORY.name))
    report = status_report(run.data, run.month, run.now, created)
    if output is tracking.Format.json:
        tracking.write_status_json(run.data, report)
    else:
        _show_status(run.data, report)
        tracking.print_scorecard(run.data, report)
    common.summarise_problems(run.loaded.problems)


def _show_status(data: ControlData, report: StatusReport) -> None:
    from pixely_benefits.status import STALE_PENDING_DAYS

    out = common.console
    today = report.today.strftime("%d/%m/%Y")
    counts = " · ".join(f"{state.value} {n}" for state, n in report.counts.items())
    out.print(f"[bold]Entregas de {report.month}[/] (al {today}): {counts}")

    def name(client_id: str, fallback: str | None) -> str:
        client = data.client(client_id)
        return client.name if client else fallback or client_id

    sections = [
        (
            f"Pendientes hace más de {STALE_PENDING_DAYS} días",
            [
                f"{s.row.delivery_id} ({name(s.row.client_id, s.row.client)}): "
                f"pendiente desde el {s.since:%d/%m/%Y}, CM {s.row.cm or '—'}"
                for s in report.stale
            ],
        ),
        (
            "Entregas vencidas",
            [
                f"{r.delivery_id} ({name(r.client_id, r.client)}): fecha límite "
                f"{r.due:%d/%m/%Y}, {r.state.value}, CM {r.cm or '—'}"
                for r in report.late
            ],
        ),
        (
            "Seguimientos por hacer",
            [
                f"{r.delivery_id} ({name(r.client_id, r.client)}): seguimiento el "
                f"{r.followup:%d/%m/%Y}, CM {r.cm or '—'}"
                for r in report.followups
            ],
        ),
    ]
    if not any(lines for _, lines in sections):
        out.print(
            "[green]Nada atrasado:[/] ni pendientes viejos, ni vencidas, ni seguimientos."
        )
        return
    for title, lines in sections:
        if lines:
            out.print(f"\n[bold]{title} ({len(lines)}):[/]")
            for line in lines:
                out.print(f"  {escape(line)}", soft_wrap=True)
