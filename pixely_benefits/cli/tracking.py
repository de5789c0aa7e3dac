"""Keeping track after a delivery: ``followups``, ``followup-done`` and the per-CM
view that ``status`` shows."""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from pixely_benefits.cli import common
from pixely_benefits.cli.app import app

if TYPE_CHECKING:
    from pixely_benefits.followups import DueFollowup
    from pixely_benefits.records import ControlData
    from pixely_benefits.status import StatusReport


class Format(StrEnum):
    table = "table"
    json = "json"


FOLLOWUPS_HELP = (
    "Lista los seguimientos por hacer: entregas cuya fecha de «Seguimiento» ya "
    "llegó (de cualquier mes), la más antigua primero."
    "\n\n"
    "Regístralos con «pixely followup-done». Sale con 0 siempre que pudo leer la "
    "hoja, para que cron pueda enviar la lista por correo."
)


@app.command(help=FOLLOWUPS_HELP)
def followups(
    ctx: typer.Context,
    until: Annotated[
        str | None,
        typer.Option(
            "--hasta",
            help="Incluye también los que tocan hasta esta fecha (AAAA-MM-DD). Por "
            "omisión, hoy: los vencidos y los de hoy.",
            metavar="FECHA",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Format,
        typer.Option("--format", "-f", help="table (tabla, por omisión) o json."),
    ] = Format.table,
) -> None:
    """List the delivered rows whose follow-up date has come."""
    from pixely_benefits.clock import now
    from pixely_benefits.followups import due_followups

    limit = common.parse_day(until, "--hasta")
    loaded = common.load(ctx)
    today = now(loaded.data.settings).date()
    found = due_followups(loaded.data, limit or today, today)
    if output is Format.json:
        sys.stdout.write(
            json.dumps([f.as_json() for f in found], ensure_ascii=False) + "\n"
        )
    else:
        _print_followups(ctx, found, limit or today, today)
    common.summarise_problems(loaded.problems, ctx)


def _when(days_late: int) -> str:
    if days_late == 0:
        return "hoy"
    if days_late > 0:
        return f"hace {days_late} día{'s' if days_late > 1 else ''}"
    ahead = -days_late
    return f"en {ahead} día{'s' if ahead > 1 else ''}"


def _print_followups(
    ctx: typer.Context, found: list[DueFollowup], until: date, today: date
) -> None:
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    out = common.console
    if not found:
        out.print(f"[green]No hay seguimientos pendientes[/] al {until:%d/%m/%Y}.")
        return
    table = Table(
        title=f"Seguimientos hasta el {until:%d/%m/%Y} (hoy {today:%d/%m/%Y})",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
    )
    table.add_column("Fecha", no_wrap=True)
    table.add_column("Cuándo", no_wrap=True)
    table.add_column("Cliente", min_width=16)
    table.add_column("Beneficio (mes)", min_width=16)
    table.add_column("CM", no_wrap=True)
    for f in found:
        assert f.row.followup is not None
        table.add_row(
            f"{f.row.followup:%d/%m/%Y}",
            _when(f.days_late),
            escape(f"{f.row.client_id} {f.client}"),
            escape(f"{f.row.benefit} ({f.row.month})"),
            escape(f.cm or "—"),
            style="bold" if f.days_late > 0 else None,
        )
    out.print(table)
    command = common.suggest(ctx, "followup-done")
    out.print(
        f'Cuando lo hagas: {escape(command)} CLIENTE BENEFICIO --note "qué se habló"',
        soft_wrap=True,
    )


FOLLOWUP_DONE_HELP = (
    "Registra que hiciste el seguimiento de una entrega."
    "\n\n"
    "En la fila de Entregas se añade a «Notas» la línea «Seguimiento del <fecha> "
    "hecho el <hoy>: <nota>» y se vacía «Seguimiento», así sale de «pixely "
    "followups» y de «pixely status»; con --siguiente queda la nueva fecha. El "
    "Historial guarda la fecha que tocaba."
    "\n\n"
    "Si ese seguimiento ya estaba registrado, con --siguiente solo se fija la "
    "fecha del próximo (y la nota); sin --siguiente no se cambia nada."
    "\n\n"
    "Sale con 0 si quedó registrado (o no había nada pendiente), 1 si no hay una "
    "entrega de ese beneficio y 2 si el comando no pudo ejecutarse."
)


@app.command("followup-done", help=FOLLOWUP_DONE_HELP)
def followup_done(
    ctx: typer.Context,
    client: Annotated[
        str,
        typer.Argument(help="ID del cliente.", metavar="CLIENTE", show_default=False),
    ],
    benefit: Annotated[
        str,
        typer.Argument(
            help="Código del beneficio entregado, p. ej. consultoria-negocio.",
            metavar="BENEFICIO",
            show_default=False,
        ),
    ],
    note: Annotated[
        str,
        typer.Option(
            "--note",
            "--nota",
            help="Qué se habló o acordó; se añade a «Notas» con la fecha.",
            show_default=False,
        ),
    ],
    month: Annotated[
        str | None,
        common.month_option(
            "Mes de la entrega, AAAA-MM, si el cliente tiene seguimientos de ese "
            "beneficio en varios meses."
        ),
    ] = None,
    next_date: Annotated[
        str | None,
        typer.Option(
            "--siguiente",
            help="Fecha de otro seguimiento acordado (AAAA-MM-DD): queda en la "
            "columna «Seguimiento» en lugar de vaciarla.",
            metavar="FECHA",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Record a follow-up as done, or schedule the next one."""
    from pixely_benefits.cli import monthly
    from pixely_benefits.followups import plan_followup_done

    chosen = common.parse_month(month)
    following = common.parse_day(next_date, "--siguiente")
    run = monthly.start_run(ctx, month)
    plan = plan_followup_done(
        run.data,
        client,
        benefit,
        note,
        run.now,
        common.user_name(),
        month=chosen,
        next_date=following,
    )
    monthly.apply_plan(run, plan)
    monthly.exit_for(plan)


def write_status_json(data: ControlData, report: StatusReport) -> None:
    """``status --format json``: one object with everything the table shows."""
    from pixely_benefits.scorecard import scorecard, status_json

    scores = scorecard(data, report.month, report.today)
    sys.stdout.write(json.dumps(status_json(report, scores), ensure_ascii=False) + "\n")


def print_scorecard(data: ControlData, report: StatusReport) -> None:
    """The per-CM table of ``status``: notified, on time, late and the rate."""
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    from pixely_benefits.scorecard import scorecard, total

    scores = scorecard(data, report.month, report.today)
    out = common.console
    if not scores:
        out.print(f"\n[bold]Por CM ({report.month}):[/] no hay entregas en el mes.")
        return
    table = Table(
        title=f"Por CM ({report.month})",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
    )
    table.add_column("CM")
    for title in ("Filas", "Notificados", "Entregados", "A tiempo", "Tarde"):
        table.add_column(title, justify="right")
    table.add_column("% a tiempo", justify="right")
    lines = [*scores, total(scores)] if len(scores) > 1 else scores
    for index, score in enumerate(lines):
        rate = score.on_time_rate
        table.add_row(
            escape(score.cm),
            str(score.rows),
            str(score.notified),
            str(score.delivered),
            str(score.on_time),
            str(score.late),
            "—" if rate is None else f"{rate:.0%}",
            style="bold" if len(scores) > 1 and index == len(scores) else None,
        )
    out.print()
    out.print(table)
    out.print(
        "Tarde: entregados después de la fecha límite, o sin entregar con la fecha "
        "límite ya pasada.",
        soft_wrap=True,
    )
