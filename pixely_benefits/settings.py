"""Settings of the machine that runs pixely: environment variables and ``.env``.

Business settings (agency name, time zone...) live in the sheet's
``Configuración`` tab instead; see :class:`pixely_benefits.records.BusinessSettings`.
Secrets are read here and never printed: their fields are ``SecretStr``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from pixely_benefits.errors import ConfigurationError


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PIXELY_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    sheet: str | None = Field(default=None, description="PIXELY_SHEET")
    templates: Path | None = Field(default=None, description="PIXELY_TEMPLATES")
    outbox: Path = Field(default=Path("salida"), description="PIXELY_OUTBOX")
    user: str | None = Field(default=None, description="PIXELY_USER")
    now: datetime | None = Field(
        default=None,
        description="PIXELY_NOW: a fixed local time such as 2026-12-03T09:30 (testing aid)",
    )
    mail_from: str | None = Field(default=None, description="PIXELY_MAIL_FROM")
    mail_reply_to: str | None = Field(default=None, description="PIXELY_MAIL_REPLY_TO")
    # The SMTP settings stay text here and are checked by pixely_benefits.mail,
    # so that a typo gives a Spanish message there instead of stopping every
    # command of the tool.
    smtp_host: str | None = Field(default=None, description="PIXELY_SMTP_HOST")
    smtp_port: str | None = Field(
        default=None, description="PIXELY_SMTP_PORT: by default 587, 465 or 25"
    )
    smtp_security: str | None = Field(
        default=None, description="PIXELY_SMTP_SECURITY: starttls (default), ssl, none"
    )
    smtp_user: str | None = Field(default=None, description="PIXELY_SMTP_USER")
    smtp_password: SecretStr | None = Field(
        default=None, description="PIXELY_SMTP_PASSWORD"
    )
    google_credentials: Path | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "PIXELY_GOOGLE_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS"
        ),
        description="PIXELY_GOOGLE_CREDENTIALS or GOOGLE_APPLICATION_CREDENTIALS",
    )
    sheets_emulator_host: str | None = Field(
        default=None, description="PIXELY_SHEETS_EMULATOR_HOST"
    )
    google_retry_seconds: float = Field(
        default=60.0, gt=0, description="PIXELY_GOOGLE_RETRY_SECONDS"
    )
    clickup_token: SecretStr | None = Field(
        default=None, description="PIXELY_CLICKUP_TOKEN: turns the ClickUp sync on"
    )
    clickup_list: str | None = Field(default=None, description="PIXELY_CLICKUP_LIST")
    clickup_url: str | None = Field(
        default=None,
        description="PIXELY_CLICKUP_URL: another API address, e.g. a local test server "
        "(testing aid)",
    )
    data_dir: Path | None = Field(
        default=None,
        description="PIXELY_DATA_DIR: the folder of the local journals; by default "
        "the user data folder (testing aid)",
    )


def get_settings() -> Settings:
    """The settings, or one Spanish line naming the variable that is wrong."""
    try:
        return Settings()
    except ValidationError as error:
        raise ConfigurationError(_explain(error)) from None


_EXPECTED = {
    "now": "una fecha y hora como 2026-12-03T09:30",
    "google_retry_seconds": "un número de segundos mayor que 0, como 60",
}


def _explain(error: ValidationError) -> str:
    """Which variables are wrong and what they should hold; values never shown.

    A value may be a secret (a password pasted into the wrong variable), so
    the message names the variable only.
    """
    fields = Settings.model_fields
    names: list[str] = []
    for detail in error.errors():
        key = str(detail["loc"][0]) if detail["loc"] else ""
        field = fields.get(key)
        variable = f"PIXELY_{key.upper()}"
        if field is not None and field.description:
            variable = field.description.split(":")[0].split(" or ")[0]
        expected = _EXPECTED.get(key, "un valor válido")
        names.append(f"{variable} debe ser {expected}")
    what = (
        "Una variable de configuración no es válida"
        if len(names) == 1
        else "Algunas variables de configuración no son válidas"
    )
    return (
        f"{what} (en el entorno o en el archivo .env): {'; '.join(names)}. "
        "Corrige el valor o quita la variable."
    )
