"""SMTP sending against real aiosmtpd servers on 127.0.0.1: settings, what the
server receives, and every way the connection can fail."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any

import pytest
from pydantic import SecretStr

from pixely_benefits.errors import ConfigurationError
from pixely_benefits.mail import (
    MailAuthError,
    MailConfig,
    MailConnectionError,
    MailTLSError,
    Security,
    SmtpSession,
    mail_config,
    outgoing,
    send_one,
)
from pixely_benefits.settings import Settings
from tests.smtp_servers import SmtpServer, free_port

pytestmark = pytest.mark.filterwarnings(
    "ignore:Requiring AUTH while not requiring TLS:UserWarning"
)

SENT_AT = datetime(2026, 12, 3, 9, 30, tzinfo=timezone(timedelta(hours=-5)))
PASSWORD = "clave-secreta-123"


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def config(server: SmtpServer, **values: Any) -> MailConfig:
    return MailConfig(
        host="127.0.0.1",
        port=server.port,
        security=Security.NONE,
        sender=Address("Pixely", addr_spec="hola@pixely.pe"),
        reply_to=Address("Equipo Pixely", addr_spec="equipo@pixely.pe"),
        timeout=10,
        **values,
    )


def draft(
    text: str = "Hola María:\nTu beneficio de diciembre está listo.\n",
) -> EmailMessage:
    """A draft like the outbox's: UTF-8 subject, text and HTML, the delivery header."""
    message = EmailMessage()
    message["From"] = "Antes <antes@pixely.pe>"
    message["To"] = "María Quispe <maria@laespiga.com.pe>"
    message["Subject"] = "María, tu beneficio de diciembre: Análisis de competidores"
    message["Message-ID"] = "<borrador@pixely.pe>"
    message["X-Pixely-Delivery"] = "001-analisis-competidores-2026-12"
    message["X-Unsent"] = "1"
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(
        "<p>Hola <b>María</b>: tu beneficio está listo.</p>",
        subtype="html",
        cte="quoted-printable",
    )
    return message


def ready(to: str = "maria@laespiga.com.pe", **kwargs: Any) -> EmailMessage:
    return outgoing(
        draft(**kwargs),
        config_for_headers(),
        to=Address("María Quispe", addr_spec=to),
        message_id="<envio-1@pixely.pe>",
        sent_at=SENT_AT,
    )


def config_for_headers() -> MailConfig:
    return MailConfig(
        host="unused",
        port=25,
        security=Security.NONE,
        sender=Address("Pixely", addr_spec="hola@pixely.pe"),
        reply_to=Address("Equipo Pixely", addr_spec="equipo@pixely.pe"),
    )


# --- settings ------------------------------------------------------------------------

BASE = {"smtp_host": "smtp.pixely.pe", "mail_from": "Pixely <hola@pixely.pe>"}


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"mail_from": "hola@pixely.pe"}, "Falta PIXELY_SMTP_HOST"),
        ({**BASE, "smtp_security": "tls"}, "PIXELY_SMTP_SECURITY («tls») no es válido"),
        (
            {**BASE, "smtp_port": "correo"},
            "PIXELY_SMTP_PORT («correo») no es un puerto",
        ),
        ({**BASE, "smtp_port": "70000"}, "PIXELY_SMTP_PORT («70000») no es un puerto"),
        ({"smtp_host": "smtp.pixely.pe"}, "Falta PIXELY_MAIL_FROM"),
        ({**BASE, "mail_from": "hola arroba pixely"}, "PIXELY_MAIL_FROM («hola arroba"),
        ({**BASE, "smtp_user": "hola@pixely.pe"}, "Falta PIXELY_SMTP_PASSWORD"),
        ({**BASE, "smtp_password": PASSWORD}, "Falta PIXELY_SMTP_USER"),
    ],
)
def test_wrong_or_missing_settings_say_which_variable_to_fix(
    values: dict[str, str], expected: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        mail_config(settings(**values))
    assert expected in caught.value.message
    assert PASSWORD not in caught.value.message


@pytest.mark.parametrize(
    ("security", "port", "expected"),
    [
        (None, None, (Security.STARTTLS, 587)),
        ("SSL", None, (Security.SSL, 465)),
        (" none ", None, (Security.NONE, 25)),
        ("starttls", "2525", (Security.STARTTLS, 2525)),
    ],
)
def test_security_and_port_have_the_usual_defaults(
    security: str | None, port: str | None, expected: tuple[Security, int]
) -> None:
    chosen = mail_config(settings(**BASE, smtp_security=security, smtp_port=port))
    assert (chosen.security, chosen.port) == expected
    assert str(chosen.sender) == "Pixely <hola@pixely.pe>"


def test_the_password_never_shows_in_the_settings_repr() -> None:
    chosen = mail_config(
        settings(**BASE, smtp_user="hola@pixely.pe", smtp_password=PASSWORD)
    )
    assert isinstance(chosen.password, SecretStr)
    assert PASSWORD not in repr(chosen)
    assert PASSWORD not in repr(settings(smtp_password=PASSWORD))


# --- what the server receives ---------------------------------------------------------


def test_the_server_receives_headers_both_parts_and_the_envelope() -> None:
    with SmtpServer() as server, SmtpSession(config(server)) as smtp:
        reply = smtp.send(ready(), "maria@laespiga.com.pe")
    assert reply.accepted and reply.code == 250
    [got] = server.received
    assert got.mail_from == "hola@pixely.pe"
    assert got.recipients == ["maria@laespiga.com.pe"]
    message = got.message
    assert (
        message["Subject"]
        == "María, tu beneficio de diciembre: Análisis de competidores"
    )
    assert str(message["From"]) == "Pixely <hola@pixely.pe>"
    assert str(message["Reply-To"]) == "Equipo Pixely <equipo@pixely.pe>"
    assert str(message["To"]) == "María Quispe <maria@laespiga.com.pe>"
    assert message["Message-ID"] == "<envio-1@pixely.pe>"
    assert message["X-Pixely-Delivery"] == "001-analisis-competidores-2026-12"
    assert message["X-Unsent"] is None
    assert message["Date"].datetime == SENT_AT
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    sent = (
        "Hola María:\r\nTu beneficio de diciembre está listo.\r\n"  # lines end in CRLF
    )
    assert text.get_content() == sent
    assert "<b>María</b>" in html.get_content()


def test_lines_that_start_with_a_dot_arrive_whole() -> None:
    body = ".\n..dos puntos\nfin.\n"
    with SmtpServer() as server:
        send_one(config(server), ready(text=body), "maria@laespiga.com.pe")
    text = server.received[0].message.get_body(preferencelist=("plain",))
    assert text is not None
    assert text.get_content().replace("\r\n", "\n") == body


def test_an_address_with_accents_goes_out_with_smtputf8() -> None:
    with SmtpServer() as server:
        reply = send_one(config(server), ready(to="jose@añil.pe"), "jose@añil.pe")
    assert reply.accepted
    [got] = server.received
    assert got.recipients == ["jose@añil.pe"]
    assert str(got.message["To"]) == "María Quispe <jose@añil.pe>"


def test_a_refused_recipient_is_an_answer_and_the_connection_goes_on() -> None:
    with (
        SmtpServer(refuse=("nadie@laespiga.com.pe",)) as server,
        SmtpSession(config(server)) as smtp,
    ):
        refused = smtp.send(ready(to="nadie@laespiga.com.pe"), "nadie@laespiga.com.pe")
        accepted = smtp.send(ready(), "maria@laespiga.com.pe")
    assert (refused.accepted, refused.code) == (False, 550)
    assert refused.describe() == "550 5.1.1 Buzón inexistente"
    assert accepted.accepted
    assert [r.recipients for r in server.received] == [["maria@laespiga.com.pe"]]


# --- authentication and failures ------------------------------------------------------


def test_logging_in_with_the_right_password_sends(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with SmtpServer(user="hola@pixely.pe", password=PASSWORD) as server:
        chosen = config(server, user="hola@pixely.pe", password=SecretStr(PASSWORD))
        reply = send_one(chosen, ready(), "maria@laespiga.com.pe")
    assert reply.accepted
    assert server.handler.logins == ["hola@pixely.pe"]
    assert PASSWORD not in caplog.text


def test_a_wrong_password_says_what_to_fix_and_never_shows_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with SmtpServer(user="hola@pixely.pe", password=PASSWORD) as server:
        chosen = config(server, user="hola@pixely.pe", password=SecretStr("otra-clave"))
        with pytest.raises(MailAuthError) as caught:
            send_one(chosen, ready(), "maria@laespiga.com.pe")
    assert "rechazó el usuario o la contraseña" in caught.value.message
    assert "PIXELY_SMTP_PASSWORD" in caught.value.message
    assert "otra-clave" not in caught.value.message + caplog.text
    assert server.received == []


def test_a_server_that_wants_a_login_and_gets_none() -> None:
    with (
        SmtpServer(user="hola@pixely.pe", password=PASSWORD) as server,
        pytest.raises(MailAuthError) as caught,
    ):
        send_one(config(server), ready(), "maria@laespiga.com.pe")
    assert "pide usuario y contraseña" in caught.value.message
    assert "PIXELY_SMTP_USER" in caught.value.message


def test_an_unreachable_host_is_one_clear_sentence() -> None:
    port = free_port()  # nothing listens there
    chosen = MailConfig(
        host="127.0.0.1",
        port=port,
        security=Security.NONE,
        sender=Address(addr_spec="hola@pixely.pe"),
    )
    with pytest.raises(MailConnectionError) as caught:
        send_one(chosen, ready(), "maria@laespiga.com.pe")
    assert caught.value.message == (
        f"No se pudo conectar con el servidor de correo 127.0.0.1:{port} (conexión "
        "rechazada: no hay un servidor de correo en ese puerto): revisa "
        "PIXELY_SMTP_HOST, PIXELY_SMTP_PORT y la conexión a internet."
    )


def test_starttls_asked_of_a_server_without_it() -> None:
    with SmtpServer() as server:
        chosen = MailConfig(
            host="127.0.0.1",
            port=server.port,
            security=Security.STARTTLS,
            sender=Address(addr_spec="hola@pixely.pe"),
        )
        with pytest.raises(MailTLSError) as caught:
            send_one(chosen, ready(), "maria@laespiga.com.pe")
    assert "no ofrece STARTTLS" in caught.value.message
    assert server.received == []


@pytest.mark.parametrize(
    ("misbehave", "after_text", "received"),
    [
        ({"drop_at_mail": (1,)}, False, 0),
        ({"drop_after_text": (1,)}, True, 1),
    ],
)
def test_a_server_that_hangs_up_says_whether_it_had_the_text(
    misbehave: dict[str, Any], after_text: bool, received: int
) -> None:
    with (
        SmtpServer(**misbehave) as server,
        SmtpSession(config(server)) as smtp,
        pytest.raises(MailConnectionError) as caught,
    ):
        smtp.send(ready(), "maria@laespiga.com.pe")
    assert caught.value.after_text is after_text
    assert "cortó la conexión" in caught.value.message
    assert len(server.received) == received
