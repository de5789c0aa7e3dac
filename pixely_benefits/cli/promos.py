"""``pixely promo``: promotions for loyal clients (``campaña`` benefits)."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pixely_benefits.cli import common
from pixely_benefits.cli.app import app

if TYPE_CHECKING:
    from pixely_benefits.promotions import Invitation, PromotionSummary

promo_app = typer.Typer(
    help=(
        "Promociones para clientes fieles (pestaña Promociones): listarlas, invitar a "
        "quienes califican y registrar quién acepta. Cada invitación es una fila del "
        "beneficio de campaña en Entregas, con «Promoción: CÓDIGO» en Notas."
    ),
    no_args_is_help=True,
)
app.add_typer(promo_app, name="promo")

CodeArgument = Annotated[
    str,
    typer.Argument(
        help="Código de la promoción (columna Código de Promociones).",
        metavar="CODIGO",
        show_default=False,
    ),
]


class ListFormat(StrEnum):
    table = "table"
    json = "json"


LIST_HELP = (
    "Lista las promociones: vigencia, meses continuos que pide cada una, clientes "
    "que califican hoy, invitados y aceptados."
)


@promo_app.command("list", help=LIST_HELP)
def list_promotions(
    ctx: typer.Context,
    output: Annotated[
        ListFormat,
        typer.Option("--format", "-f", help="table (tabla, por omisión) o json."),
    ] = ListFormat.table,
) -> None:
    """List the promotions with their invitations so far."""
    from pixely_benefits.clock import now
    from pixely_benefits.promotions import summarise

    loaded = common.load(ctx)
    today = now(loaded.data.settings).date()
    summaries = summarise(loaded.data, today)
    if output is ListFormat.json:
        sys.stdout.write(
            json.dumps([s.as_json() for s in summaries], ensure_ascii=False) + "\n"
        )
    else:
        _print_summaries(summaries)
    common.summarise_problems(loaded.problems, ctx)


def _print_summaries(summaries: list[PromotionSummary]) -> None:
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    if not summaries:
        common.console.print(
            "No hay promociones: añádelas en la pestaña «Promociones» (Código, "
            "Promoción, Descripción, Vigente hasta, Meses mínimos)."
        )
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("Código", no_wrap=True)
    table.add_column("Promoción", min_width=12)
    table.add_column("Hasta", no_wrap=True)
    table.add_column("Meses", justify="right")
    table.add_column("Califican", justify="right")
    table.add_column("Invitados", justify="right")
    table.add_column("Aceptan", justify="right")
    for s in summaries:
        p = s.promotion
        until = p.valid_until.strftime("%d/%m/%Y") if p.valid_until else "sin fin"
        if s.expired:
            until += " (vencida)"
        table.add_row(
            escape(p.code),
            escape(p.name),
            until,
            _months(s),
            str(s.qualifying),
            str(s.invited),
            str(s.accepted),
            style="dim" if s.expired else None,
        )
    common.console.print(table)
    for s in summaries:
        if s.benefit is not None and s.benefit.min_months != s.promotion.min_months:
            common.console.print(
                f"* {escape(s.promotion.code)}: pide {s.required_months} meses "
                f"continuos, el mayor entre los {s.promotion.min_months} de la "
                f"promoción y los {s.benefit.min_months} del beneficio "
                f"«{escape(s.benefit.code)}».",
                soft_wrap=True,
            )


def _months(summary: PromotionSummary) -> str:
    """The minimum that counts, marked when the promotion's own is another."""
    promotion, benefit = summary.promotion, summary.benefit
    differs = benefit is not None and benefit.min_months != promotion.min_months
    return f"{summary.required_months}{' *' if differs else ''}"


INVITE_HELP = (
    "Invita a una promoción a los clientes que califican, como notify."
    "\n\n"
    "Califica quien no está pausado ni cancelado y lleva al menos los «Meses "
    "mínimos» continuos de la promoción (y los del beneficio de campaña). Cada "
    "invitado recibe una fila «pendiente» del beneficio de campaña en Entregas y "
    "sus mensajes en la carpeta de salida; confírmalos con «pixely sent». Nadie es "
    "invitado dos veces a la misma promoción, y una promoción vencida se rechaza."
    "\n\n"
    "Sale con 0 si todo quedó hecho, 1 si algún cliente quedó sin invitación y 2 "
    "si el comando no pudo ejecutarse."
)


@promo_app.command(help=INVITE_HELP)
def invite(
    ctx: typer.Context,
    code: CodeArgument,
    clients: Annotated[
        list[str] | None,
        typer.Option(
            "--client",
            "--cliente",
            "-c",
            help="Solo este cliente (ID); se puede repetir. Por omisión, todos los "
            "que califican.",
            show_default=False,
        ),
    ] = None,
    dry_run: common.DryRunOption = False,
    resend: Annotated[
        bool,
        typer.Option(
            "--resend",
            help="Vuelve a generar los mensajes aunque ya existan; nunca invita dos "
            "veces.",
        ),
    ] = False,
    folder: common.OutboxOption = None,
    show_all: Annotated[
        bool,
        typer.Option("--all", "-a", help="Lista también quién no califica y por qué."),
    ] = False,
) -> None:
    """Invite the qualifying clients and prepare their messages."""
    from pixely_benefits.cli import monthly
    from pixely_benefits.promotions import plan_invite
    from pixely_benefits.settings import get_settings

    run = monthly.start_run(ctx, None)
    invitation = plan_invite(
        run.data,
        code,
        run.now,
        common.user_name(),
        clients=clients or (),
        resend=resend,
        dry_run=dry_run,
    )
    plan = invitation.plan
    if dry_run:
        common.console.print(
            "[bold]Simulación[/] (--dry-run): esto es lo que se haría."
        )
    outbox = folder or get_settings().outbox
    target = outbox / str(run.month)
    # Messages are rendered before the sheet is written: a broken template
    # stops the command with nothing written.
    files = monthly.apply_with_notices(
        run, plan, outbox, resend=resend, dry_run=dry_run
    )
    _print_invitation(
        ctx, invitation, target, files, dry_run=dry_run, show_all=show_all
    )
    monthly.exit_for(plan)


def _print_invitation(
    ctx: typer.Context,
    invitation: Invitation,
    target: Path,
    files: int,
    *,
    dry_run: bool,
    show_all: bool,
) -> None:
    from rich.markup import escape

    from pixely_benefits.ledger import Result
    from pixely_benefits.ledger_plan import plural

    out = common.console
    plan = invitation.plan
    if show_all and invitation.excluded:
        out.print("\n[bold]No califican:[/]")
        for client_id, reason in invitation.excluded:
            out.print(f"  {escape(client_id)}: {escape(reason)}", soft_wrap=True)
    created = plan.count(Result.DONE)
    promotion = escape(invitation.promotion.code)
    where = escape(str(target))
    if dry_run:
        out.print(
            f"\n[bold]Simulación:[/] no se escribió nada. Se invitaría a "
            f"{plural(created, 'cliente', 'clientes')} a «{promotion}»; "
            f"{len(invitation.excluded)} no {_qualify(len(invitation.excluded))}.",
            soft_wrap=True,
        )
        return
    out.print(
        f"\n[bold]{promotion}:[/] "
        f"{plural(created, 'invitación nueva', 'invitaciones nuevas')} en Entregas; "
        f"{plural(files, 'mensaje nuevo', 'mensajes nuevos')} en «{where}»; "
        f"{plural(len(invitation.excluded), 'cliente', 'clientes')} no "
        f"{_qualify(len(invitation.excluded))}"
        + ("" if show_all else " (--all los lista)")
        + ".",
        soft_wrap=True,
    )
    if plan.to_confirm:
        ids = dict.fromkeys(plan.to_confirm)
        code, month = invitation.benefit.code, str(invitation.month)
        command = common.suggest(
            ctx, "sent", *ids, "--beneficio", code, "--month", month
        )
        out.print(
            f"Abre «{escape(str(target / 'index.html'))}» para enviarlas y, cuando "
            f"las envíes, confírmalo con: {escape(command)}",
            soft_wrap=True,
        )


ACCEPT_HELP = (
    "Registra que un cliente aceptó la promoción: su invitación pasa a «aceptado»."
    "\n\n"
    "Después, registra la entrega con «pixely deliver». Sale con 0 si quedó "
    "registrado (o ya lo estaba), 1 si el cliente no tiene invitación abierta (el "
    "mensaje dice si califica y cómo invitarlo) y 2 si el comando no pudo "
    "ejecutarse (por ejemplo, una promoción vencida)."
)


@promo_app.command(help=ACCEPT_HELP)
def accept(
    ctx: typer.Context,
    code: CodeArgument,
    client: Annotated[
        str,
        typer.Option(
            "--client",
            "--cliente",
            "-c",
            help="ID del cliente que aceptó.",
            metavar="ID",
            show_default=False,
        ),
    ],
) -> None:
    """Mark the client's invitation accepted."""
    from pixely_benefits.cli import monthly
    from pixely_benefits.promotions import plan_accept

    run = monthly.start_run(ctx, None)
    plan = plan_accept(run.data, code, client, run.now, common.user_name())
    monthly.apply_plan(run, plan)
    monthly.exit_for(plan)


def _qualify(count: int) -> str:
    return "califica" if count == 1 else "califican"
