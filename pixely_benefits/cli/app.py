"""The Typer application, its global options and its single error handler."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from pixely_benefits.cli import common


class _Group(TyperGroup):
    """Run a command and turns the project's errors into a line and an exit code."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        from pixely_benefits.errors import PixelyError

        try:
            return super().invoke(ctx)
        except PixelyError as error:
            common.fail(error)
            raise typer.Exit(error.exit_code) from None


app = typer.Typer(
    cls=_Group,
    name="pixely",
    help=(
        "Gestiona los beneficios por continuidad de Pixely desde la hoja de control: "
        "quién recibe qué beneficio cada mes, avisos y registro de entregas."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _global_options(
    ctx: typer.Context,
    sheet: Annotated[
        str | None,
        typer.Option(
            "--sheet",
            "-s",
            help=(
                "Hoja de control: ruta a un .xlsx, URL de Google Sheets o ID de la hoja. "
                "Si no se indica: PIXELY_SHEET, y si no, beneficios.xlsx en esta carpeta."
            ),
            show_default=False,
        ),
    ] = None,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v", help="Muestra detalles de lo que hace (depuración)."
        ),
    ] = False,
) -> None:
    common.setup_logging(verbose)
    ctx.obj = common.State(sheet=sheet, verbose=verbose)
