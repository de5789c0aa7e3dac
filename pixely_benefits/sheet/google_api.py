"""The few Sheets v4 requests pixely makes, with retries and errors in Spanish.

gspread's :class:`~gspread.http_client.HTTPClient` builds and sends every
request; this module adds what it leaves out:

* bounded retries with exponential back-off and jitter (tenacity) on 429,
  5xx, time-outs and lost connections, for at most about a minute. A request
  that may have reached Google (a time-out while waiting for the answer) is
  repeated only when repeating it cannot add anything twice: reads and
  ``values:batchUpdate`` are retried, an ``append`` is not;
* the conversion of gspread, google-auth and requests errors into the
  project's errors, raised ``from`` the original, with the fix in the message.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from pixely_benefits.errors import (
    ConfigurationError,
    PixelyError,
    SheetNotFoundError,
)

if TYPE_CHECKING:
    import requests
    from google.auth.credentials import Credentials
    from gspread.exceptions import APIError

logger = logging.getLogger(__name__)

Result = TypeVar("Result")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class SheetsUnavailableError(SheetNotFoundError):
    """Google was busy, failed or could not be reached, even after retrying."""


class UncertainWriteError(SheetsUnavailableError):
    """A write whose answer never came: Google may or may not have applied it."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How long to keep trying when Google is busy or the network drops."""

    total_seconds: float = 60.0
    """No new attempt starts once this much time would have passed."""
    first_wait: float = 1.0
    max_wait: float = 16.0
    attempts: int = 8
    connect_timeout: float = 10.0
    read_timeout: float = 30.0

    @classmethod
    def within(cls, seconds: float) -> RetryPolicy:
        """The default policy squeezed into ``seconds`` (waits scale down with it)."""
        return cls(total_seconds=seconds, first_wait=min(1.0, seconds / 10))


@dataclass(frozen=True, slots=True)
class Caller:
    """How to name the identity that talks to Google in an error message."""

    account: str | None = None
    """A service account's e-mail, when the credentials are one."""
    source: str | None = None
    """The credentials file, as the user named it."""
    person: bool = False
    """``True`` for a person's login (an authorized-user file)."""


class SheetsApi:
    """One spreadsheet, reached through gspread's HTTP client."""

    def __init__(
        self,
        key: str,
        credentials: Credentials,
        session: requests.Session,
        *,
        policy: RetryPolicy | None = None,
        caller: Caller | None = None,
    ) -> None:
        from gspread.http_client import HTTPClient

        self.key = key
        self.policy = policy or RetryPolicy()
        self.caller = caller or Caller()
        self.client = HTTPClient(credentials, session=session)
        self.client.set_timeout((self.policy.connect_timeout, self.policy.read_timeout))
        self.requests = 0
        """Requests sent, retries included."""

    def metadata(self) -> dict[str, Any]:
        fields = (
            "spreadsheetId,properties(title,locale,timeZone),"
            "sheets(properties(sheetId,title,index,sheetType,gridProperties))"
        )
        params: dict[str, Any] = {"includeGridData": "false", "fields": fields}
        answer = self._call(
            "spreadsheets.get",
            True,
            lambda: self.client.fetch_sheet_metadata(self.key, params=params),
        )
        return dict(answer)

    def batch_get(self, ranges: Sequence[str]) -> list[dict[str, Any]]:
        params: dict[str, Any] = {
            "valueRenderOption": "UNFORMATTED_VALUE",
            "dateTimeRenderOption": "SERIAL_NUMBER",
            "majorDimension": "ROWS",
        }
        answer = self._call(
            "values:batchGet",
            True,
            lambda: self.client.values_batch_get(self.key, list(ranges), params),
        )
        found: list[dict[str, Any]] = answer.get("valueRanges", [])
        return found

    def update_values(self, data: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        body = {"valueInputOption": "RAW", "data": list(data)}
        return self._call(
            "values:batchUpdate",
            True,
            lambda: self.client.values_batch_update(self.key, body),
        )

    def append(self, anchor: str, rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
        params: dict[str, Any] = {
            "valueInputOption": "RAW",
            "insertDataOption": "INSERT_ROWS",
            "includeValuesInResponse": "false",
        }
        body = {"majorDimension": "ROWS", "values": [list(r) for r in rows]}
        return self._call(
            "values:append",
            False,
            lambda: self.client.values_append(self.key, anchor, params, body),
        )

    def batch_update(self, requests: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        body = {"requests": list(requests)}
        return self._call(
            "spreadsheets.batchUpdate",
            False,
            lambda: self.client.batch_update(self.key, body),
        )

    def _call(self, name: str, idempotent: bool, send: Callable[[], Result]) -> Result:
        from tenacity import (
            RetryCallState,
            Retrying,
            retry_if_exception,
            stop_after_attempt,
            stop_before_delay,
            wait_random_exponential,
        )

        policy = self.policy
        started = time.monotonic()
        attempts = 0

        def attempt() -> Result:
            nonlocal attempts
            attempts += 1
            self.requests += 1
            sent = time.monotonic()
            result = send()
            logger.debug("%s %.2fs", name, time.monotonic() - sent)
            return result

        def announce(state: RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            pause = state.next_action.sleep if state.next_action else 0.0
            logger.debug(
                "%s failed (%s); retrying in %.1f s", name, _short(error), pause
            )

        retrying = Retrying(
            retry=retry_if_exception(lambda e: retryable(e, idempotent)),
            stop=stop_after_attempt(policy.attempts)
            | stop_before_delay(policy.total_seconds),
            wait=wait_random_exponential(
                multiplier=policy.first_wait, max=policy.max_wait
            ),
            before_sleep=announce,
            reraise=True,
        )
        try:
            return retrying(attempt)
        except PixelyError:
            raise
        except Exception as error:
            elapsed = time.monotonic() - started
            converted = self.convert(error, attempts, elapsed)
            if converted is None:
                raise
            if (
                not idempotent
                and retryable(error, True)
                and not retryable(error, False)
            ):
                converted = UncertainWriteError(
                    "Google Sheets no contestó a tiempo y no se sabe si guardó el "
                    "cambio: revisa la hoja antes de volver a ejecutar el comando."
                )
            raise converted from error

    def convert(
        self, error: BaseException, attempts: int = 1, elapsed: float = 0.0
    ) -> PixelyError | None:
        """The project's error for ``error``, or ``None`` for a bug to show as is."""
        import requests
        from google.auth import exceptions as auth_errors
        from gspread.exceptions import APIError

        tries = f"tras {attempts} intentos en {elapsed:.0f} s" if attempts > 1 else ""
        if isinstance(error, APIError):
            return self._api_error(error, tries)
        if isinstance(error, auth_errors.RefreshError):
            return self._refused(error)
        if isinstance(error, requests.Timeout):
            return SheetsUnavailableError(
                f"Google Sheets no respondió a tiempo{_space(tries)}: puede ser la red "
                "o Google; espera unos minutos y vuelve a ejecutar el comando."
            )
        if isinstance(error, requests.ConnectionError | auth_errors.TransportError):
            return SheetsUnavailableError(
                f"No hay conexión con Google Sheets{_space(tries)}: comprueba la "
                "conexión a internet (o el proxy) y vuelve a ejecutar el comando."
            )
        if isinstance(error, ValueError):  # an answer that is not JSON
            return SheetNotFoundError(
                "Google Sheets devolvió una respuesta que no se entiende: vuelve a "
                "ejecutar el comando en unos minutos."
            )
        return None

    def _api_error(self, error: APIError, tries: str) -> PixelyError:
        status = error.response.status_code
        body = error.error if isinstance(error.error, Mapping) else {}
        message = str(body.get("message", ""))
        reason = str(body.get("status", ""))
        detail = f"{message} {reason} {body.get('details', '')}".lower()
        if status in RETRY_STATUSES:
            what = "está saturado" if status == 429 else "tuvo un error interno"
            return SheetsUnavailableError(
                f"Google Sheets {what} ({status}){_space(tries)}: espera unos minutos "
                "y vuelve a ejecutar el comando."
            )
        if status == 404:
            return SheetNotFoundError(
                f"No existe una hoja de Google con el ID «{self.key}» (o fue borrada): "
                "copia de nuevo la URL de la hoja en --sheet o en PIXELY_SHEET."
            )
        if status == 403 and "scope" in detail:
            return ConfigurationError(
                "La credencial no tiene permiso para usar Google Sheets (falta el "
                "alcance https://www.googleapis.com/auth/spreadsheets): usa una cuenta "
                "de servicio, o vuelve a iniciar sesión con «gcloud auth "
                "application-default login --scopes=https://www.googleapis.com/auth/"
                "spreadsheets,https://www.googleapis.com/auth/cloud-platform»."
            )
        if status == 403 and "protected" in detail:
            who = (
                f"la cuenta «{self.caller.account}»"
                if self.caller.account
                else "tu cuenta"
            )
            return SheetNotFoundError(
                f"Una pestaña o un rango de la hoja está protegido y {who} no puede "
                "editarlo: pide a quien lo protegió que le dé permiso (Datos > Proteger "
                "hojas y rangos)."
            )
        if status == 403 and "quota project" in detail:
            return ConfigurationError(
                "Tu inicio de sesión de Google no tiene un proyecto de cuota: ejecuta "
                "«gcloud auth application-default set-quota-project ID-DEL-PROYECTO» "
                "con un proyecto que tenga activada la API de Google Sheets."
            )
        if status == 403 and (
            "service_disabled" in detail or "not been used" in detail
        ):
            return ConfigurationError(
                "La API de Google Sheets no está activada en el proyecto de la "
                "credencial: actívala en console.cloud.google.com (APIs y servicios > "
                "Biblioteca > Google Sheets API), espera unos minutos y reintenta."
            )
        if status == 403:
            return SheetNotFoundError(self._not_shared())
        if status == 401:
            return self._refused(error)
        if status == 400 and "unable to parse range" in detail:
            return SheetNotFoundError(
                "Una pestaña cambió de nombre o se borró mientras pixely trabajaba: "
                "vuelve a ejecutar el comando."
            )
        if status == 400 and "not supported for this document" in detail:
            return SheetNotFoundError(
                "El archivo es un Excel guardado en Drive, no una hoja de Google: ábrelo "
                "y usa Archivo > Guardar como hoja de cálculo de Google, y usa la URL "
                "de esa copia."
            )
        return SheetNotFoundError(
            f"Google Sheets rechazó la petición ({status}: {message or reason}): "
            "revisa que la hoja no esté protegida ni a medio editar y vuelve a intentarlo."
        )

    def _not_shared(self) -> str:
        if self.caller.account:
            return (
                f"La hoja no está compartida con la cuenta de servicio "
                f"«{self.caller.account}»: en Google Sheets pulsa Compartir, añade ese "
                "correo como Editor y vuelve a ejecutar el comando."
            )
        if self.caller.person:
            return (
                "Tu cuenta de Google no tiene acceso a esta hoja: pide a quien la creó "
                "que te la comparta como Editor, o usa una cuenta de servicio."
            )
        return (
            "La cuenta con la que pixely entra no tiene acceso a esta hoja: compártela "
            "con ella como Editor y vuelve a ejecutar el comando."
        )

    def _refused(self, error: BaseException) -> ConfigurationError:
        if "scope" in str(error).lower():
            return ConfigurationError(
                "La credencial no tiene permiso para usar Google Sheets (falta el "
                "alcance https://www.googleapis.com/auth/spreadsheets): vuelve a "
                "iniciar sesión pidiendo ese alcance o usa una cuenta de servicio."
            )
        source = f" «{self.caller.source}»" if self.caller.source else ""
        return ConfigurationError(
            f"Google rechazó la credencial{source} (clave revocada, cuenta borrada o "
            "reloj del equipo desajustado): descarga una clave nueva de la cuenta de "
            "servicio, o revisa la fecha y hora del equipo."
        )


def retryable(error: BaseException, idempotent: bool) -> bool:
    """Whether another attempt may help and cannot write anything twice."""
    import requests
    from google.auth import exceptions as auth_errors
    from gspread.exceptions import APIError

    if isinstance(error, APIError):
        return error.response.status_code in RETRY_STATUSES
    if isinstance(error, requests.ConnectTimeout):
        return True
    if isinstance(error, requests.Timeout):
        return idempotent
    if isinstance(error, requests.ConnectionError):
        return idempotent or _never_sent(error)
    return isinstance(error, auth_errors.TransportError)


def _never_sent(error: BaseException) -> bool:
    """A connection that failed before the request left (refused, no DNS...)."""
    from urllib3.exceptions import NewConnectionError

    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, NewConnectionError):
            return True
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            current = reason
            continue
        arguments = getattr(current, "args", ())
        nested = next((a for a in arguments if isinstance(a, BaseException)), None)
        current = nested or current.__cause__ or current.__context__
    return False


def _short(error: BaseException | None) -> str:
    from gspread.exceptions import APIError

    if isinstance(error, APIError):
        return f"{error.response.status_code} {error.error.get('status', '')}".strip()
    return type(error).__name__ if error is not None else "?"


def _space(text: str) -> str:
    return f" {text}" if text else ""
