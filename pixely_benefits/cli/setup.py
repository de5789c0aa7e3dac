"""``pixely init``: a new control sheet."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pixely_benefits.cli import common
from pixely_benefits.cli.app import app

if TYPE_CHECKING:
    from pixely_benefits.sheet.schema import TabSpec
    from pixely_benefits.starter import Row


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
        common.month_option(
            "Con --demo: mes (AAAA-MM) para el que se preparan los datos de ejemplo."
        ),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option(
            "--sheet",
            "-s",
            help="Hoja a preparar: un .xlsx nuevo, o la URL o el ID de una hoja de "
            "Google ya creada, a la que se añaden las pestañas y encabezados que "
            "falten sin tocar lo que tiene.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Crea una hoja de control nueva con todas las pestañas, encabezados y catálogo.

    Nunca sobrescribe un archivo que ya existe. Con una hoja de Google (--sheet URL)
    solo añade las pestañas y encabezados que falten; el catálogo y la
    configuración inicial van solo en las pestañas que crea.
    """
    from rich.markup import escape

    from pixely_benefits.clock import current_month
    from pixely_benefits.records import BusinessSettings
    from pixely_benefits.sheet import google_key
    from pixely_benefits.sheet.workbook_init import create_workbook
    from pixely_benefits.starter import demo_tabs, starter_tabs

    if month is not None and not demo:
        raise typer.BadParameter(
            "--month solo sirve con --demo: quítalo, o añade --demo para una hoja "
            "con datos de ejemplo de ese mes."
        )
    location = str(path) if path else sheet or common.sheet_location(ctx)
    chosen = common.parse_month(month) or current_month(BusinessSettings())
    tabs = demo_tabs(chosen) if demo else starter_tabs()
    key = google_key(location)
    if key is not None:
        _init_google(key, tabs)
        return
    target = Path(location)
    if target.suffix.lower() != ".xlsx":
        raise typer.BadParameter(f"«{target}» debe terminar en .xlsx.")
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
        f"Siguiente paso: pixely{sheet_opt} eligible{month_opt} --all",
        markup=False,
        soft_wrap=True,
    )


def _init_google(key: str, tabs: Sequence[tuple[TabSpec, Sequence[Row]]]) -> None:
    from rich.markup import escape

    from pixely_benefits.sheet.google import URL, GoogleStore

    store = GoogleStore(key)
    done = store.prepare(tabs)
    out = common.console
    if not done.created and not done.headers:
        out.print(
            f"La hoja {escape(store.label)} ya tenía todas las pestañas y encabezados: "
            "no se cambió nada.",
            soft_wrap=True,
        )
    if done.created:
        out.print(
            f"[green]Pestañas creadas[/] en {escape(store.label)}: "
            f"{escape(', '.join(done.created))}.",
            soft_wrap=True,
        )
    for title, headers in done.headers.items():
        out.print(
            f"[green]Encabezados añadidos[/] al final de «{escape(title)}»: "
            f"{escape(', '.join(headers))}.",
            soft_wrap=True,
        )
    out.print(
        f"Siguiente paso: pixely --sheet {URL.format(key=key)} check",
        markup=False,
        soft_wrap=True,
    )
