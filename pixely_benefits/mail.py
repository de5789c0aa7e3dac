"""Sending e-mail over SMTP: the settings, one connection, one message at a time.

The settings come from the environment or ``.env`` (see ``.env.example``):
``PIXELY_SMTP_HOST``, ``PIXELY_SMTP_PORT``, ``PIXELY_SMTP_SECURITY``
(``starttls``, the default; ``ssl``; ``none``), ``PIXELY_SMTP_USER``,
``PIXELY_SMTP_PASSWORD``, and the sender ``PIXELY_MAIL_FROM`` /
``PIXELY_MAIL_REPLY_TO`` that the drafts use too. The password is a
``SecretStr``: it is only unwrapped to log in, and nothing here logs or prints
it (smtplib's debug output, which would show it, is never turned on).

A fault of the connection (host unreachable, TLS, a wrong password, the
server hanging up) raises a :class:`MailError` subclass with one Spanish
sentence saying what to fix. A message that the server refuses is not an
error: :meth:`SmtpSession.send` returns a :class:`Reply` saying so, and the
caller notes it and goes on with the next one.

:meth:`SmtpSession.send` speaks the SMTP transaction step by step (``MAIL``,
``RCPT``, ``DATA``, the text) instead of calling ``smtplib.sendmail``, so that
the caller can record, just before the text goes out, that from then on the
server may hold the message: see :mod:`pixely_benefits.send_journal`.
"""

from __future__ import annotations

import contextlib
import logging
import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from enum import StrEnum
from types import TracebackType
from typing import TYPE_CHECKING

from pydantic import SecretStr

from pixely_benefits.errors import ConfigurationError, PixelyError

if TYPE_CHECKING:
    from pixely_benefits.settings import Settings

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 60.0
"""How long to wait for the server to answer one command."""


class Security(StrEnum):
    STARTTLS = "starttls"
    SSL = "ssl"
    NONE = "none"


DEFAULT_PORTS = {Security.STARTTLS: 587, Security.SSL: 465, Security.NONE: 25}


class MailError(PixelyError):
    """The mail server cannot be used: nothing more can be sent on this connection."""


class MailConnectionError(MailError):
    """The server cannot be reached, or it hung up.

    ``after_text`` is true when the connection was lost after the message text
    had gone out and before the server answered: the server may have kept it.
    """

    def __init__(self, message: str, *, after_text: bool = False) -> None:
        super().__init__(message)
        self.after_text = after_text


class MailAuthError(MailError):
    """The server refused the user or the password, or asks for one."""


class MailTLSError(MailError):
    """The encrypted connection could not be set up."""


class MailSenderError(MailError):
    """The server refuses the sender address, so it would refuse every message."""


@dataclass(frozen=True)
class MailConfig:
    """Where and how to send, checked; :func:`mail_config` builds it from settings."""

    host: str
    port: int
    security: Security
    sender: Address
    reply_to: Address | None = None
    user: str | None = None
    password: SecretStr | None = field(default=None, repr=False)
    timeout: float = TIMEOUT_SECONDS

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"


def mail_config(settings: Settings) -> MailConfig:
    """The SMTP settings, or :class:`ConfigurationError` naming what to fix."""
    from pixely_benefits.outbox import sender_from

    host = (settings.smtp_host or "").strip()
    if not host:
        raise ConfigurationError(
            "Falta PIXELY_SMTP_HOST, el servidor de correo (p. ej. smtp.gmail.com): "
            "defínelo en el entorno o en .env para enviar correos."
        )
    security = _security(settings.smtp_security)
    port = _port(settings.smtp_port, security)
    sender = sender_from(settings)
    if sender.mail_from is None:
        raise ConfigurationError(
            "Falta PIXELY_MAIL_FROM, el remitente de los correos (p. ej. "
            "«Pixely <hola@pixely.pe>»): defínelo en el entorno o en .env."
        )
    user = (settings.smtp_user or "").strip() or None
    password = settings.smtp_password
    if password is not None and not password.get_secret_value():
        password = None
    if (user is None) != (password is None):
        missing = "PIXELY_SMTP_PASSWORD" if password is None else "PIXELY_SMTP_USER"
        raise ConfigurationError(
            f"Falta {missing}: el usuario y la contraseña del correo van juntos "
            "(defínelos los dos, o ninguno si el servidor no pide autenticación)."
        )
    return MailConfig(
        host=host,
        port=port,
        security=security,
        sender=sender.mail_from,
        reply_to=sender.reply_to,
        user=user,
        password=password,
    )


def _security(value: str | None) -> Security:
    text = (value or "").strip().lower()
    if not text:
        return Security.STARTTLS
    try:
        return Security(text)
    except ValueError:
        raise ConfigurationError(
            f"PIXELY_SMTP_SECURITY («{value}») no es válido: usa starttls (puerto 587), "
            "ssl (puerto 465) o none (sin cifrado, solo en una red de confianza)."
        ) from None


def _port(value: str | None, security: Security) -> int:
    text = (value or "").strip()
    if not text:
        return DEFAULT_PORTS[security]
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ConfigurationError(
            f"PIXELY_SMTP_PORT («{value}») no es un puerto: escribe un número como "
            "587 (starttls), 465 (ssl) o 25."
        )
    return int(text)


# --- the message ----------------------------------------------------------------------


def outgoing(
    draft: EmailMessage,
    config: MailConfig,
    *,
    to: Address,
    message_id: str,
    sent_at: datetime,
) -> EmailMessage:
    """``draft`` ready to go: sender from the settings, ``to``, date and Message-ID.

    The draft's ``X-Unsent`` mark goes; everything else (subject, both parts,
    ``X-Pixely-Delivery``) stays as prepared.
    """
    for header in ("From", "Reply-To", "To", "Date", "Message-ID", "X-Unsent"):
        del draft[header]
    draft["From"] = config.sender
    if config.reply_to is not None:
        draft["Reply-To"] = config.reply_to
    draft["To"] = to
    draft["Date"] = format_datetime(sent_at)
    draft["Message-ID"] = message_id
    return draft


def summary_message(
    config: MailConfig, to: str, subject: str, text: str, sent_at: datetime
) -> EmailMessage:
    """A plain-text e-mail, for the summary of a run."""
    from email.utils import make_msgid

    message = EmailMessage()
    message["From"] = config.sender
    if config.reply_to is not None:
        message["Reply-To"] = config.reply_to
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = make_msgid(domain=config.sender.domain or "pixely.local")
    message.set_content(text, cte="quoted-printable")
    return message


def _wire(message: EmailMessage, *addresses: str) -> tuple[bytes, bool]:
    """The bytes to send, and whether they need the server's SMTPUTF8.

    An address with non-ASCII characters (``jose@añil.pe``) can only travel
    as UTF-8, in the envelope and in the headers alike.
    """
    if all(address.isascii() for address in addresses):
        return message.as_bytes(policy=policy.SMTP), False
    return message.as_bytes(policy=policy.SMTPUTF8), True


def _text_for_data(data: bytes) -> bytes:
    """``data`` with CRLF line ends, dots doubled at line starts, and the final dot."""
    data = re.sub(rb"\r\n|\r|\n", b"\r\n", data)
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


# --- the connection -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reply:
    """What the server answered to one message."""

    code: int
    text: str
    accepted: bool

    def describe(self) -> str:
        return f"{self.code} {self.text}".strip()


class SmtpSession:
    """One connection to the server: ``with SmtpSession(config) as smtp: smtp.send(...)``."""

    def __init__(self, config: MailConfig) -> None:
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpSession:
        self.open()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def open(self) -> None:
        """Connect, encrypt and log in as the settings say."""
        config = self.config
        context = ssl.create_default_context()
        logger.debug("connecting to %s (%s)", config.server, config.security.value)
        smtp: smtplib.SMTP | None = None
        try:
            if config.security is Security.SSL:
                smtp = smtplib.SMTP_SSL(
                    config.host, config.port, timeout=config.timeout, context=context
                )
            else:
                smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
            smtp.ehlo()
            if config.security is Security.STARTTLS:
                if not smtp.has_extn("starttls"):
                    raise MailTLSError(
                        f"El servidor de correo {config.server} no ofrece STARTTLS: "
                        "usa PIXELY_SMTP_SECURITY=ssl con el puerto 465, o revisa "
                        "PIXELY_SMTP_HOST y PIXELY_SMTP_PORT."
                    )
                smtp.starttls(context=context)
                smtp.ehlo()
            if config.user is not None and config.password is not None:
                self._login(smtp)
        except MailError:
            _close_quietly(smtp)
            raise
        except smtplib.SMTPAuthenticationError as error:
            _close_quietly(smtp)
            raise MailAuthError(
                f"El servidor de correo {config.server} rechazó el usuario o la "
                f"contraseña ({_reply_text(error)}): revisa PIXELY_SMTP_USER y "
                "PIXELY_SMTP_PASSWORD (en Gmail, usa una contraseña de aplicación)."
            ) from None
        except ssl.SSLError as error:
            _close_quietly(smtp)
            raise MailTLSError(
                f"No se pudo cifrar la conexión con {config.server} ({error.reason or error}): "
                "revisa PIXELY_SMTP_SECURITY (starttls con el puerto 587, ssl con el 465)."
            ) from None
        except (OSError, smtplib.SMTPException) as error:
            _close_quietly(smtp)
            raise MailConnectionError(
                f"No se pudo conectar con el servidor de correo {config.server} "
                f"({_why(error)}): revisa PIXELY_SMTP_HOST, PIXELY_SMTP_PORT y la "
                "conexión a internet."
            ) from None
        self._smtp = smtp

    def _login(self, smtp: smtplib.SMTP) -> None:
        config = self.config
        assert config.user is not None and config.password is not None
        if not smtp.has_extn("auth"):
            raise MailAuthError(
                f"El servidor de correo {config.server} no ofrece autenticación: "
                "revisa PIXELY_SMTP_SECURITY (algunos servidores solo la ofrecen con "
                "starttls o ssl) o quita PIXELY_SMTP_USER y PIXELY_SMTP_PASSWORD."
            )
        try:
            smtp.login(config.user, config.password.get_secret_value())
        except smtplib.SMTPAuthenticationError:
            raise
        except smtplib.SMTPException as error:  # no mechanism both sides know
            raise MailAuthError(
                f"No se pudo iniciar sesión en el servidor de correo {config.server} "
                f"({_why(error)}): revisa PIXELY_SMTP_SECURITY y PIXELY_SMTP_USER."
            ) from None

    def close(self) -> None:
        """Say goodbye (``QUIT``) and close; a server already gone is fine."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        with contextlib.suppress(OSError, smtplib.SMTPException):
            smtp.quit()
        _close_quietly(smtp)

    def send(
        self,
        message: EmailMessage,
        recipient: str,
        *,
        before_text: Callable[[], None] = lambda: None,
    ) -> Reply:
        """Send ``message`` to ``recipient``; ``before_text`` runs just before the text.

        Returns the server's answer; a refusal of the recipient or of the message
        is a :class:`Reply` with ``accepted`` false. Raises
        :class:`MailConnectionError` when the server hangs up (with
        ``after_text`` when the text had gone out) and :class:`MailSenderError`
        or :class:`MailAuthError` when it refuses the sender.
        """
        smtp = self._smtp
        if smtp is None:
            raise MailConnectionError(
                f"No hay conexión con el servidor de correo {self.config.server}."
            )
        data, utf8 = _wire(message, self.config.sender.addr_spec, recipient)
        if utf8 and not smtp.has_extn("smtputf8"):
            return Reply(
                553,
                "el servidor no admite direcciones con tildes o eñes (SMTPUTF8)",
                accepted=False,
            )
        after_text = False
        try:
            options = ["SMTPUTF8", "BODY=8BITMIME"] if utf8 else []
            code, text = smtp.mail(self.config.sender.addr_spec, options)
            if code != 250:
                self._sender_refused(smtp, code, _decode(text))
            code, text = smtp.rcpt(recipient)
            if code not in (250, 251):
                return self._refused(smtp, code, text)
            smtp.putcmd("data")
            code, text = smtp.getreply()
            if code != 354:
                return self._refused(smtp, code, text)
            before_text()
            after_text = True
            smtp.send(_text_for_data(data))
            code, text = smtp.getreply()
            if code == 421:
                raise smtplib.SMTPServerDisconnected(_decode(text))
            return Reply(code, _decode(text), accepted=code == 250)
        except (OSError, smtplib.SMTPServerDisconnected) as error:
            self._smtp = None
            _close_quietly(smtp)
            if after_text:
                where = "justo después de recibir el correo, sin confirmarlo"
            else:
                where = "antes de recibir el correo"
            raise MailConnectionError(
                f"El servidor de correo {self.config.server} cortó la conexión {where} "
                f"({_why(error)}).",
                after_text=after_text,
            ) from None

    def _refused(self, smtp: smtplib.SMTP, code: int, text: bytes) -> Reply:
        if code == 421:
            raise smtplib.SMTPServerDisconnected(_decode(text))
        smtp.rset()
        return Reply(code, _decode(text), accepted=False)

    def _sender_refused(self, smtp: smtplib.SMTP, code: int, text: str) -> None:
        if code == 421:
            raise smtplib.SMTPServerDisconnected(text)
        server = self.config.server
        if code == 530:
            raise MailAuthError(
                f"El servidor de correo {server} pide usuario y contraseña ({code} "
                f"{text}): define PIXELY_SMTP_USER y PIXELY_SMTP_PASSWORD."
            )
        raise MailSenderError(
            f"El servidor de correo {server} no acepta enviar desde "
            f"«{self.config.sender.addr_spec}» ({code} {text}): revisa PIXELY_MAIL_FROM "
            "(suele tener que ser la misma cuenta que PIXELY_SMTP_USER)."
        )


def send_one(config: MailConfig, message: EmailMessage, recipient: str) -> Reply:
    """Open a connection, send one message, close."""
    with SmtpSession(config) as smtp:
        return smtp.send(message, recipient)


def _close_quietly(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        with contextlib.suppress(OSError):
            smtp.close()


def _decode(text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return " ".join(text.split())


def _reply_text(error: smtplib.SMTPResponseException) -> str:
    return f"{error.smtp_code} {_decode(error.smtp_error)}".strip()


def _why(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        return _reply_text(error)
    if isinstance(error, socket.gaierror):
        return "no se encontró ese servidor: revisa el nombre"
    if isinstance(error, ConnectionRefusedError):
        return "conexión rechazada: no hay un servidor de correo en ese puerto"
    if isinstance(error, TimeoutError):
        return "el servidor no respondió a tiempo"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__
