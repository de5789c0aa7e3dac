"""``pixely clickup check`` and ``sync``, and the ClickUp step of the monthly commands.

ClickUp is optional: it is on when ``PIXELY_CLICKUP_TOKEN`` is set. Off, the
monthly commands call :func:`after_write`, which returns at once and imports
nothing of ClickUp.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from pixely_benefits.cli import common
from pixely_benefits.cli.app import app

if TYPE_CHECKING:
    from pixely_benefits.clickup_sync import SyncReport
    from pixely_benefits.records import ControlData
    from pixely_benefits.sheet.base import ChangeSet, Store

clickup_app = typer.Typer(
    help=(
        "Sincroniza con ClickUp (opcional, con PIXELY_CLICKUP_TOKEN): cada aviso, "
        "entrega, cancelación y seguimiento se comenta en la tarea del cliente."
    ),
    no_args_is_help=True,
)
app.add_typer(clickup_app, name="clickup")


def after_write(
    store: Store,
    data: ControlData,
    changes: ChangeSet,
    ctx: typer.Context | None = None,
) -> None:
    """Tell ClickUp what a command just wrote to the sheet, and show how it went.

    Does nothing when ClickUp is off. A ClickUp failure never undoes or stops
    the sheet update: it is shown, stays owed and is sent on the next run.
    """
    from pixely_benefits.settings import get_settings

    token = get_settings().clickup_token
    if token is None or not token.get_secret_value().strip():
        return
    from pixely_benefits.clickup_sync import sync_after_write
    from pixely_benefits.errors import PixelyError

    try:
        report = sync_after_write(store, data, changes, get_settings())
    except (PixelyError, OSError) as error:
        why = error.message if isinstance(error, PixelyError) else error.strerror
        common.err_console.print(
            f"[yellow]ClickUp:[/] no se pudo sincronizar ({escape(str(why))}); la hoja "
            "sí quedó actualizada y lo pendiente se enviará en la próxima ejecución o "
            f"con «{escape(_sync_command(ctx))}».",
            soft_wrap=True,
        )
        return
    if report is not None:
        _show(report, ctx)


@clickup_app.command()
def check(ctx: typer.Context) -> None:
    """Comprueba el token (PIXELY_CLICKUP_TOKEN) y la lista (PIXELY_CLICKUP_LIST).

    Nunca muestra el token. Sale con 0 si ClickUp acepta el token y encuentra la
    lista, 1 si algo falla y 2 si falta el token.
    """
    from pixely_benefits.clickup import ClickUpError
    from pixely_benefits.clickup_journal import Journal
    from pixely_benefits.clickup_sync import client_from
    from pixely_benefits.settings import get_settings

    settings = get_settings()
    clickup = client_from(settings)
    out = common.console
    ok = True
    try:
        user = clickup.user()
        out.print(
            f"[green]✓[/] Token válido: usuario «{escape(user)}».", soft_wrap=True
        )
    except ClickUpError as error:
        out.print(f"[red]✗[/] {escape(error.message)}", soft_wrap=True)
        raise typer.Exit(1) from None
    if not settings.clickup_list:
        ok = False
        out.print(
            "[yellow]✗[/] Falta PIXELY_CLICKUP_LIST: sin ella no se pueden crear tareas "
            "para los clientes sin tarea en la columna ClickUp.",
            soft_wrap=True,
        )
    else:
        try:
            name = clickup.list_name(settings.clickup_list)
            out.print(
                f"[green]✓[/] Lista «{escape(name)}» (ID {escape(settings.clickup_list)}).",
                soft_wrap=True,
            )
        except ClickUpError as error:
            ok = False
            out.print(f"[red]✗[/] {escape(error.message)}", soft_wrap=True)
    owed = Journal.default(settings).count_owed()
    if owed:
        out.print(
            f"Hay {owed} comentarios pendientes de enviar a ClickUp: envíalos con "
            f"«{escape(_sync_command(ctx))}».",
            soft_wrap=True,
        )
    raise typer.Exit(0 if ok else 1)


@clickup_app.command()
def sync(ctx: typer.Context) -> None:
    """Envía a ClickUp lo que quedó pendiente de ejecuciones anteriores.

    Los comandos del mes (sent, deliver, cancel...) ya lo intentan solos; este
    comando sirve para reintentar sin cambiar la hoja. Sale con 0 si no queda nada
    pendiente, 1 si algo sigue pendiente y 2 si falta el token o no se pudo leer
    la hoja.
    """
    from pixely_benefits.clickup_journal import Journal
    from pixely_benefits.clickup_sync import client_from, sync
    from pixely_benefits.settings import get_settings

    settings = get_settings()
    clickup = client_from(settings)
    from pixely_benefits.loading import load

    store = common.store(ctx)
    loaded = load(store)
    report = sync(
        store,
        loaded.data,
        (),
        clickup=clickup,
        journal=Journal.default(settings),
        list_id=settings.clickup_list,
    )
    common.summarise_problems(loaded.problems, ctx)
    if report.sent == 0 and report.owed == 0 and not report.busy:
        common.console.print("ClickUp está al día: no hay nada pendiente.")
    else:
        _show(report, ctx)
    raise typer.Exit(1 if report.owed or report.busy or report.store_error else 0)


def _show(report: SyncReport, ctx: typer.Context | None) -> None:
    out = common.console
    if report.sent:
        parts = []
        if report.comments:
            noun = "comentario" if report.comments == 1 else "comentarios"
            parts.append(f"{report.comments} {noun}")
        if report.tasks:
            noun = "tarea nueva" if len(report.tasks) == 1 else "tareas nuevas"
            ids = ", ".join(report.tasks)
            parts.append(f"{len(report.tasks)} {noun} (clientes {ids})")
        out.print(f"ClickUp: {' y '.join(parts)}.", soft_wrap=True)
    for failure in report.failures:
        common.err_console.print(
            f"[yellow]ClickUp:[/] {escape(failure.delivery_id)}: "
            f"{escape(failure.message)}",
            soft_wrap=True,
        )
    if report.busy:
        common.err_console.print(
            "[yellow]ClickUp:[/] otra ejecución está enviando a ClickUp; lo pendiente se "
            "enviará en la próxima.",
            soft_wrap=True,
        )
    elif report.owed:
        noun = (
            "queda 1 envío pendiente"
            if report.owed == 1
            else (f"quedan {report.owed} envíos pendientes")
        )
        common.err_console.print(
            f"[yellow]ClickUp:[/] {noun}; se reintentará en la próxima ejecución o con "
            f"«{escape(_sync_command(ctx))}».",
            soft_wrap=True,
        )
    if report.store_error:
        common.err_console.print(
            "[yellow]ClickUp:[/] no se pudo guardar el ID de la tarea nueva en "
            f"«Clientes» ({escape(report.store_error)}); se guardará en la próxima "
            "ejecución.",
            soft_wrap=True,
        )


def _sync_command(ctx: typer.Context | None) -> str:
    """``pixely clickup sync`` as the user should type it (with ``--sheet``)."""
    return common.suggest(ctx, "clickup", "sync") if ctx else "pixely clickup sync"
