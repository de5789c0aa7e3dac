"""``pixely report``: the pre-filled deliverable and checklist of a benefit."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from pixely_benefits.cli import common
from pixely_benefits.cli.app import app


class Formato(StrEnum):
    md = "md"
    html = "html"
    docx = "docx"


REPORT_HELP = (
    "Prepara el entregable de un beneficio para un cliente: datos ya completos, las "
    "secciones que pide su procedimiento y la lista de verificación."
    "\n\n"
    "La fecha límite sale de la fila del cliente en Entregas para ese mes, en "
    "cualquier estado; si no hay fila o no tiene Fecha límite, se estima como hoy "
    "más el Plazo (días) del beneficio."
    "\n\n"
    "Si el cliente no tiene fila del beneficio ese mes, o no es elegible para él, "
    "lo avisa y prepara el documento igual, para adelantar trabajo."
    "\n\n"
    "El formato es el de --formato; si no se indica, el de la extensión de --salida "
    "(.md, .html o .docx; otra extensión se rechaza), y si no, docx (md con "
    "«--salida -»)."
)


@app.command(help=REPORT_HELP)
def report(
    ctx: typer.Context,
    benefit: Annotated[
        str,
        typer.Argument(
            help="Código del beneficio (columna Código de Beneficios), p. ej. "
            "estudio-mercado.",
            metavar="BENEFICIO",
            show_default=False,
        ),
    ],
    client: Annotated[
        str,
        typer.Option(
            "--client",
            "-c",
            help="ID del cliente (columna ID de Clientes).",
            metavar="ID",
            show_default=False,
        ),
    ],
    month: Annotated[
        str | None,
        common.month_option(
            "Mes del beneficio, AAAA-MM. Por omisión, el mes en curso."
        ),
    ] = None,
    fmt: Annotated[
        Formato | None,
        typer.Option(
            "--formato",
            "-f",
            help="docx (Word y Google Docs), html (para imprimir o guardar como "
            "PDF) o md (Markdown). Por omisión, el de la extensión de --salida; si "
            "no, docx, o md con «--salida -».",
            show_default=False,
        ),
    ] = None,
    target: Annotated[
        str | None,
        typer.Option(
            "--salida",
            "-o",
            help="Archivo (.md, .html o .docx) o carpeta donde guardarlo; «-» lo "
            "muestra en pantalla (md y html). Por omisión: <carpeta de "
            "salida>/AAAA-MM/informes/.",
            metavar="RUTA",
            show_default=False,
        ),
    ] = None,
    on: Annotated[
        str | None,
        typer.Option(
            "--fecha",
            help="Fecha de hoy (AAAA-MM-DD) para estimar la fecha límite cuando la "
            "fila del beneficio en Entregas no la tiene o no existe. Por omisión, "
            "hoy.",
            metavar="FECHA",
            show_default=False,
        ),
    ] = None,
    promotion: Annotated[
        str | None,
        typer.Option(
            "--promo",
            help="Código de Promociones que ofrece la invitación de acceso "
            "preferencial. Por omisión, todas las vigentes.",
            metavar="CODIGO",
            show_default=False,
        ),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--reemplazar",
            help="Sobrescribe el archivo si ya existe (puede tener trabajo hecho).",
        ),
    ] = False,
) -> None:
    """Build the deliverable and save it (or show it); warnings go to stderr."""
    from rich.markup import escape

    from pixely_benefits.clock import now
    from pixely_benefits.reports import (
        ReportFormat,
        build_report,
        choose_format,
        output_path,
        render_report,
        save_report,
    )
    from pixely_benefits.settings import get_settings

    chosen_month = common.parse_month(month)
    day = common.parse_day(on)
    loaded = common.load(ctx)
    data = loaded.data
    today = day or now(data.settings).date()
    if chosen_month is None:
        from pixely_benefits.months import Month

        chosen_month = Month.of(today)
    settings = get_settings()
    to_screen = target == "-"
    path = None if target is None or to_screen else Path(target).expanduser()
    chosen = choose_format(
        ReportFormat(fmt.value) if fmt else None, path, screen=to_screen
    )
    if to_screen and chosen is ReportFormat.DOCX:
        raise typer.BadParameter(
            "un .docx no se puede mostrar en pantalla: usa --formato md o html, o "
            "indica un archivo en --salida."
        )
    document = build_report(
        data,
        client,
        benefit,
        chosen_month,
        today,
        promotion=promotion,
        templates=settings.templates,
    )
    content = render_report(document, chosen, templates=settings.templates)
    if to_screen:
        sys.stdout.write(content.decode("utf-8"))
    else:
        saved = output_path(path, settings.outbox, document, chosen)
        save_report(content, saved, replace=replace)
        common.console.print(
            f"[green]Informe guardado[/] en «{escape(str(saved))}».", soft_wrap=True
        )
    for warning in document.warnings:
        common.err_console.print(f"[yellow]Aviso:[/] {escape(warning)}", soft_wrap=True)
    common.summarise_problems(loaded.problems, ctx)
