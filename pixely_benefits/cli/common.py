"""What every command shares: the chosen sheet, consoles, logging, option parsing."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

if TYPE_CHECKING:
    from pixely_benefits.errors import PixelyError
    from pixely_benefits.loading import Loaded
    from pixely_benefits.months import Month
    from pixely_benefits.problems import Problem
    from pixely_benefits.sheet.base import Store
    from pixely_benefits.sheet.schema import TabSpec

# Text from the sheet (names, values, paths) is printed as it is: no ":smile:" emoji
# codes, and markup is escaped wherever such text goes into a string with markup.
console = Console(highlight=False, emoji=False)
err_console = Console(stderr=True, highlight=False, emoji=False)


@dataclass
class State:
    sheet: str | None
    verbose: bool


def setup_logging(verbose: bool) -> None:
    """One logging setup for the whole tool: Rich on a terminal, plain lines in cron."""
    level = logging.DEBUG if verbose else logging.WARNING
    root = logging.getLogger()
    root.handlers.clear()
    handler: logging.Handler
    if err_console.is_terminal:
        from rich.logging import RichHandler

        handler = RichHandler(console=err_console, show_path=False)
        handler.setFormatter(logging.Formatter("%(message)s"))
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)


def sheet_location(ctx: typer.Context) -> str:
    """``--sheet``, else ``PIXELY_SHEET`` (environment or .env), else beneficios.xlsx."""
    state: State = ctx.find_root().obj
    if state.sheet:
        return state.sheet
    from pixely_benefits.settings import get_settings
    from pixely_benefits.sheet import DEFAULT_SHEET

    return get_settings().sheet or DEFAULT_SHEET


def store(ctx: typer.Context) -> Store:
    from pixely_benefits.sheet import open_store

    return open_store(sheet_location(ctx))


def load(ctx: typer.Context, extra: Sequence[TabSpec] = ()) -> Loaded:
    """The sheet, read and validated; ``extra`` names tabs read besides the usual."""
    import gc

    from pixely_benefits.loading import load as load_sheet

    # A command keeps what it loads until it exits, so the garbage collector has
    # nothing to find there: keep it off while loading, then hide the loaded
    # objects from it. Otherwise its passes walk every object of a large sheet
    # again (0.5 s of `eligible` on a 100,000-row sheet).
    gc.disable()
    try:
        loaded = load_sheet(store(ctx), extra)
        gc.freeze()
    finally:
        gc.enable()
    return loaded


OutboxOption = Annotated[
    Path | None,
    typer.Option(
        "--salida",
        help="Carpeta de los mensajes (se crea AAAA-MM dentro). Por omisión, "
        "PIXELY_OUTBOX o «salida».",
        show_default=False,
    ),
]
"""Where notify, promo invite and run write the month's messages."""

DryRunOption = Annotated[
    bool,
    typer.Option("--dry-run", help="Muestra lo que haría sin escribir nada."),
]


def parse_day(text: str | None, option: str = "--fecha") -> date | None:
    """A date typed on the command line: ISO or day-first, as the sheet accepts them."""
    if text is None:
        return None
    from pixely_benefits.months import FIRST_YEAR, LAST_YEAR
    from pixely_benefits.sheet import cells

    try:
        found = cells.day(text)
    except cells.CellError:
        found = None
    if found is None or not FIRST_YEAR <= found.year <= LAST_YEAR:
        raise typer.BadParameter(
            f"«{text}» no es una fecha para {option}: usa AAAA-MM-DD o DD/MM/AAAA, con "
            f"un año entre {FIRST_YEAR} y {LAST_YEAR}."
        )
    return found


def month_option(help: str) -> Any:
    """The month option every command shares: ``--month``, ``--mes`` or ``-m``."""
    return typer.Option(
        "--month", "--mes", "-m", help=help, metavar="AAAA-MM", show_default=False
    )


def parse_month(text: str | None) -> Month | None:
    from pixely_benefits.months import FIRST_YEAR, LAST_YEAR, Month

    if text is None:
        return None
    try:
        return Month.parse(text)
    except ValueError:
        raise typer.BadParameter(
            f"«{text}» no es un mes: usa el formato AAAA-MM, por ejemplo 2026-12, "
            f"con un año entre {FIRST_YEAR} y {LAST_YEAR}."
        ) from None


def fail(error: PixelyError) -> None:
    from rich.markup import escape

    err_console.print(f"[bold red]Error:[/] {escape(error.message)}", soft_wrap=True)


def summarise_problems(
    problems: list[Problem], ctx: typer.Context | None = None
) -> None:
    """One line on stderr when rows were left out; the details are in ``pixely check``
    (with ``ctx``, on the sheet given by ``--sheet``)."""
    if not problems:
        return
    from rich.markup import escape

    rows = len({(p.tab, p.row) for p in problems})
    noun = "fila tiene" if rows == 1 else "filas tienen"
    check = suggest(ctx, "check") if ctx is not None else "pixely check"
    err_console.print(
        f"[yellow]Aviso:[/] {rows} {noun} problemas y se omitieron donde hacía falta; "
        f"revísalas con «{escape(check)}».",
        soft_wrap=True,
    )


def user_name() -> str:
    """Who is running the tool, for the ``Historial`` tab."""
    from pixely_benefits.settings import get_settings

    configured = get_settings().user
    if configured:
        return configured
    try:
        import getpass

        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "pixely")


def suggest(ctx: typer.Context, *words: str) -> str:
    """A command to suggest to the user: ``pixely``, ``--sheet`` as given, ``words``.

    When the sheet was chosen with ``--sheet``, every command the tool
    suggests names it too, so that copying one acts on the same sheet; a
    sheet from ``PIXELY_SHEET`` or the default needs nothing. Words are quoted
    for the shell where needed (``'con espacios.xlsx'``).
    """
    import shlex

    parts = ["pixely"]
    state = ctx.find_root().obj
    if isinstance(state, State) and state.sheet:
        parts += ["--sheet", shlex.quote(state.sheet)]
    parts += [shlex.quote(word) for word in words]
    return " ".join(parts)


def suggest_in(ctx: typer.Context, text: str) -> str:
    """``text`` (from the core) with every ``pixely COMMAND`` it suggests written
    as :func:`suggest` writes it."""
    import re

    prefix = suggest(ctx)
    if prefix == "pixely":
        return text
    root = ctx.find_root().command
    names = [n for n in getattr(root, "commands", {}) if n != "init"]  # init: a path
    if not names:
        return text
    names.sort(key=len, reverse=True)
    pattern = r"\bpixely (?=(?:" + "|".join(map(re.escape, names)) + r")\b)"
    return re.sub(pattern, lambda _: prefix + " ", text)
