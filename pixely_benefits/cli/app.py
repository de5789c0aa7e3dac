"""The Typer application, its global options and its single error handler."""

from __future__ import annotations

from typing import Annotated, Any

import typer
import typer.rich_utils
from typer.core import TyperGroup

from pixely_benefits.cli import common

# The help screens speak Spanish, like everything else a CM reads.
typer.rich_utils.OPTIONS_PANEL_TITLE = "Opciones"
typer.rich_utils.COMMANDS_PANEL_TITLE = "Comandos"
typer.rich_utils.ARGUMENTS_PANEL_TITLE = "Argumentos"
typer.rich_utils.REQUIRED_LONG_STRING = "[obligatorio]"
typer.rich_utils.DEFAULT_STRING = "[por omisión: {}]"
typer.rich_utils.ENVVAR_STRING = "[variable: {}]"
_HELP_TEXT = "Muestra esta ayuda y sale."


def _spanish_help_option(command: Any, ctx: typer.Context) -> None:
    option = command.get_help_option(ctx)
    if option is not None:
        option.help = _HELP_TEXT


class _Group(TyperGroup):
    """Run a command and turn the project's errors into a line and an exit code."""

    def get_help_option(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = _HELP_TEXT
        return option

    def get_command(self, ctx: typer.Context, name: str) -> Any:  # type: ignore[override]
        command = super().get_command(ctx, name)
        if command is not None:
            _spanish_help_option(command, ctx)
        return command

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
