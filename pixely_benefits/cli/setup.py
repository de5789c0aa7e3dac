"""``pixely init``: a new control sheet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pixely_benefits.cli import common
from pixely_benefits.cli.app import app


@app.command()
def init(
    ctx: typer.Context,
    path: Annotated[
        Path | None,
        typer.Argument(
            help="Archivo .xlsx a crear. Por omisión, la hoja de --sheet o beneficios.xlsx.",
            show_default=False,
        ),
    ] = None,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo", help="Llena la hoja con unos 15 clientes inventados, para probar."
        ),
    ] = False,
    month: Annotated[
        str | None,
        typer.Option(
            "--month",
            "-m",
            help="Con --demo: mes (AAAA-MM) para el que se preparan los datos de ejemplo.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Crea una hoja de control nueva con todas las pestañas, encabezados y catálogo.

    Nunca sobrescribe un archivo que ya existe.
    """
    from rich.markup import escape

    from pixely_benefits.clock import current_month
    from pixely_benefits.records import BusinessSettings
    from pixely_benefits.sheet.workbook_init import create_workbook
    from pixely_benefits.starter import demo_tabs, starter_tabs

    target = path or Path(common.sheet_location(ctx))
    if target.suffix.lower() != ".xlsx":
        raise typer.BadParameter(f"«{target}» debe terminar en .xlsx.")
    chosen = common.parse_month(month) or current_month(BusinessSettings())
    tabs = demo_tabs(chosen) if demo else starter_tabs()
    create_workbook(target, tabs)
    what = (
        f"con datos de ejemplo para {chosen}"
        if demo
        else "vacía, con el catálogo inicial"
    )
    common.console.print(
        f"[green]Hoja de control creada[/] en «{escape(str(target))}» {what}."
    )
    shown = f'"{target}"' if " " in str(target) else str(target)
    sheet_opt = "" if target == Path("beneficios.xlsx") else f" --sheet {shown}"
    month_opt = f" --month {chosen}" if demo else ""
    common.console.print(
        f"Siguiente paso: pixely{sheet_opt} eligible{month_opt} --all", markup=False
    )
