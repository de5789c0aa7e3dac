"""The Typer application, its global options and its single error handler."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
import typer.rich_utils
from typer.core import TyperGroup

from pixely_benefits.cli import common, spanish

# The help screens speak Spanish, like everything else a CM reads.
typer.rich_utils.OPTIONS_PANEL_TITLE = "Opciones"
typer.rich_utils.COMMANDS_PANEL_TITLE = "Comandos"
typer.rich_utils.ARGUMENTS_PANEL_TITLE = "Argumentos"
typer.rich_utils.REQUIRED_LONG_STRING = "[obligatorio]"
typer.rich_utils.DEFAULT_STRING = "[por omisión: {}]"
typer.rich_utils.ENVVAR_STRING = "[variable: {}]"
typer.rich_utils.ABORTED_TEXT = "Cancelado."

GLOBAL_OPTIONS = ("--sheet", "-s", "--verbose", "-v")


class _Group(TyperGroup):
    """The root command: Spanish usage errors, and the project's errors turned
    into one line and an exit code."""

    context_class = spanish.Context

    def get_command(self, ctx: typer.Context, name: str) -> Any:  # type: ignore[override]
        command = super().get_command(ctx, name)
        if command is not None:
            spanish.localize(command, ctx)
        return command

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        spanish.localize(self, ctx)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        from pixely_benefits.errors import PixelyError

        try:
            return super().invoke(ctx)
        except PixelyError as error:
            common.fail(error)
            raise typer.Exit(error.exit_code) from None

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the tool; click's usage errors are printed here, in Spanish.

        The libraries print them in English when they handle them, so they
        run in "not standalone" mode and hand every error over instead.
        """
        try:
            code = super().main(
                args, prog_name, complete_var, standalone_mode=False, **extra
            )
        except typer.Abort:
            common.err_console.print("Cancelado.")
            code = 1
        except typer.TyperException as error:  # click's usage errors
            _usage_error(error)
            code = getattr(error, "exit_code", 2)
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)


def _usage_error(error: typer.TyperException) -> None:
    """``Error: …`` in Spanish, the usage line and where to find the help."""
    from rich.markup import escape

    if type(error).__name__ == "NoArgsIsHelpError":
        return  # the help is on the screen already
    ctx: typer.Context | None = getattr(error, "ctx", None)
    message = spanish.translate(error.format_message())
    option = getattr(error, "option_name", None)
    if option in GLOBAL_OPTIONS and ctx is not None and ctx.parent is not None:
        command = ctx.command_path.removeprefix(ctx.find_root().command_path).strip()
        message += (
            f" Las opciones generales van antes del comando: "
            f"«pixely {option} … {command} …»."
        )
    out = common.err_console
    out.print(f"[bold red]Error:[/] {escape(message)}", soft_wrap=True)
    if ctx is not None:
        out.print(ctx.get_usage(), markup=False, soft_wrap=True)
        out.print(
            f"Prueba «{ctx.command_path} -h» para ver la ayuda.",
            markup=False,
            soft_wrap=True,
        )


def _show_version(value: bool) -> None:
    if value:
        from pixely_benefits import __version__

        common.console.print(f"pixely {__version__}")
        raise typer.Exit()


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
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Muestra la versión de pixely y sale.",
            callback=_show_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    common.setup_logging(verbose)
    ctx.obj = common.State(sheet=sheet, verbose=verbose)
