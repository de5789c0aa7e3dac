"""The journal of what ClickUp is owed: :class:`DeliveryEvent` and :class:`Journal`.

``clickup-pendientes.jsonl`` in the user data folder (``PIXELY_DATA_DIR``
overrides it) holds one JSON object a line, appended and flushed to disk
(fsync) before any request to ClickUp, for every sheet the machine works on:

* ``owed``: an event to send, with everything its comment needs;
* ``done``: ClickUp accepted the event with that ``key``;
* ``task``: a task created for a client, written before the sheet is, so a
  failed write-back never leads to a second task;
* ``stored``: that task ID is in the client's ``ClickUp`` cell.

A line cut short by a crash is skipped (what it would have said stays owed)
and the next line starts on a new one. Known limit: the journal only grows,
by a few hundred bytes per event.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pixely_benefits.settings import Settings

logger = logging.getLogger(__name__)

JOURNAL_NAME = "clickup-pendientes.jsonl"
LOCK_SECONDS = 10.0
"""How long a run waits for another one that is sending to ClickUp."""


class Action(StrEnum):
    NOTIFIED = "notificado"
    DELIVERED = "entregado"
    CANCELLED = "cancelado"
    FOLLOWED_UP = "seguimiento"


_TITLES = {
    Action.NOTIFIED: "Aviso enviado",
    Action.DELIVERED: "Beneficio entregado",
    Action.CANCELLED: "Entrega cancelada",
    Action.FOLLOWED_UP: "Seguimiento hecho",
}


@dataclass(frozen=True, slots=True)
class DeliveryEvent:
    """One change of an ``Entregas`` row that ClickUp should hear about."""

    delivery_id: str
    client_id: str
    action: Action
    benefit: str
    """The benefit's display name (its code when not in the catalogue)."""
    month: str
    due: date | None
    at: datetime
    detail: str = ""
    """The ``Detalle`` of the ``Historial`` row."""

    @property
    def key(self) -> str:
        return f"{self.delivery_id}|{self.action.value}|{self.at.isoformat()}"

    def comment(self) -> str:
        """The comment ClickUp gets, in Spanish."""
        lines = [
            f"[Pixely] {_TITLES[self.action]}: {self.benefit} ({self.month})",
            f"Fecha: {self.at:%d/%m/%Y %H:%M}",
        ]
        if self.due is not None:
            lines.append(f"Fecha límite: {self.due:%d/%m/%Y}")
        if self.detail:
            lines.append(f"Detalle: {self.detail}")
        lines.append(f"Entrega: {self.delivery_id}")
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "delivery_id": self.delivery_id,
            "client_id": self.client_id,
            "action": self.action.value,
            "benefit": self.benefit,
            "month": self.month,
            "due": self.due.isoformat() if self.due else None,
            "at": self.at.isoformat(),
            "detail": self.detail,
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> DeliveryEvent:
        due = value.get("due")
        return cls(
            delivery_id=str(value["delivery_id"]),
            client_id=str(value["client_id"]),
            action=Action(value["action"]),
            benefit=str(value["benefit"]),
            month=str(value["month"]),
            due=date.fromisoformat(due) if due else None,
            at=datetime.fromisoformat(value["at"]),
            detail=str(value.get("detail") or ""),
        )


@dataclass(slots=True)
class Pending:
    """What the journal says about one sheet."""

    owed: list[DeliveryEvent] = field(default_factory=list)
    """Events not yet accepted by ClickUp, oldest first."""
    tasks: dict[str, str] = field(default_factory=dict)
    """Client ID -> the task created for it (latest)."""
    unstored: dict[str, str] = field(default_factory=dict)
    """Those of ``tasks`` not yet written into ``Clientes``."""
    known: set[str] = field(default_factory=set)
    """Keys of every event the journal holds, sent or not."""


class Journal:
    """The JSON-lines file of what ClickUp is owed, shared by every sheet."""

    def __init__(self, path: Path, *, lock_seconds: float = LOCK_SECONDS) -> None:
        self.path = path
        self.lock_seconds = lock_seconds

    @classmethod
    def default(cls, settings: Settings) -> Journal:
        if settings.data_dir is not None:
            folder = settings.data_dir
        else:
            import platformdirs

            folder = Path(platformdirs.user_data_dir("pixely"))
        return cls(folder / JOURNAL_NAME)

    def read(self, sheet: str) -> Pending:
        owed: dict[str, DeliveryEvent] = {}
        pending = Pending()
        for record in self._records():
            if record.get("sheet") != sheet:
                continue
            kind = record.get("kind")
            try:
                if kind == "owed":
                    event = DeliveryEvent.from_json(record)
                    pending.known.add(event.key)
                    owed.setdefault(event.key, event)
                elif kind == "done":
                    owed.pop(str(record["key"]), None)
                elif kind == "task":
                    client, task = str(record["client_id"]), str(record["task"])
                    pending.tasks[client] = task
                    pending.unstored[client] = task
                elif kind == "stored":
                    client = str(record["client_id"])
                    if pending.unstored.get(client) == str(record["task"]):
                        del pending.unstored[client]
            except (KeyError, ValueError) as error:
                logger.debug("journal line skipped: %s", error)
        pending.owed = list(owed.values())
        return pending

    def count_owed(self) -> int:
        """Events owed for every sheet together."""
        owed: set[tuple[str, str]] = set()
        for record in self._records():
            key = (str(record.get("sheet")), str(record.get("key")))
            if record.get("kind") == "owed":
                owed.add(key)
            elif record.get("kind") == "done":
                owed.discard(key)
        return len(owed)

    def owe(self, sheet: str, events: Iterable[DeliveryEvent]) -> None:
        """Record ``events`` as owed, unless the journal already has them."""
        known = self.read(sheet).known
        self._append(
            [
                {"kind": "owed", "sheet": sheet, **event.as_json()}
                for event in events
                if event.key not in known
            ]
        )

    def done(self, sheet: str, event: DeliveryEvent, task_id: str) -> None:
        self._append(
            [{"kind": "done", "sheet": sheet, "key": event.key, "task": task_id}]
        )

    def task_created(self, sheet: str, client_id: str, task_id: str) -> None:
        self._append(
            [{"kind": "task", "sheet": sheet, "client_id": client_id, "task": task_id}]
        )

    def stored(self, sheet: str, tasks: Mapping[str, str]) -> None:
        self._append(
            [
                {"kind": "stored", "sheet": sheet, "client_id": client, "task": task}
                for client, task in tasks.items()
            ]
        )

    @contextmanager
    def lock(self) -> Iterator[bool]:
        """Hold the journal for sending; ``False`` when another run holds it."""
        from filelock import FileLock, Timeout

        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.path) + ".lock")
        try:
            lock.acquire(timeout=self.lock_seconds)
        except Timeout:
            yield False
            return
        try:
            yield True
        finally:
            lock.release()

    def _records(self) -> Iterator[dict[str, Any]]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        for line in text.splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue  # a line cut short by a crash: what it said is still owed
            if isinstance(record, dict):
                yield record

    def _ends_a_line(self) -> bool:
        try:
            with self.path.open("rb") as file:
                if file.seek(0, os.SEEK_END) == 0:
                    return True
                file.seek(-1, os.SEEK_END)
                return file.read(1) == b"\n"
        except FileNotFoundError:
            return True

    def _append(self, records: list[dict[str, Any]]) -> None:
        if not records:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        if not self._ends_a_line():
            text = "\n" + text  # after a line cut short, start a new one
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(descriptor, text.encode("utf-8"))
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
