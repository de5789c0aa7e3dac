"""The ``pixely`` command line.

Commands are thin: they parse options, call one function of the core and
render the result. Errors of the project (:class:`PixelyError`) are turned
into one Spanish line and an exit code in :mod:`pixely_benefits.cli.app`, and
nowhere else. Modules of the core are imported inside the commands so that
``pixely --help`` stays fast.
"""

from __future__ import annotations

from pixely_benefits.cli import (
    clickup,
    monthly,
    promos,
    reading,
    reports,
    run,
    setup,
    tracking,
)
from pixely_benefits.cli.app import app

__all__ = [
    "app",
    "clickup",
    "main",
    "monthly",
    "promos",
    "reading",
    "reports",
    "run",
    "setup",
    "tracking",
]


def main() -> None:
    """Entry point of the ``pixely`` console script."""
    app()
