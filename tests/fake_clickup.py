"""A fake ClickUp API v2, served over real HTTP on 127.0.0.1 for tests.

It answers the requests pixely makes, in the shapes of ClickUp's API v2:

* ``GET /api/v2/user`` -> ``{"user": {...}}``;
* ``GET /api/v2/list/{id}`` -> the list (``404`` with ``err``/``ECODE`` if unknown);
* ``POST /api/v2/list/{id}/task`` (``name`` required, ``due_date`` in Unix ms)
  -> the task, with its ``id`` and ``url``;
* ``GET /api/v2/task/{id}`` -> the task;
* ``POST /api/v2/task/{id}/comment`` (``comment_text`` required) -> ``{"id", "hist_id",
  "date"}``.

The ``Authorization`` header must be the personal token as it is (no "Bearer"),
else ``401``. Every answer carries ``X-RateLimit-Limit``, ``-Remaining`` and
``-Reset`` (Unix seconds) for a window of ``limit`` requests a minute, measured
with ``clock`` (a test can share a fake clock with the client); a request over
the limit gets ``429``. Faults can be queued (:meth:`FakeClickUp.fail`), and
every request is recorded in :attr:`FakeClickUp.calls`.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "pk_81234567_FAKETOKENFORTESTS0123456789ABCD"


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    authorization: str | None
    body: dict[str, Any] | None


@dataclass
class Fault:
    status: int
    times: int
    path: str | None
    reset_in: float | None


@dataclass
class FakeClickUp:
    token: str = TOKEN
    lists: dict[str, str] = field(default_factory=lambda: {"901": "Clientes Pixely"})
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    limit: int = 100
    clock: Callable[[], float] = time.time
    calls: list[Call] = field(default_factory=list)
    comments: list[tuple[str, str]] = field(default_factory=list)
    """``(task ID, comment text)`` in the order received."""
    faults: list[Fault] = field(default_factory=list)
    _window: tuple[float, int] = (0.0, 0)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/api/v2"

    def add_task(self, task_id: str, name: str, list_id: str = "901") -> None:
        self.tasks[task_id] = _task(task_id, name, "", None, list_id)

    def fail(
        self,
        status: int,
        times: int = 1,
        *,
        path: str | None = None,
        reset_in: float | None = None,
    ) -> None:
        """Answer ``status`` to the next ``times`` requests (whose path contains
        ``path``, if given); a ``429`` says the window resets in ``reset_in`` s."""
        self.faults.append(Fault(status, times, path, reset_in))

    def created(self) -> list[dict[str, Any]]:
        """The bodies of the tasks created, with ``list`` (its ID) added."""
        return [
            {**c.body, "list": c.path.split("/")[4]}
            for c in self.calls
            if c.method == "POST" and c.path.endswith("/task") and c.body is not None
        ]

    @contextmanager
    def running(self) -> Iterator[FakeClickUp]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join()

    # --- serving --------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        path = handler.path.split("?")[0]
        with self._lock:
            self.calls.append(
                Call(method, path, handler.headers.get("Authorization"), body)
            )
            status, answer, headers = self._answer(method, path, body, handler)
        data = json.dumps(answer).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _answer(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        handler: BaseHTTPRequestHandler,
    ) -> tuple[int, Any, dict[str, str]]:
        now = self.clock()
        start, used = self._window
        if now >= start + 60:
            start, used = now, 0
        used += 1
        self._window = (start, used)
        reset = start + 60
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(self.limit - used, 0)),
            "X-RateLimit-Reset": str(int(reset)),
        }
        for fault in self.faults:
            if fault.times > 0 and (fault.path is None or fault.path in path):
                fault.times -= 1
                if fault.status == 429:
                    reset_at = now + (fault.reset_in if fault.reset_in else 60)
                    headers["X-RateLimit-Remaining"] = "0"
                    headers["X-RateLimit-Reset"] = str(int(reset_at))
                    return (
                        429,
                        {"err": "Rate limit reached", "ECODE": "APP_002"},
                        headers,
                    )
                return (
                    fault.status,
                    {"err": "Internal error", "ECODE": "APP_001"},
                    headers,
                )
        if used > self.limit:
            return 429, {"err": "Rate limit reached", "ECODE": "APP_002"}, headers
        auth = handler.headers.get("Authorization")
        if not auth:
            return (
                401,
                {"err": "Authorization header required", "ECODE": "OAUTH_017"},
                headers,
            )
        if auth != self.token:
            return 401, {"err": "Token invalid", "ECODE": "OAUTH_025"}, headers
        status, answer = self._route(method, path, body or {})
        return status, answer, headers

    def _route(self, method: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        if method == "GET" and path == "/api/v2/user":
            user = {"id": 8123, "username": "Lucía Pixely", "email": "lucia@pixely.pe"}
            return 200, {"user": user}
        if found := re.fullmatch(r"/api/v2/list/([^/]+)", path):
            list_id = found.group(1)
            if method == "GET" and list_id in self.lists:
                return 200, {"id": list_id, "name": self.lists[list_id]}
            return 404, {"err": "List not found", "ECODE": "ITEM_013"}
        if found := re.fullmatch(r"/api/v2/list/([^/]+)/task", path):
            list_id = found.group(1)
            if method != "POST" or list_id not in self.lists:
                return 404, {"err": "List not found", "ECODE": "ITEM_013"}
            if not str(body.get("name") or "").strip():
                return 400, {"err": "Task name invalid", "ECODE": "INPUT_005"}
            task_id = f"86c{len(self.tasks) + 1:05d}"
            due = body.get("due_date")
            task = _task(
                task_id, body["name"], body.get("description", ""), due, list_id
            )
            self.tasks[task_id] = task
            return 200, task
        if found := re.fullmatch(r"/api/v2/task/([^/]+)", path):
            task = self.tasks.get(found.group(1))
            if method == "GET" and task is not None:
                return 200, task
            return 404, {"err": "Task not found, deleted", "ECODE": "ITEM_013"}
        if found := re.fullmatch(r"/api/v2/task/([^/]+)/comment", path):
            task_id = found.group(1)
            if method != "POST" or task_id not in self.tasks:
                return 404, {"err": "Task not found, deleted", "ECODE": "ITEM_013"}
            text = body.get("comment_text")
            if not isinstance(text, str) or not text:
                return 400, {"err": "Comment text required", "ECODE": "INPUT_004"}
            self.comments.append((task_id, text))
            number = len(self.comments)
            return 200, {"id": 90000 + number, "hist_id": f"h{number}", "date": 0}
        return 404, {"err": "Route not found", "ECODE": "APP_404"}


def _task(
    task_id: str, name: str, description: str, due: Any, list_id: str
) -> dict[str, Any]:
    return {
        "id": task_id,
        "name": name,
        "description": description,
        "due_date": str(due) if due is not None else None,
        "url": f"https://app.clickup.com/t/{task_id}",
        "list": {"id": list_id},
    }
