"""What the command line prints on its own is Spanish too: usage errors, usage
lines, the help of every command and sub-command, and the placeholders of options."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer.main

from pixely_benefits import __version__
from pixely_benefits.cli import app

ENGLISH = (
    "Usage", "Try '", "Missing", "No such", "Got unexpected", "Invalid value",
    "Did you mean", "Show this message", "Possible options", "requires an argument",
)  # fmt: skip


@pytest.mark.parametrize(
    ("args", "error", "usage"),
    [
        (["sent"], "Falta el argumento «CLIENTE».", "pixely sent [OPCIONES] {CLIENTE}..."),
        (["promo", "accept", "web"],
         "Falta la opción «--client» / «--cliente» / «-c».",
         "pixely promo accept [OPCIONES] {CODIGO}"),
        (["elegible"],
         "No existe el comando «elegible». ¿Quisiste decir «eligible»?",
         "pixely [OPCIONES] COMANDO [ARGUMENTOS]..."),
        (["eligible", "-s", "otra.xlsx"],
         "No existe la opción «-s». Las opciones generales van antes del comando: "
         "«pixely -s … eligible …».",
         "pixely eligible [OPCIONES]"),
        (["eligible", "extra"],
         "Sobra «extra»: el comando no lleva más.", "pixely eligible [OPCIONES]"),
        (["sent", "001", "--canal", "fax"],
         "Valor no válido para «--canal»: «fax» no es válido: usa «correo», "
         "«whatsapp», «ambos».",
         "pixely sent [OPCIONES] {CLIENTE}..."),
        (["eligible", "--mont", "2026-12"],
         "No existe la opción «--mont». ¿Quisiste decir «--month»?",
         "pixely eligible [OPCIONES]"),
        (["eligible", "--month", "0000-12"],
         "«0000-12» no es un mes: usa el formato AAAA-MM, por ejemplo 2026-12, con "
         "un año entre 1900 y 9990.",
         "pixely eligible [OPCIONES]"),
        (["promo", "list", "-x"], "No existe la opción «-x».",
         "pixely promo list [OPCIONES]"),
    ],
)  # fmt: skip
def test_usage_errors_are_spanish(
    cli: Any, args: list[str], error: str, usage: str
) -> None:
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    command = usage.split(" [")[0]
    assert result.stderr.splitlines() == [
        f"Error: {error}",
        f"Uso: {usage}",
        f"Prueba «{command} -h» para ver la ayuda.",
    ]


def test_an_option_without_its_value_is_spanish(cli: Any) -> None:
    result = cli("eligible", "--month")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "Error: La opción «--month» necesita un valor."
    )


def all_commands() -> list[list[str]]:
    """The path of every command and group, e.g. ``["promo", "list"]``."""
    found: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:
        found.append(path)
        for name, child in getattr(command, "commands", {}).items():
            walk(child, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


@pytest.mark.parametrize("path", all_commands(), ids=" ".join)
def test_every_help_screen_is_spanish_without_type_placeholders(
    cli: Any, path: list[str]
) -> None:
    result = cli(*path, "-h")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"Uso: pixely {' '.join(path)}".rstrip() in out
    assert "Muestra esta ayuda y sale." in out
    for word in (*ENGLISH, "<bool>", "<str>", "<list[str]>", "<int>", "<Path>"):
        assert word not in out, (word, path)


def test_every_month_option_is_also_mes(cli: Any) -> None:
    found = 0
    for path in all_commands():
        out = cli(*path, "-h").stdout
        if "--month" in out:
            found += 1
            assert "--month,--mes" in out, path
            assert "AAAA-MM" in out, path
    assert found >= 9  # eligible, explain, notify, sent, deliver, cancel, status...


def test_mes_is_the_same_as_month(cli: Any, demo_xlsx: Path) -> None:
    def run(option: str) -> Any:
        result = cli(
            "--sheet", str(demo_xlsx), "eligible", option, "2026-12", "-a", "-f", "json"
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    assert run("--mes") == run("--month")


def test_version(cli: Any) -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout == f"pixely {__version__}\n"


def test_usage_errors_are_spanish_outside_the_test_runner(tmp_path: Path) -> None:
    from tests.test_cli_read import run_pixely

    result = run_pixely(tmp_path, "deliver", "x", "-c", "001", "--mes", "0000-12")
    assert result.returncode == 2
    assert result.stderr.splitlines()[0].startswith("Error: «0000-12» no es un mes")
    assert "Uso: pixely deliver [OPCIONES] {BENEFICIO}" in result.stderr
