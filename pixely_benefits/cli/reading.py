"""Commands that only read the sheet: ``check``, ``eligible`` and ``explain``."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from pixely_benefits.cli import common
from pixely_benefits.cli.app import app

if TYPE_CHECKING:
    from rich.table import Table

    from pixely_benefits.loading import Loaded
    from pixely_benefits.months import Month
    from pixely_benefits.problems import Problem
    from pixely_benefits.rules import Decision, Explanation

MonthOption = Annotated[
    str | None,
    common.month_option("Mes a evaluar, AAAA-MM. Por omisión, el mes en curso."),
]


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


@app.command()
def check(
    ctx: typer.Context,
    output: Annotated[
        Format,
        typer.Option(
            "--format",
            "-f",
            help="table (tabla, por omisión), json o csv (para hojas de cálculo).",
        ),
    ] = Format.table,
) -> None:
    """Revisa la hoja de control y lista cada problema, agrupado por pestaña.

    Los errores dejan la fila fuera hasta que se corrijan; los avisos (un correo o
    un WhatsApp que no sirve, una entrega de un código desconocido) no, pero algo
    de esa fila no se podrá usar. Sale con 0 si la hoja está limpia, 1 si hay
    errores o avisos y 2 si falta una pestaña o encabezado, o el archivo no se
    puede leer.
    """
    from pixely_benefits.review import everything
    from pixely_benefits.sheet.schema import HISTORY

    loaded = common.load(ctx, (HISTORY,))
    problems = everything(loaded)
    if output is Format.json:
        sys.stdout.write(
            json.dumps([p.as_dict() for p in problems], ensure_ascii=False)
        )
        sys.stdout.write("\n")
    elif output is Format.csv:
        writer = _SafeCsv()
        writer.writerow(["Pestaña", "Fila", "Columna", "Valor", "Problema", "Tipo"])
        writer.writerows(
            [p.tab, p.row, p.column, p.value, p.message, p.severity] for p in problems
        )
    elif not problems:
        data = loaded.data
        common.console.print(
            f"[green]La hoja está bien:[/] {len(data.clients)} clientes, "
            f"{sum(len(p) for p in data.periods.values())} periodos, "
            f"{len(data.benefits)} beneficios y {len(data.deliveries)} entregas."
        )
    else:
        _print_problems(problems)
    raise typer.Exit(1 if problems else 0)


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _SafeCsv:
    """A CSV writer whose text cells a spreadsheet will show, never run.

    A name such as ``=1+1 Panadería`` or ``+51 987 Café`` would be a formula
    when the CSV is opened in Excel or Google Sheets; such cells get a leading
    ``'``, which those programs read as "this is text".
    """

    def __init__(self) -> None:
        self._writer = csv.writer(sys.stdout, lineterminator="\n")

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([_csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def _csv_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _print_problems(problems: list[Problem]) -> None:
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    from pixely_benefits.problems import WARNING

    warned = sum(1 for p in problems if p.severity == WARNING)
    errors = len(problems) - warned
    rows = len({(p.tab, p.row) for p in problems})
    found = "1 problema" if len(problems) == 1 else f"{len(problems)} problemas"
    where = "1 fila" if rows == 1 else f"{rows} filas"
    kinds = ""
    if warned:
        kinds = ": " + " y ".join(
            f"{count} {word if count == 1 else plural}"
            for count, word, plural in (
                (errors, "error", "errores"),
                (warned, "aviso", "avisos"),
            )
            if count
        )
    notes = []
    if errors:
        notes.append("Las filas con errores se omiten hasta que se corrijan.")
    if warned:
        notes.append("Las filas con avisos se usan, sin el dato señalado.")
    common.console.print(
        f"[bold yellow]{found} en {where}{kinds}.[/] " + " ".join(notes),
        soft_wrap=True,
    )
    tabs: dict[str, list[int]] = {}
    for index, problem in enumerate(problems):
        tabs.setdefault(problem.tab, []).append(index)
    for tab, indexes in tabs.items():
        table = Table(
            title=f"Pestaña «{escape(tab)}»", title_justify="left", expand=False
        )
        table.add_column("Fila", justify="right")
        table.add_column("Columna")
        table.add_column("Valor")
        table.add_column("Problema")
        for index in indexes:
            p = problems[index]
            message = Text(p.message)
            if p.severity == WARNING:
                message = Text.assemble(("aviso: ", "yellow"), p.message)
            table.add_row(str(p.row), Text(p.column), Text(p.value), message)
        common.console.print(table)


def _evaluate(
    ctx: typer.Context, month_text: str | None, on_text: str | None
) -> tuple[Loaded, Month, list[Decision]]:
    from pixely_benefits.clock import current_month
    from pixely_benefits.rules import decide

    month = common.parse_month(month_text)
    on = common.parse_day(on_text)
    loaded = common.load(ctx)
    if month is None:
        from pixely_benefits.months import Month

        month = Month.of(on) if on else current_month(loaded.data.settings)
    return loaded, month, decide(loaded.data, month, on)


OnOption = Annotated[
    str | None,
    typer.Option(
        "--fecha",
        help="Fecha de evaluación (AAAA-MM-DD). Por omisión, el día 1 del mes.",
        show_default=False,
    ),
]


@app.command()
def eligible(
    ctx: typer.Context,
    month: MonthOption = None,
    show_all: Annotated[
        bool,
        typer.Option(
            "--all", "-a", help="Incluye a los clientes no elegibles y el motivo."
        ),
    ] = False,
    output: Annotated[
        Format,
        typer.Option(
            "--format",
            "-f",
            help="table (tabla, por omisión), json o csv (para hojas de cálculo).",
        ),
    ] = Format.table,
    on: OnOption = None,
) -> None:
    """Muestra qué cliente recibe qué beneficio en el mes, y por qué."""
    loaded, chosen, decisions = _evaluate(ctx, month, on)
    shown = decisions if show_all else [d for d in decisions if d.eligible]
    if output is Format.json:
        sys.stdout.write(json.dumps([d.as_json() for d in shown], ensure_ascii=False))
        sys.stdout.write("\n")
    elif output is Format.csv:
        _write_csv(shown)
    else:
        explain_hint = common.suggest(ctx, "explain", "ID", "--month", str(chosen))
        _print_decisions(loaded, chosen, decisions, shown, show_all, explain_hint)
    common.summarise_problems(loaded.problems, ctx)


def _write_csv(decisions: list[Decision]) -> None:
    from pixely_benefits.rules import REASONS

    writer = _SafeCsv()
    writer.writerow(
        [
            "ID",
            "Cliente",
            "Elegible",
            "Meses",
            "Beneficio",
            "Estado",
            "Motivo",
            "Detalle",
        ]
    )
    for d in decisions:
        writer.writerow(
            [
                d.client_id,
                d.client,
                "sí" if d.eligible else "no",
                "" if d.months is None else d.months,
                d.benefit or "",
                d.status or "",
                d.reason or "",
                REASONS.get(d.reason, "") if d.reason else "",
            ]
        )


def _print_decisions(
    loaded: Loaded,
    month: Month,
    decisions: list[Decision],
    shown: list[Decision],
    show_all: bool,
    explain_hint: str,
) -> None:
    """A table that fits 80 columns: benefit codes, and short reasons in their place.

    Codes (not display names) are what the other commands take, and a client
    without a benefit has nothing in that column anyway, so one column carries
    the benefit or, marked with ✗, why there is none.
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text

    count = sum(1 for d in decisions if d.eligible)
    table = Table(
        title=f"Beneficios de {month}: {count} de {len(decisions)} clientes elegibles",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
    )
    table.add_column("ID", no_wrap=True)
    table.add_column("Cliente", min_width=12)
    table.add_column("Meses", justify="right", no_wrap=True)
    table.add_column("Beneficio o motivo" if show_all else "Beneficio", no_wrap=True)
    table.add_column("Entrega", no_wrap=True)
    states = {c.client_id: c.state.value for c in loaded.data.clients}
    for d in shown:
        months = "—" if d.months is None else str(d.months)
        if d.benefit is not None:
            outcome = d.benefit
        else:
            outcome = f"✗ {_short_reason(d.reason, states.get(d.client_id))}"
        cells = [d.client_id, d.client, months, outcome, d.status or "—"]
        table.add_row(*map(Text, cells), style=None if d.eligible else "dim")
    common.console.print(table)
    if not shown:
        common.console.print("Ningún cliente recibe un beneficio este mes.")
    elif show_all and count < len(decisions):
        common.console.print(
            f"✗ = sin beneficio en {month}; detalle: {explain_hint}",
            markup=False,
            soft_wrap=True,  # a command to copy must stay on one line, even in a log
        )


def _short_reason(reason: str | None, state: str | None) -> str:
    """The reason of rule 8 in a few words, for the table (the CSV has it in full)."""
    from pixely_benefits.rules import (
        NO_BENEFIT,
        NO_SUBSCRIPTION,
        REASONS,
        RECENT,
        SENIORITY,
        STATE,
    )

    short = {
        STATE: f"cliente {state}" if state else REASONS[STATE],
        NO_SUBSCRIPTION: "sin suscripción vigente",
        NO_BENEFIT: "sin beneficio disponible",
        SENIORITY: "faltan meses continuos",
        RECENT: "beneficio reciente",
    }
    return short.get(reason or "", reason or "")


@app.command()
def explain(
    ctx: typer.Context,
    client: Annotated[
        str, typer.Argument(help="ID del cliente (columna ID de Clientes).")
    ],
    month: MonthOption = None,
    on: OnOption = None,
) -> None:
    """Explica por qué un cliente recibe (o no) un beneficio en el mes."""
    from pixely_benefits.clock import current_month
    from pixely_benefits.rules import explain as explain_client

    chosen = common.parse_month(month)
    day = common.parse_day(on)
    loaded = common.load(ctx)
    if chosen is None:
        from pixely_benefits.months import Month

        chosen = Month.of(day) if day else current_month(loaded.data.settings)
    explanation = explain_client(loaded.data, _client_id(loaded, client), chosen, day)
    _print_explanation(explanation)
    common.summarise_problems(loaded.problems, ctx)


def _client_id(loaded: Loaded, typed: str) -> str:
    """The client ID the user meant, or a :class:`UsageError` that says why not:
    the ID is on several rows, or none (naming the closest IDs)."""
    from pixely_benefits.errors import UsageError
    from pixely_benefits.lookup import find_client

    wanted = typed.strip()
    rows = loaded.repeated_clients.get(wanted)
    if rows:
        shown = ", ".join(map(str, rows[:-1])) + f" y {rows[-1]}"
        raise UsageError(
            f"El ID «{wanted}» está repetido en «Clientes» (filas {shown}) y no se usa "
            "ninguna de esas filas: deja una sola con ese ID."
        )
    if loaded.data.client(wanted) is None:
        _refuse_left_out_client(loaded, wanted)
    return find_client(loaded.data, wanted).client_id


def _refuse_left_out_client(loaded: Loaded, wanted: str) -> None:
    """Say so when ``wanted`` is in ``Clientes`` but its row was left out as bad."""
    from pixely_benefits.errors import UsageError
    from pixely_benefits.sheet.schema import CLIENTS

    rows = {
        p.row
        for p in loaded.problems
        if p.tab == loaded.tabs[CLIENTS.name].title and _row_id(loaded, p.row) == wanted
    }
    if rows:
        where = ", ".join(str(r) for r in sorted(rows))
        raise UsageError(
            f"El cliente «{wanted}» está en «Clientes» (fila {where}) pero esa fila tiene "
            "problemas y se omite: corrígela (los detalles, con «pixely check»)."
        )


def _row_id(loaded: Loaded, number: int) -> str | None:
    from pixely_benefits.sheet import cells
    from pixely_benefits.sheet.schema import CLIENTS, match_headers

    raw = loaded.tabs[CLIENTS.name]
    index = match_headers(CLIENTS, raw.header).get("client_id")
    for row in raw.rows:
        if row.number == number and index is not None and index < len(row.values):
            try:
                return cells.identifier(row.values[index])
            except cells.CellError:
                return None
    return None


def _checks_grid(ex: Explanation) -> Table:
    """One line per benefit; long reasons wrap under themselves, not under the code."""
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=1)
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column()
    for check in ex.checks:
        mark = Text("✓", style="green") if check.candidate else Text("✗", style="red")
        grid.add_row("", mark, Text(f"{check.code}:"), Text("; ".join(check.reasons)))
    return grid


def _print_explanation(ex: Explanation) -> None:
    from rich.markup import escape as e  # text from the sheet is never markup

    from pixely_benefits.rules import REASONS

    out = common.console
    c = ex.client
    out.print(
        f"[bold]{e(c.name)}[/] (ID {e(c.client_id)}) — {ex.month}, evaluado al {ex.on}"
    )
    out.print(
        f"Estado: {c.state.value}; plan: {e(c.plan or '—')}; CM: {e(c.cm or '—')}"
    )
    out.print("\n[bold]Periodos de suscripción leídos[/]")
    if not ex.periods:
        out.print("  (ninguno)")
    for p in ex.periods:
        end = p.end.isoformat() if p.end else "sin fin"
        out.print(f"  fila {p.row}: {p.start.isoformat()} → {end}")
    out.print("[bold]Bloques continuos[/] (periodos unidos con los días de gracia)")
    for b in ex.blocks:
        end = b.end.isoformat() if b.end else "vigente"
        out.print(f"  {b.start.isoformat()} → {end}")
    if ex.since is None:
        out.print(f"Ningún bloque contiene el {ex.on}: no hay suscripción vigente.")
    else:
        out.print(f"Continuidad desde el {ex.since}: {ex.months} meses completos.")
    if ex.deliveries:
        out.print("[bold]Beneficios registrados en Entregas[/]")
        for row in ex.deliveries:
            out.print(
                f"  fila {row.row}: {row.month} {e(row.benefit)} ({row.state.value})"
            )
    out.print("[bold]Beneficios del catálogo[/]")
    out.print(_checks_grid(ex))
    d = ex.decision
    if d.eligible:
        out.print(
            f"\n[bold green]Resultado:[/] recibe «{e(d.benefit or '')}» en {ex.month}."
        )
    else:
        reason = REASONS.get(d.reason or "", d.reason or "")
        out.print(
            f"\n[bold yellow]Resultado:[/] no es elegible en {ex.month}: {reason}."
        )
        if ex.next_eligible is not None:
            out.print(f"Volverá a calificar en {ex.next_eligible} si nada cambia.")
        else:
            out.print("No calificará en los próximos meses si nada cambia.")
