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
    _tolerate_any_encoding()
    app()


def _tolerate_any_encoding() -> None:
    """Print on a console that is not UTF-8 (``PYTHONIOENCODING=cp1252``, an old
    Windows terminal) with ``?`` for what it cannot show, never a traceback
    halfway through a command that has already written the sheet."""
    import io
    import sys

    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
