"""The e-mail of a notice: the draft (``.eml``) built and read back, and links.

A draft is a MIME message with text and HTML parts, marked ``X-Unsent: 1`` so
that Outlook opens it ready to send. ``From`` and ``Reply-To`` come from
``PIXELY_MAIL_FROM`` and ``PIXELY_MAIL_REPLY_TO``. The ``mailto:`` and
``wa.me`` links open the same text in the CM's own programs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser, Parser
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from email_validator import EmailNotValidError, validate_email

from pixely_benefits.errors import ConfigurationError
from pixely_benefits.settings import Settings

if TYPE_CHECKING:
    from pixely_benefits.messages import Notice
    from pixely_benefits.outbox import NoticeRequest


@dataclass(frozen=True)
class Sender:
    """``From`` and ``Reply-To`` of the e-mails (either may be missing)."""

    mail_from: Address | None = None
    reply_to: Address | None = None

    @property
    def domain(self) -> str:
        for address in (self.mail_from, self.reply_to):
            if address is not None and address.domain:
                return address.domain
        return "pixely.local"


def whatsapp_link(phone_e164: str | None, text: str) -> str:
    """``https://wa.me/<digits>?text=...``; every reserved character, spaces
    included, percent-encoded (``%20``, never ``+``). Without a number the
    link lets the CM pick the chat."""
    digits = "".join(ch for ch in phone_e164 or "" if ch.isdigit())
    return f"https://wa.me/{digits}?text={quote(text, safe='')}"


def mailto_link(address: str, subject: str, body: str) -> str:
    """A ``mailto:`` link with the subject and body (lines end in CRLF, RFC 6068)."""
    body = body.replace("\r\n", "\n").replace("\n", "\r\n")
    return (
        f"mailto:{quote(address, safe='@')}"
        f"?subject={quote(subject, safe='')}&body={quote(body, safe='')}"
    )


def sender_from(config: Settings) -> Sender:
    """The validated ``PIXELY_MAIL_FROM`` / ``PIXELY_MAIL_REPLY_TO``."""
    return Sender(
        mail_from=_address(config.mail_from, "PIXELY_MAIL_FROM"),
        reply_to=_address(config.mail_reply_to, "PIXELY_MAIL_REPLY_TO"),
    )


def _address(value: str | None, variable: str) -> Address | None:
    if not value or not value.strip():
        return None
    name, addr = parseaddr(value.strip())
    try:
        checked = validate_email(addr, check_deliverability=False)
    except EmailNotValidError:
        raise ConfigurationError(
            f"{variable} («{value}») no es una dirección de correo válida: "
            "escríbela como «Pixely <hola@pixely.pe>» o solo «hola@pixely.pe»."
        ) from None
    return Address(display_name=name, addr_spec=checked.normalized)


def build_email(
    notice: Notice,
    request: NoticeRequest,
    address: str,
    sender: Sender,
    now: datetime,
) -> EmailMessage:
    """The notice as a MIME message: text and HTML alternatives, UTF-8.

    A domain with accents (``maria@añil.pe``) travels as UTF-8 (SMTPUTF8); a
    mailbox name with them cannot be written by Python's e-mail package, and
    :func:`pixely_benefits.contacts.reachability` never offers one.
    """
    rules = policy.SMTP if address.isascii() else policy.SMTPUTF8
    message = EmailMessage(policy=rules)
    if sender.mail_from is not None:
        message["From"] = sender.mail_from
    message["To"] = Address(
        display_name=request.client.greeting_name, addr_spec=address
    )
    if sender.reply_to is not None:
        message["Reply-To"] = sender.reply_to
    message["Subject"] = notice.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=sender.domain)
    message["X-Pixely-Delivery"] = request.delivery_id
    message["X-Unsent"] = "1"
    message.set_content(notice.text, cte="quoted-printable")
    message.add_alternative(notice.html, subtype="html", cte="quoted-printable")
    return message


def read_email(path: Path) -> EmailMessage:
    return parse_email(path.read_bytes())


def parse_email(data: bytes) -> EmailMessage:
    """An ``.eml`` as a message, its ``Subject`` as it was written.

    A subject a little longer than one line is folded right after
    ``Subject:``, and Python's parser keeps the fold's space in front of it
    (``" Jorge Salas, tu beneficio..."``): it is taken off here, for the index
    and for the message sent.
    """
    try:  # a domain with accents is written as UTF-8 (SMTPUTF8): read it so
        parsed = Parser(policy=policy.default).parsestr(data.decode("utf-8"))
    except UnicodeDecodeError:
        parsed = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(parsed, EmailMessage)
    subject = parsed.get("Subject")
    if subject is not None and str(subject) != str(subject).strip():
        parsed.replace_header("Subject", str(subject).strip())
    return parsed
