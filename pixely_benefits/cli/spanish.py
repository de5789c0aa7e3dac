"""Spanish for what Typer and click write themselves.

Usage errors ("Missing argument", "No such option"...), usage lines, type
placeholders and the help option come from the libraries in English. The
messages are translated here from a small table of the phrases they use; a
phrase the table does not know is shown as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import typer
from typer._click.formatting import HelpFormatter

HELP_TEXT = "Muestra esta ayuda y sale."
OPTIONS = "[OPCIONES]"
SUBCOMMAND = "COMANDO [ARGUMENTOS]..."


def _options(listed: str) -> str:
    names = [f"«{name}»" for name in listed.split(", ")]
    shown = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " o " + names[-1]
    return f"¿Quisiste decir {shown}?"


_PHRASES: tuple[tuple[str, str | Callable[[re.Match[str]], str]], ...] = (
    (r"^Invalid value for (.+?): (?:Value error, )?", r"Valor no válido para \1: "),
    (r"^Invalid value: ", ""),  # our own messages are whole Spanish sentences
    (r"^Missing argument (.+)\.$", r"Falta el argumento \1."),
    (r"^Missing option (.+)\.$", r"Falta la opción \1."),
    (r"^Missing parameter: (.+)$", r"Falta «\1»."),
    (r"^Missing command\.$", "Falta el comando."),
    (r"^No such command (.+?)\.", r"No existe el comando \1."),
    (r"^No such option: (\S+)", r"No existe la opción «\1»."),
    (r"\(Possible options: (.+)\)$", lambda found: _options(found.group(1))),
    (r"Did you mean (.+)\?$", r"¿Quisiste decir \1?"),
    (r"^Option (.+?) requires an argument\.$", r"La opción \1 necesita un valor."),
    (
        r"^Option (.+?) requires (\d+) arguments\.$",
        r"La opción \1 necesita \2 valores.",
    ),
    (r"^Option (.+?) does not take a value\.$", r"La opción \1 no lleva valor."),
    (
        r"^Got unexpected extra argument(?:\(s\)|s)? \((.+)\)$",
        r"Sobra «\1»: el comando no lleva más.",
    ),
    (r"'([^']*)' is not one of (.+)\.$", r"«\1» no es válido: usa \2."),
    (r"'([^']*)' is not a valid integer(?: range)?\.", r"«\1» no es un número entero."),
    (r"'([^']*)' is not a valid float(?: range)?\.", r"«\1» no es un número."),
    (r"'([^']*)' is not a valid boolean\.", r"«\1» no es sí o no."),
    (r"(.+?) is not in the range (.+)\.$", r"\1 está fuera del rango \2."),
    (r"Input should be greater than or equal to (\d+)", r"debe ser \1 o más"),
    (r"Input should be less than or equal to (\d+)", r"debe ser \1 o menos"),
    (r"Input should be a valid integer.*$", "debe ser un número entero"),
    (r"Input should be a valid number.*$", "debe ser un número"),
    (r"'([^']*)'", r"«\1»"),  # last: quotes as the rest of the tool writes them
)
_COMPILED = tuple((re.compile(pattern), spanish) for pattern, spanish in _PHRASES)


def translate(message: str) -> str:
    """``message`` from click or Typer in Spanish, as far as the table knows it."""
    for pattern, spanish in _COMPILED:
        message = pattern.sub(spanish, message)
    return message


class Formatter(HelpFormatter):
    """click's help formatter with the usage line in Spanish."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "Uso: " if prefix is None else prefix)


class Context(typer.Context):
    formatter_class = Formatter


_METAVARS = {
    # options, by the name of the function parameter
    "month": "AAAA-MM",
    "on": "FECHA",
    "until": "FECHA",
    "next_date": "FECHA",
    "client": "ID",
    "clients": "ID",
    "benefit": "CODIGO",
    "code": "CODIGO",
    "promotion": "CODIGO",
    "note": "TEXTO",
    "reason": "TEXTO",
    "link": "URL",
    "folder": "RUTA",
    "log_file": "RUTA",
    "target": "RUTA",
    "path": "RUTA",
    "sheet": "HOJA",
    "summary_to": "CORREO",
    "most": "N",
}
_ARGUMENT_METAVARS = {
    "client": "CLIENTE",
    "clients": "CLIENTE",
    "benefit": "BENEFICIO",
    "code": "CODIGO",
    "path": "RUTA",
}
_BY_TYPE = {"<str>": "TEXTO", "<list[str]>": "TEXTO", "<int>": "N", "<Path>": "RUTA"}


def localize(command: Any, ctx: typer.Context) -> None:
    """Give ``command`` (and, for a group, its commands) Spanish help and usage.

    The help option gets its Spanish text, flags lose their ``<bool>``
    placeholder, other options and arguments get a Spanish placeholder
    (``AAAA-MM``, ``ID``, ``RUTA``) unless they set one, and usage lines read
    ``Uso: pixely … [OPCIONES]``. Choices keep theirs (``<table|json|csv>``):
    they are the words to type.
    """
    if getattr(command, "_pixely_spanish", False):
        return
    command._pixely_spanish = True
    command.context_class = Context
    if command.options_metavar == "[OPTIONS]":
        command.options_metavar = OPTIONS
    if getattr(command, "subcommand_metavar", None) == "COMMAND [ARGS]...":
        command.subcommand_metavar = SUBCOMMAND
    option = command.get_help_option(ctx)
    if option is not None:
        option.help = HELP_TEXT
        option.metavar = ""
    for param in command.params:
        _placeholder(param, ctx)
    for child in getattr(command, "commands", {}).values():
        localize(child, ctx)


def _placeholder(param: Any, ctx: typer.Context) -> None:
    if param.param_type_name == "argument":
        # Typer shows an argument's type (<str>) beside its name whatever the
        # placeholder; the name (CLIENTE) says it all.
        param.display_type_rich = _no_type
    if param.metavar is not None:
        return
    if param.param_type_name == "argument":
        param.metavar = _ARGUMENT_METAVARS.get(param.name, param.name.upper())
    elif getattr(param, "is_flag", False):
        param.metavar = ""
    elif param.name in _METAVARS:
        param.metavar = _METAVARS[param.name]
    else:
        param.metavar = _BY_TYPE.get(param.display_type(ctx))


def _no_type(ctx: typer.Context) -> None:
    return None
