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
    from pixely_benefits.outbox import RenderedMonth
    from pixely_benefits.records import BusinessSettings, ControlData
    from pixely_benefits.sheet.base import Store
    from pixely_benefits.status import StatusReport

MonthOption = Annotated[
    str | None,
    common.month_option("Mes de las entregas, AAAA-MM. Por omisión, el mes en curso."),
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
    ctx: typer.Context
    """The command's context: what commands suggested to the user need."""

    @property
    def data(self) -> ControlData:
        return self.loaded.data


def start_run(
    ctx: typer.Context, month_text: str | None, *, history: bool = False
) -> _Run:
    from pixely_benefits.clock import current_month, now
    from pixely_benefits.loading import load
    from pixely_benefits.sheet.schema import HISTORY

    month = common.parse_month(month_text)
    store = common.store(ctx)
    loaded = load(store, (HISTORY,) if history else ())
    settings = loaded.data.settings
    return _Run(store, loaded, month or current_month(settings), now(settings), ctx)


def apply_plan(run: _Run, plan: Plan, *, dry_run: bool = False) -> None:
    """Write the plan (unless a dry run), list the outcomes, then the sheet problems."""
    if not dry_run:
        run.store.write(plan.changes)
    _show(run, plan.outcomes)
    common.summarise_problems(run.loaded.problems, run.ctx)
    if not dry_run:
        from pixely_benefits.cli.clickup import after_write

        after_write(run.store, run.data, plan.changes, run.ctx)  # off: nothing


def apply_with_notices(
    run: _Run, plan: Plan, folder: Path, *, resend: bool, dry_run: bool
) -> int:
    """Like :func:`_apply`, and the plan's notices go to the month's outbox folder.

    The messages and the index are rendered, and the folder tried, before the
    sheet is written: a broken template or a folder that cannot be written
    stops the command with nothing written anywhere. Returns how many message
    files are (or, in a dry run, would be) written.
    """
    rendered = _render(run, plan, folder, resend=resend)
    if rendered is not None and not dry_run:
        rendered.check_writable()
    apply_plan(run, plan, dry_run=dry_run)
    if rendered is None:
        return 0
    if not dry_run:
        rendered.write()
    return rendered.new_files


def _render(
    run: _Run, plan: Plan, folder: Path, *, resend: bool
) -> RenderedMonth | None:
    """The month folder's files as they will be once ``plan`` is written; ``None``
    with no notices and no folder yet."""
    from pixely_benefits.clickup_sync import sheet_identity
    from pixely_benefits.ledger import pending_after
    from pixely_benefits.outbox import month_folder, render_month

    if not plan.notices and not month_folder(folder, run.month).is_dir():
        return None
    settings = run.data.settings
    return render_month(
        plan.notices,
        folder,
        run.month,
        settings,
        resend=resend,
        now=_aware(run.now, settings),
        sheet=sheet_identity(run.store),
        open_ids=pending_after(run.data, run.month, plan.changes),
        command=common.suggest(run.ctx),
    )


def _refresh_index(run: _Run, plan: Plan) -> None:
    """After ``sent``, ``cancel`` or ``deliver``, rebuild the month's index.html
    in the outbox, if there is one, so that it lists only what is still pending.

    The sheet is already written: a fault here is a warning, not a failure.
    """
    from pixely_benefits.errors import PixelyError
    from pixely_benefits.ledger import Plan as LedgerPlan
    from pixely_benefits.outbox import INDEX_FILE, month_folder
    from pixely_benefits.settings import get_settings

    if not plan.changes:
        return
    folder = get_settings().outbox
    if not (month_folder(folder, run.month) / INDEX_FILE).is_file():
        return
    try:
        rendered = _render(run, LedgerPlan(changes=plan.changes), folder, resend=False)
        if rendered is not None:
            rendered.write()
    except PixelyError as error:
        common.err_console.print(
            f"[yellow]Aviso:[/] no se pudo actualizar «{INDEX_FILE}» de la carpeta "
            f"de avisos: {escape(error.message)}",
            soft_wrap=True,
        )


_MARKS = {"hecho": "[green]✓[/]", "sin cambios": "[dim]·[/]", "omitido": "[yellow]✗[/]"}


def _show(run: _Run, outcomes: list[Outcome]) -> None:
    out = common.console
    for outcome in outcomes:
        client = run.data.client(outcome.client_id)
        who = f"{outcome.client_id} {client.name}" if client else outcome.client_id
        mark = _MARKS[outcome.result.value]
        message = common.suggest_in(run.ctx, outcome.message)
        out.print(f"{mark} {escape(who)}: {escape(message)}", soft_wrap=True)
        for warning in outcome.warnings:
            out.print(f"    [yellow]aviso:[/] {escape(warning)}", soft_wrap=True)


def exit_for(plan: Plan) -> None:
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
    dry_run: common.DryRunOption = False,
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
    folder: common.OutboxOption = None,
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
    from pixely_benefits.ledger_plan import plural
    from pixely_benefits.settings import get_settings
    from pixely_benefits.sheet.schema import HISTORY
    from pixely_benefits.status import creation_times

    chosen = run_cli.limits(rate, most)
    if send and not dry_run:
        run_cli.check_mail()
        ctx.with_resource(run_cli.send_lock())
    run = start_run(ctx, month, history=True)
    plan = plan_notify(
        run.data,
        run.month,
        run.now,
        common.user_name(),
        clients=clients or (),
        resend=resend,
        created=creation_times(run.loaded.tabs.get(HISTORY.name)),
        dry_run=dry_run,
    )
    out = common.console
    if dry_run:
        out.print("[bold]Simulación[/] (--dry-run): esto es lo que se haría.")
    outbox = folder or get_settings().outbox
    target = outbox / str(run.month)
    files = apply_with_notices(run, plan, outbox, resend=resend, dry_run=dry_run)
    created = plan.count(Result.DONE)
    made = plural(files, "mensaje nuevo", "mensajes nuevos")
    where = escape(str(target))
    if dry_run:
        out.print(
            f"\n[bold]Simulación:[/] no se escribió nada. Se crearían "
            f"{plural(created, 'fila', 'filas')} en Entregas y se prepararían {made} "
            f"en «{where}».",
            soft_wrap=True,
        )
        exit_for(plan)
    out.print(
        f"\n[bold]{run.month}:[/] {plural(created, 'fila nueva', 'filas nuevas')} en "
        f"Entregas; {made} en «{where}».",
        soft_wrap=True,
    )
    if send:
        failed = run_cli.send_prepared(run.store, run.loaded, plan, target, chosen, ctx)
        raise typer.Exit(1 if failed or plan.failed else 0)
    if plan.to_confirm:
        ids = dict.fromkeys(plan.to_confirm)
        command = common.suggest(ctx, "sent", *ids, "--month", str(run.month))
        out.print(
            f"Abre «{escape(str(target / 'index.html'))}» para enviarlos uno a uno y, "
            f"cuando los envíes, confírmalo con: {escape(command)}",
            soft_wrap=True,
        )
    exit_for(plan)


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
            help="Canal usado: correo, whatsapp o ambos (el cliente debe tenerlo). "
            "Por omisión, los canales que tiene el cliente.",
            show_default=False,
            case_sensitive=False,
        ),
    ] = None,
    benefit: Annotated[
        str | None,
        typer.Option(
            "--beneficio",
            help="Código del beneficio cuyo aviso enviaste, p. ej. "
            "acceso-preferencial para una invitación a una promoción. Por omisión, "
            "el aviso mensual.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Confirma que enviaste los avisos: la fila del mes pasa a «notificado».

    Por omisión confirma el aviso mensual de cada cliente; las invitaciones a
    promociones se confirman con --beneficio y el código del beneficio de
    campaña. Guarda la fecha de hoy, el canal y la fecha límite (hoy + «Plazo
    (días)» del beneficio).

    Sale con 0 si todo quedó hecho (o ya lo estaba), 1 si algún cliente no tiene
    ese aviso pendiente (el motivo aparece en la lista) y 2 si el comando no pudo
    ejecutarse (por ejemplo, un ID que no existe).
    """
    from pixely_benefits.ledger import plan_sent
    from pixely_benefits.records import Channel

    run = start_run(ctx, month)
    chosen = Channel(channel.value) if channel else None
    plan = plan_sent(
        run.data,
        clients,
        run.month,
        run.now,
        common.user_name(),
        channel=chosen,
        benefit_code=benefit,
    )
    apply_plan(run, plan)
    _refresh_index(run, plan)
    exit_for(plan)


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
        common.month_option(
            "Mes de la entrega, AAAA-MM. Por omisión, la entrega abierta de ese "
            "beneficio (de cualquier mes) o, si no hay, el mes en curso."
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

    run = start_run(ctx, month)
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
    apply_plan(run, plan)
    _refresh_index(run, plan)
    exit_for(plan)


@app.command()
def cancel(
    ctx: typer.Context,
    client: Annotated[str, typer.Argument(help="ID del cliente.")],
    reason: Annotated[
        str,
        typer.Option("--motivo", help="Por qué se cancela; se añade a «Notas»."),
    ],
    month: Annotated[
        str | None,
        common.month_option(
            "Mes de la fila a cancelar, AAAA-MM. Por omisión, el mes en curso."
        ),
    ] = None,
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
    run = start_run(ctx, month)
    plan = plan_cancel(
        run.data,
        client,
        run.month,
        reason,
        run.now,
        common.user_name(),
        benefit_code=benefit,
    )
    apply_plan(run, plan)
    _refresh_index(run, plan)
    exit_for(plan)


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

    run = start_run(ctx, month, history=True)
    created = creation_times(run.loaded.tabs.get(HISTORY.name))
    report = status_report(run.data, run.month, run.now, created)
    if output is tracking.Format.json:
        tracking.write_status_json(run.data, report)
    else:
        _show_status(run.data, report)
        tracking.print_scorecard(run.data, report)
    common.summarise_problems(run.loaded.problems, ctx)


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
                f"{s.row.label} ({name(s.row.client_id, s.row.client)}): "
                f"pendiente desde el {s.since:%d/%m/%Y}, CM {s.row.cm or '—'}"
                for s in report.stale
            ],
        ),
        (
            "Entregas vencidas",
            [
                f"{r.label} ({name(r.client_id, r.client)}): fecha límite "
                f"{r.due:%d/%m/%Y}, {r.state.value}, CM {r.cm or '—'}"
                for r in report.late
            ],
        ),
        (
            "Seguimientos por hacer",
            [
                f"{r.label} ({name(r.client_id, r.client)}): seguimiento el "
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
            # the counts above are of the month; these lists, of every month
            out.print(f"\n[bold]{title}, de cualquier mes ({len(lines)}):[/]")
            for line in lines:
                out.print(f"  {escape(line)}", soft_wrap=True)
