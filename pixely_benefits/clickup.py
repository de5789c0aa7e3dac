"""A small client of ClickUp's API v2: the few requests pixely makes.

* A personal token goes as it is in the ``Authorization`` header (no
  "Bearer"); it is never logged or put into a message.
* Rate limit (100 requests a minute on most plans): every answer carries
  ``X-RateLimit-Remaining`` and ``X-RateLimit-Reset`` (Unix seconds). When
  nothing remains, the next request first waits for the reset; a ``429`` waits
  for the reset and repeats the request. Each wait is at most ``max_wait``
  seconds and a request is tried at most ``attempts`` times, so a run never
  hangs. A ``429`` is safe to repeat: ClickUp refused the request.
* Server errors (``5xx``), time-outs and lost connections are *not* repeated
  here: a ``POST`` that may have reached ClickUp could add a comment twice.
  The caller keeps what is owed and tries again on its next run.
* Errors become :class:`ClickUpError`, with one Spanish sentence, raised
  ``from`` the original.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from pixely_benefits.errors import PixelyError

if TYPE_CHECKING:
    import requests

logger = logging.getLogger(__name__)

DEFAULT_URL = "https://api.clickup.com/api/v2"

_TASK_URL = re.compile(r"^https?://(?:[\w-]+\.)*clickup\.com/t/(?:[^/?#]+/)*([^/?#]+)")
_TASK_ID = re.compile(r"^#?([0-9A-Za-z]+)$")


class ClickUpError(PixelyError):
    """ClickUp refused a request or could not be reached."""

    def __init__(self, message: str, *, status: int | None, stops_run: bool) -> None:
        super().__init__(message)
        self.status = status
        self.stops_run = stops_run
        """``True`` when the next requests would fail the same way (token, server,
        network, rate limit); ``False`` when only this task or list is at fault."""


@dataclass(frozen=True, slots=True)
class Task:
    task_id: str
    name: str
    url: str | None = None


def task_id_from(text: str) -> str | None:
    """The task ID in a ``ClickUp`` cell: an ID (``86abc123``, ``#86abc123``) or a
    task URL (``https://app.clickup.com/t/86abc123``); ``None`` if it is neither.

    Known limit: custom task IDs (``PROJ-123``) need the workspace ID as well
    and are not supported; such a cell is reported as not an ID.
    """
    text = text.strip()
    if found := _TASK_URL.match(text):
        text = found.group(1)
    found = _TASK_ID.match(text)
    return found.group(1) if found else None


def due_millis(day: date) -> int:
    """A date-only due date as ClickUp wants it: Unix milliseconds.

    Noon UTC, so the day shown is the same in every time zone from UTC-11 to
    UTC+11 (ClickUp shows the date in the viewer's zone).
    """
    moment = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    return int(moment.timestamp()) * 1000


class ClickUp:
    """One token talking to ClickUp's API v2 (or to ``base_url``, e.g. a test server)."""

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_URL,
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        max_wait: float = 65.0,
        attempts: int = 4,
        timeout: tuple[float, float] = (10.0, 30.0),
    ) -> None:
        import requests

        self._token = token
        self._base = base_url.rstrip("/")
        self._session = session or requests.Session()
        self._sleep = sleep
        self._clock = clock
        self._max_wait = max_wait
        self._attempts = attempts
        self._timeout = timeout
        self._reset_at: float | None = None
        """When the window resets, if the last answer said nothing remains in it."""
        self.requests = 0
        """Requests sent so far, repeats included."""

    # --- the requests -----------------------------------------------------------

    def user(self) -> str:
        """The name of the token's owner (``GET /user``): checks the token."""
        answer = self._call("GET", "/user", what="el token")
        user = answer.get("user") or {}
        return str(user.get("username") or user.get("email") or user.get("id") or "")

    def list_name(self, list_id: str) -> str:
        """The name of the list (``GET /list/{id}``): checks it exists and is reachable."""
        answer = self._call("GET", f"/list/{list_id}", what=f"la lista «{list_id}»")
        return str(answer.get("name") or list_id)

    def task(self, task_id: str) -> Task:
        answer = self._call("GET", f"/task/{task_id}", what=f"la tarea «{task_id}»")
        return _task(answer, task_id)

    def create_task(
        self, list_id: str, name: str, description: str, due: date | None
    ) -> Task:
        """Create a task in ``list_id`` (``POST /list/{id}/task``)."""
        body: dict[str, Any] = {"name": name, "description": description}
        if due is not None:
            body["due_date"] = due_millis(due)
            body["due_date_time"] = False
        answer = self._call(
            "POST", f"/list/{list_id}/task", body, what=f"la lista «{list_id}»"
        )
        return _task(answer, "")

    def comment(self, task_id: str, text: str) -> str:
        """Add a comment to a task (``POST /task/{id}/comment``); its ID."""
        body = {"comment_text": text, "notify_all": False}
        answer = self._call(
            "POST", f"/task/{task_id}/comment", body, what=f"la tarea «{task_id}»"
        )
        return str(answer.get("id", ""))

    # --- transport --------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        *,
        what: str,
    ) -> dict[str, Any]:
        import requests

        url = self._base + path
        headers = {"Authorization": self._token, "Accept": "application/json"}
        for attempt in range(1, self._attempts + 1):
            self._wait_for_window()
            self.requests += 1
            try:
                response = self._session.request(
                    method, url, json=body, headers=headers, timeout=self._timeout
                )
            except requests.RequestException as error:
                logger.debug("%s %s failed: %s", method, path, type(error).__name__)
                raise ClickUpError(
                    "No se pudo conectar con ClickUp: revisa la conexión a internet "
                    "(se reintentará en la próxima ejecución).",
                    status=None,
                    stops_run=True,
                ) from error
            logger.debug("%s %s -> %s", method, path, response.status_code)
            self._note_window(response.headers)
            if response.status_code == 429 and attempt < self._attempts:
                self._sleep(self._seconds_to_reset(response.headers))
                continue
            if response.status_code >= 400:
                raise _error(response, what)
            try:
                answer = response.json()
            except ValueError as error:
                raise ClickUpError(
                    "ClickUp respondió algo que no es JSON: inténtalo más tarde.",
                    status=response.status_code,
                    stops_run=True,
                ) from error
            return answer if isinstance(answer, dict) else {}
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _note_window(self, headers: Mapping[str, str]) -> None:
        remaining = _number(headers.get("X-RateLimit-Remaining"))
        if remaining is not None and remaining <= 0:
            self._reset_at = self._clock() + self._seconds_to_reset(headers)
        else:
            self._reset_at = None

    def _wait_for_window(self) -> None:
        if self._reset_at is None:
            return
        wait = self._reset_at - self._clock()
        self._reset_at = None
        if wait > 0:
            logger.debug("ClickUp rate limit: waiting %.1f s", wait)
            self._sleep(min(wait, self._max_wait))

    def _seconds_to_reset(self, headers: Mapping[str, str]) -> float:
        """Seconds until the window resets (one more for the header's rounding),
        within ``[1, max_wait]``; a minute when the header is missing."""
        reset = _number(headers.get("X-RateLimit-Reset"))
        wait = 60.0 if reset is None else reset - self._clock() + 1
        return max(1.0, min(wait, self._max_wait))


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _task(answer: Mapping[str, Any], fallback: str) -> Task:
    task_id = str(answer.get("id") or fallback)
    if not task_id:
        raise ClickUpError(
            "ClickUp creó la tarea pero no devolvió su ID: revisa la lista en ClickUp.",
            status=None,
            stops_run=False,
        )
    url = answer.get("url")
    return Task(task_id, str(answer.get("name") or ""), str(url) if url else None)


def _error(response: requests.Response, what: str) -> ClickUpError:
    status = response.status_code
    try:
        detail = response.json()
        reason = str(detail.get("err") or "") if isinstance(detail, dict) else ""
    except ValueError:
        reason = ""
    said = f" ({reason})" if reason else ""
    if status == 401:
        return ClickUpError(
            f"ClickUp no aceptó el token{said}: revisa PIXELY_CLICKUP_TOKEN (un token "
            "personal de ClickUp, en Configuración → Apps).",
            status=status,
            stops_run=True,
        )
    if status == 429:
        return ClickUpError(
            "ClickUp sigue limitando las peticiones (demasiadas por minuto): "
            "se reintentará en la próxima ejecución.",
            status=status,
            stops_run=True,
        )
    if status >= 500:
        return ClickUpError(
            f"ClickUp tuvo un error interno ({status}): se reintentará en la próxima "
            "ejecución.",
            status=status,
            stops_run=True,
        )
    if status == 404:
        message = f"ClickUp no encuentra {what}{said}: revisa el ID o el enlace."
    elif status == 403:
        message = f"El token no tiene acceso a {what}{said}: pide acceso en ClickUp."
    else:
        message = f"ClickUp rechazó la petición sobre {what} ({status}){said}."
    return ClickUpError(message, status=status, stops_run=False)
