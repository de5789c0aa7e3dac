"""How fast ``pixely --help`` starts, against a bare ``import typer``.

    python benchmarks/cli_startup.py            # 15 runs of each
    python benchmarks/cli_startup.py --runs 30

Every figure is a fresh interpreter (``python -m ...`` or ``python -c ...``),
median of the runs, like hyperfine would report. Three references:

* ``python -c pass``: the interpreter alone;
* ``python -c "import typer"``: the floor the issue names;
* a one-command Typer app printing its ``--help`` with the same settings as
  pixely (Rich help): what any Typer CLI pays to render help.

Then the modules ``pixely --help`` imports are listed from ``-X importtime``:
the heavy libraries it must not import, and pixely's own modules by cost.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

FORBIDDEN = ("gspread", "openpyxl", "python_calamine", "pydantic", "pydantic_settings")
"""Libraries ``pixely --help`` must not import (each costs tens of milliseconds)."""

TYPER_APP = """
import typer

app = typer.Typer(rich_markup_mode="rich", add_completion=False)

@app.command()
def hola(nombre: str = typer.Option("mundo", help="A quién saludar.")) -> None:
    \"\"\"Saluda.\"\"\"

app()
"""


def median_run(command: list[str], runs: int) -> tuple[float, float]:
    """Median and fastest wall time of ``command`` in seconds."""
    took = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        took.append(time.perf_counter() - began)
    return statistics.median(took), min(took)


def imported(command: list[str]) -> dict[str, int]:
    """Module -> cumulative import time in microseconds, from ``-X importtime``."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *command],
        capture_output=True,
        check=True,
        text=True,
    )
    found: dict[str, int] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        parts = line.removeprefix("import time:").split("|")
        _, cumulative, name = (part.strip() for part in parts)
        found[name] = int(cumulative)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    python = sys.executable
    cases = [
        ("python -c pass", [python, "-c", "pass"]),
        ('python -c "import typer"', [python, "-c", "import typer"]),
        ("one-command Typer app --help", [python, "-c", TYPER_APP, "--help"]),
        ("pixely --help", [python, "-m", "pixely_benefits", "--help"]),
    ]
    print(f"python {sys.version.split()[0]}, {args.runs} runs each\n")
    for label, command in cases:
        middle, fastest = median_run(command, args.runs)
        print(f"{label:<32} {middle * 1000:6.0f} ms   (min {fastest * 1000:.0f} ms)")

    modules = imported(["-m", "pixely_benefits", "--help"])
    heavy = [m for m in modules if m.split(".")[0] in FORBIDDEN]
    print("\nheavy libraries imported by pixely --help:", ", ".join(heavy) or "none")
    own = sorted(
        ((cost, name) for name, cost in modules.items() if name.startswith("pixely")),
        reverse=True,
    )
    print("pixely modules imported by --help (cumulative import time):")
    for cost, name in own[:8]:
        print(f"  {name:<36} {cost / 1000:6.1f} ms")


if __name__ == "__main__":
    main()
