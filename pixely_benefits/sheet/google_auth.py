"""Who pixely is to Google, and the HTTP session that carries the requests.

Credentials come from a JSON file named by ``PIXELY_GOOGLE_CREDENTIALS`` or
``GOOGLE_APPLICATION_CREDENTIALS``, else from the file that ``gcloud auth
application-default login`` leaves. Two kinds are accepted:

* a service-account key (``"type": "service_account"``): the sheet must be
  shared with the account's ``client_email``;
* an authorized-user file (``"type": "authorized_user"``), left by a person's
  login: the tool acts as that person.

``PIXELY_SHEETS_EMULATOR_HOST=host:port`` works like the emulator switches of
Google's own SDKs: the same requests go over plain HTTP to that address, with
anonymous credentials. It exists for tests and for trying the tool offline.

Neither the token nor the private key is ever printed or logged: error
messages name the file and the account's e-mail, nothing else.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pixely_benefits.errors import ConfigurationError

if TYPE_CHECKING:
    import requests
    from google.auth.credentials import Credentials

SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)
SHEETS_ORIGIN = "https://sheets.googleapis.com"
VARIABLES = "PIXELY_GOOGLE_CREDENTIALS o GOOGLE_APPLICATION_CREDENTIALS"


@dataclass(frozen=True, slots=True)
class Identity:
    """The credentials to send, and how to name them in a message."""

    credentials: Credentials
    account: str | None
    """The service account's ``client_email``; ``None`` for a person's login."""
    source: Path | None


def default_credentials_file() -> Path | None:
    """The file ``gcloud auth application-default login`` writes, if it exists."""
    folder = os.environ.get("CLOUDSDK_CONFIG")
    if folder:
        base = Path(folder)
    elif os.name == "nt":
        base = Path(os.environ.get("APPDATA", "~")) / "gcloud"
    else:
        base = Path("~/.config/gcloud")
    found = base.expanduser() / "application_default_credentials.json"
    return found if found.is_file() else None


def _read_json(path: Path) -> dict[str, Any]:
    shown = f"«{path}»"
    try:
        text = path.expanduser().read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigurationError(
            f"No existe el archivo de credenciales {shown}: revisa la ruta en "
            f"{VARIABLES}."
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigurationError(
            f"No se puede leer el archivo de credenciales {shown}: comprueba que "
            "sea el JSON descargado de Google Cloud y que tengas permiso para leerlo."
        ) from error
    try:
        info = json.loads(text)
    except ValueError:
        raise ConfigurationError(
            f"El archivo de credenciales {shown} no es un JSON válido: descarga de "
            "nuevo la clave de la cuenta de servicio (Google Cloud > IAM > Cuentas de "
            "servicio > Claves > Agregar clave > JSON)."
        ) from None
    if not isinstance(info, dict):
        raise ConfigurationError(
            f"El archivo de credenciales {shown} no tiene el formato de Google: usa la "
            "clave JSON de una cuenta de servicio."
        )
    return info


def account_in(path: Path | None) -> str | None:
    """The ``client_email`` written in a credentials file, if it can be read."""
    if path is None:
        return None
    try:
        info = _read_json(path)
    except ConfigurationError:
        return None
    email = info.get("client_email")
    return email if isinstance(email, str) else None


def load_identity(path: Path) -> Identity:
    """Build the credentials described by the JSON file at ``path``."""
    info = _read_json(path)
    kind = info.get("type")
    shown = f"«{path}»"
    if kind == "service_account":
        from google.oauth2 import service_account

        try:
            credentials = service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
                info, scopes=list(SCOPES)
            )
        except (ValueError, TypeError) as error:
            raise ConfigurationError(
                f"La clave de cuenta de servicio {shown} está incompleta o dañada (falta "
                "client_email, token_uri o una private_key válida): descarga una clave "
                "JSON nueva de esa cuenta."
            ) from error
        return Identity(credentials, str(info["client_email"]), path)
    if kind == "authorized_user":
        from google.oauth2.credentials import Credentials as UserCredentials

        try:
            user = UserCredentials.from_authorized_user_info(  # type: ignore[no-untyped-call]
                info, scopes=list(SCOPES)
            )
        except (ValueError, TypeError) as error:
            raise ConfigurationError(
                f"El archivo de usuario {shown} está incompleto (faltan refresh_token, "
                "client_id o client_secret): vuelve a iniciar sesión con «gcloud auth "
                "application-default login --scopes=https://www.googleapis.com/auth/"
                "spreadsheets,https://www.googleapis.com/auth/cloud-platform»."
            ) from error
        return Identity(user, None, path)
    if "installed" in info or "web" in info:
        raise ConfigurationError(
            f"{shown} es el archivo de cliente OAuth, no una credencial: usa la clave "
            "JSON de una cuenta de servicio (o el archivo que deja «gcloud auth "
            "application-default login»)."
        )
    raise ConfigurationError(
        f"El archivo de credenciales {shown} no es de una cuenta de servicio ni de un "
        f"usuario (type={kind!r}): usa la clave JSON de una cuenta de servicio."
    )


def find_identity(configured: Path | None) -> Identity:
    """The identity from the configured file, else from gcloud's default login."""
    path = configured or default_credentials_file()
    if path is None:
        raise ConfigurationError(
            "Para usar una hoja de Google falta la credencial: guarda la clave JSON de "
            f"una cuenta de servicio e indica su ruta en {VARIABLES} (por ejemplo en "
            "el archivo .env)."
        )
    return load_identity(path)


def authorized_session(identity: Identity) -> requests.Session:
    from google.auth.transport.requests import AuthorizedSession

    return AuthorizedSession(identity.credentials)  # type: ignore[no-untyped-call]


def emulator_session(host: str) -> requests.Session:
    """A session that sends Sheets requests to ``http://host`` without credentials.

    The requests are built exactly as for Google (gspread makes the URLs); an
    adapter mounted for the Sheets origin only swaps the scheme and address.
    """
    from google.auth.credentials import AnonymousCredentials
    from google.auth.transport.requests import AuthorizedSession
    from requests.adapters import HTTPAdapter

    target = host.strip().removeprefix("http://").rstrip("/")
    if not target or "/" in target:
        raise ConfigurationError(
            f"PIXELY_SHEETS_EMULATOR_HOST=«{host}» no es una dirección: usa host:puerto, "
            "por ejemplo 127.0.0.1:8085."
        )

    class EmulatorAdapter(HTTPAdapter):
        def send(
            self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
        ) -> requests.Response:
            url = request.url or ""
            if url.startswith(SHEETS_ORIGIN):
                request.url = f"http://{target}{url[len(SHEETS_ORIGIN) :]}"
            return super().send(request, *args, **kwargs)

    anonymous = AnonymousCredentials()  # type: ignore[no-untyped-call]
    session = AuthorizedSession(anonymous)  # type: ignore[no-untyped-call]
    session.mount(SHEETS_ORIGIN, EmulatorAdapter())
    return session
