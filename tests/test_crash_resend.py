"""The proof that a crash never makes pixely tell a client twice, nor forget one.

A real ``pixely notify --send`` runs in a subprocess against a slow SMTP server
on 127.0.0.1 and is killed with SIGKILL mid-batch: no ``finally``, no flush,
exactly like a power cut. The kill lands at a step chosen through the
server's :class:`~tests.smtp_servers.Gate` (the client is known to be waiting
there), not after some sleep. Then a second run finishes the job, and the
server's count per ``X-Pixely-Delivery`` must be exactly one for every client,
with a sheet that says the same.

The one window these tests cannot close is the one the send journal documents:
the server took the text and the machine died before the ``250`` was recorded
(``test_an_answer_lost_after_the_text_is_sent_again_with_the_same_message_id``
in test_run shows what pixely does then).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from pixely_benefits.send_journal import SendJournal
from tests.conftest import WorkbookFactory, demo_rows
from tests.smtp_servers import Gate, SmtpServer
from tests.test_cli_monthly import MONTH
from tests.test_run import EMAILS, WHATSAPP_ONLY, assert_consistent, env_for, once

FIRST = datetime(2026, 12, 3, 9, 30)
SECOND = datetime(2026, 12, 3, 10, 0)
REACH_SECONDS = 60.0


def command(path: Path, tmp_path: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pixely_benefits",
        "--sheet",
        str(path),
        "notify",
        "--month",
        MONTH,
        "--salida",
        str(tmp_path / "salida"),
        "--send",
    ]


def start(path: Path, tmp_path: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        command(path, tmp_path),
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_at(gate: Gate, run: subprocess.Popen[str]) -> None:
    """SIGKILL ``run`` while the server holds it at ``gate``."""
    deadline = time.monotonic() + REACH_SECONDS
    while not gate.reached.wait(0.05):
        if run.poll() is not None or time.monotonic() > deadline:
            out, err = run.communicate()
            pytest.fail(f"the run never reached {gate.command}: {out}{err}")
    os.kill(run.pid, signal.SIGKILL)
    run.wait(timeout=30)
    gate.release()
    assert run.returncode == -signal.SIGKILL


@pytest.mark.parametrize(
    ("gate", "accepted"),
    [
        (Gate("RCPT", 3), 2),  # killed waiting for the server to take recipient 3
        (Gate("QUIT", 1), 4),  # killed after the last 250, before the sheet is written
    ],
    ids=["mid-batch", "before-the-sheet-write"],
)
def test_a_send_killed_mid_batch_is_finished_by_the_next_run_without_doubles(
    tmp_path: Path, gate: Gate, accepted: int
) -> None:
    sheet = WorkbookFactory(tmp_path)
    location = sheet.create(demo_rows())
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("PIXELY_")}
    done, rest = list(EMAILS)[:accepted], list(EMAILS)[accepted:]
    with SmtpServer(delay=0.2, gate=gate) as server:
        env = {**inherited, **env_for(server, tmp_path)}
        kill_at(gate, start(Path(location), tmp_path, env))

        # What the crash left: the server has `accepted` messages, the journal
        # knows them, and the sheet does not yet.
        assert server.deliveries() == once(*done)
        journal = SendJournal(tmp_path / "datos" / "envios-correo.jsonl")
        logs = journal.logs(str(Path(location).resolve()))
        assert sorted(k for k, log in logs.items() if log.accepted) == sorted(done)
        assert_consistent(sheet, location, {}, pending=(*EMAILS, WHATSAPP_ONLY))

        second = subprocess.run(
            command(Path(location), tmp_path),
            cwd=tmp_path,
            env={**env, "PIXELY_NOW": "2026-12-03T10:00"},
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert second.returncode == 0, second.stdout + second.stderr
    assert server.deliveries() == once(*EMAILS)  # every client exactly once
    recovered = ", ".join(done)
    assert (
        f"Ya enviados por una ejecución anterior y anotados ahora: {accepted} "
        f"({recovered})." in second.stdout
    )
    # Rows sent before the crash carry the time the server accepted them.
    notified = {**dict.fromkeys(done, FIRST), **dict.fromkeys(rest, SECOND)}
    assert_consistent(sheet, location, notified, pending=(WHATSAPP_ONLY,))
    # The message cut short keeps its Message-ID: the draft's, never a new one.
    for received in server.received:
        key = received.delivery
        assert key is not None
        draft = tmp_path / "salida" / MONTH / f"{key}.eml"
        assert f"Message-ID: {received.message['Message-ID']}" in draft.read_text()
