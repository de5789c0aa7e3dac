"""The month's outbox: one folder per month with every notice ready to send.

``salida/AAAA-MM/`` (the folder is ``PIXELY_OUTBOX``) holds, per notice:

- ``<ID entrega>.eml``: the e-mail, for clients with a usable address. It is
  a draft (``X-Unsent: 1``): Outlook opens it ready to send, and any mail
  program opens it. ``From`` and ``Reply-To`` come from ``PIXELY_MAIL_FROM``
  and ``PIXELY_MAIL_REPLY_TO``; without ``PIXELY_MAIL_FROM`` there is no
  ``From`` and the mail program sends from the account in use.
- ``<ID entrega>.whatsapp.txt``: the WhatsApp text, for clients with a valid
  number. The ``wa.me`` link is built from this file, so an edited text is the
  one sent.

plus ``avisos.json`` (who each notice is for: name, benefit, number, due date)
and ``index.html``, one page with a card per notice and buttons that open the
WhatsApp chat and the e-mail. Files are written once; a later run renders only
the ones that are missing, unless asked to render them again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email

from pixely_benefits import messages
from pixely_benefits.contacts import EMAIL, WHATSAPP, Reachability
from pixely_benefits.errors import ConfigurationError, PixelyError
from pixely_benefits.months import Month
from pixely_benefits.records import Benefit, BusinessSettings, Client, Promotion
from pixely_benefits.settings import Settings, get_settings

INDEX_FILE = "index.html"
MANIFEST_FILE = "avisos.json"
EMAIL_SUFFIX = ".eml"
WHATSAPP_SUFFIX = ".whatsapp.txt"
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


class OutboxError(PixelyError):
    """The outbox folder cannot be written."""


@dataclass(frozen=True)
class NoticeRequest:
    """One notice to prepare: the ``Entregas`` row it belongs to and how to reach."""

    delivery_id: str
    client: Client
    benefit: Benefit
    month: Month
    due: date
    reach: Reachability
    promotion: Promotion | None = None
    """The promotion an invitation offers (``promo invite``); ``None`` otherwise."""


@dataclass(frozen=True)
class PreparedNotice:
    """The files of one notice after :func:`prepare_month`.

    ``channels`` lists the channels with a file ready ("correo", "whatsapp");
    ``rendered`` the ones written by this run (the rest were already there).
    """

    delivery_id: str
    client_id: str
    email_file: Path | None
    whatsapp_link: str | None
    channels: tuple[str, ...]
    whatsapp_file: Path | None = None
    rendered: tuple[str, ...] = ()


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


def month_folder(folder: Path, month: Month) -> Path:
    return folder / str(month)


def file_stem(delivery_id: str) -> str:
    """A file name for a delivery ID; IDs with unsafe characters get a short hash
    so that two IDs never share a file."""
    safe = _SAFE.sub("_", delivery_id).strip("._") or "aviso"
    if safe == delivery_id:
        return safe
    digest = hashlib.sha1(delivery_id.encode("utf-8")).hexdigest()[:8]
    return f"{safe}-{digest}"


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


def prepare_month(
    requests: Sequence[NoticeRequest],
    folder: Path,
    month: Month,
    settings: BusinessSettings,
    *,
    resend: bool,
    config: Settings | None = None,
    now: datetime | None = None,
) -> list[PreparedNotice]:
    """Write the notices of ``month`` into ``folder/AAAA-MM/`` and its index.

    Only missing files are rendered unless ``resend``; ``index.html`` is
    always rebuilt from every notice file in the folder. ``config`` defaults
    to the environment settings (templates folder, sender); ``now`` stamps the
    e-mails' ``Date``.
    """
    config = config if config is not None else get_settings()
    sender = sender_from(config)
    stamp = now if now is not None else _now(settings)
    target = month_folder(folder, month)
    # Everything is rendered before the first write, so that a broken
    # template leaves the folder as it was.
    plans = [
        _plan(request, target, settings, sender, config, resend, stamp)
        for request in requests
    ]
    try:
        target.mkdir(parents=True, exist_ok=True)
        manifest = _read_manifest(target)
        for plan in plans:
            for path, data in plan.files:
                _write(path, data)
            manifest[plan.request.delivery_id] = _manifest_entry(plan.request)
        _write(target / MANIFEST_FILE, _dump_manifest(manifest))
        write_index(target, month, settings, templates=config.templates)
        return [plan.result() for plan in plans]
    except OSError as error:
        raise OutboxError(
            f"No se pudo escribir en la carpeta de avisos «{target}» "
            f"({error.strerror or error}): revisa PIXELY_OUTBOX y sus permisos."
        ) from error


def _now(settings: BusinessSettings) -> datetime:
    if settings.timezone:
        return datetime.now(ZoneInfo(settings.timezone)).replace(microsecond=0)
    return datetime.now().astimezone().replace(microsecond=0)


@dataclass(frozen=True)
class _Plan:
    """One notice's files: where they go and what :func:`prepare_month` writes."""

    request: NoticeRequest
    eml: Path
    txt: Path
    files: list[tuple[Path, bytes]]
    rendered: tuple[str, ...]

    def result(self) -> PreparedNotice:
        reach = self.request.reach
        link = None
        if reach.phone_e164 is not None:
            link = whatsapp_link(reach.phone_e164, _read_text(self.txt))
        return PreparedNotice(
            delivery_id=self.request.delivery_id,
            client_id=self.request.client.client_id,
            email_file=self.eml if reach.email is not None else None,
            whatsapp_link=link,
            channels=reach.channels,
            whatsapp_file=self.txt if reach.phone_e164 is not None else None,
            rendered=self.rendered,
        )


def _plan(
    request: NoticeRequest,
    target: Path,
    settings: BusinessSettings,
    sender: Sender,
    config: Settings,
    resend: bool,
    now: datetime,
) -> _Plan:
    stem = file_stem(request.delivery_id)
    eml = target / (stem + EMAIL_SUFFIX)
    txt = target / (stem + WHATSAPP_SUFFIX)
    email, phone = request.reach.email, request.reach.phone_e164
    want_email = email is not None and (resend or not eml.exists())
    want_whatsapp = phone is not None and (resend or not txt.exists())
    files: list[tuple[Path, bytes]] = []
    rendered: list[str] = []
    if want_email or want_whatsapp:
        notice = messages.render_notice(
            request.client,
            request.benefit,
            request.month,
            request.due,
            settings,
            promotion=request.promotion,
            templates=config.templates,
        )
        if want_email and email is not None:
            files.append((eml, bytes(build_email(notice, request, email, sender, now))))
            rendered.append(EMAIL)
        if want_whatsapp:
            files.append((txt, (notice.whatsapp + "\n").encode("utf-8")))
            rendered.append(WHATSAPP)
    return _Plan(request, eml, txt, files, tuple(rendered))


def build_email(
    notice: messages.Notice,
    request: NoticeRequest,
    address: str,
    sender: Sender,
    now: datetime,
) -> EmailMessage:
    """The notice as a MIME message: text and HTML alternatives, UTF-8."""
    # Internationalised addresses need SMTPUTF8; everything else stays 7-bit.
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
    with path.open("rb") as handle:
        parsed = BytesParser(policy=policy.default).parse(handle)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _read_text(path: Path) -> str:
    """A text file as written or edited: newlines as ``\\n``, no trailing blanks."""
    return path.read_text(encoding="utf-8").replace("\r\n", "\n").rstrip()


def _write(path: Path, data: bytes) -> None:
    """Replace ``path`` atomically, so a crash never leaves half a file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


# -- the manifest and the index ---------------------------------------------


def _manifest_entry(request: NoticeRequest) -> dict[str, Any]:
    client = request.client
    return {
        "file": file_stem(request.delivery_id),
        "client_id": client.client_id,
        "client": client.name,
        "contact": client.contact,
        "cm": client.cm,
        "benefit": request.benefit.name,
        "benefit_code": request.benefit.code,
        "due": request.due.isoformat(),
        "email": request.reach.email,
        "phone": request.reach.phone_e164,
    }


def _read_manifest(target: Path) -> dict[str, dict[str, Any]]:
    """``avisos.json`` as ID -> entry; a missing or damaged file counts as empty
    (the index then shows what the notice files themselves say)."""
    path = target / MANIFEST_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    notices = data.get("notices") if isinstance(data, dict) else None
    if not isinstance(notices, dict):
        return {}
    return {str(k): v for k, v in notices.items() if isinstance(v, dict)}


def _dump_manifest(manifest: dict[str, dict[str, Any]]) -> bytes:
    text = json.dumps({"notices": manifest}, ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


@dataclass(frozen=True)
class Card:
    """What ``index.html`` shows for one notice."""

    delivery_id: str
    client_id: str
    client: str
    contact: str | None
    cm: str | None
    benefit: str
    due: str | None
    channels: tuple[str, ...]
    whatsapp_text: str | None = None
    whatsapp_link: str | None = None
    whatsapp_file: str | None = None
    email_to: str | None = None
    email_subject: str | None = None
    email_text: str | None = None
    mailto: str | None = None
    email_file: str | None = None


def month_cards(target: Path) -> list[Card]:
    """A card for every notice file in the month folder, in delivery-ID order."""
    by_stem = {
        entry.get("file") or file_stem(key): (key, entry)
        for key, entry in _read_manifest(target).items()
    }
    stems = sorted(
        {p.name[: -len(EMAIL_SUFFIX)] for p in target.glob("*" + EMAIL_SUFFIX)}
        | {p.name[: -len(WHATSAPP_SUFFIX)] for p in target.glob("*" + WHATSAPP_SUFFIX)}
    )
    return [_card(target, stem, *by_stem.get(stem, (stem, {}))) for stem in stems]


def _card(target: Path, stem: str, delivery_id: str, entry: dict[str, Any]) -> Card:
    eml = target / (stem + EMAIL_SUFFIX)
    txt = target / (stem + WHATSAPP_SUFFIX)
    email: dict[str, Any] = {}
    whatsapp: dict[str, Any] = {}
    addressee: str | None = None
    if eml.exists():
        message = read_email(eml)
        delivery_id = str(message.get("X-Pixely-Delivery", delivery_id))
        to = message["To"]
        addresses = to.addresses if to is not None else ()
        address = addresses[0].addr_spec if addresses else ""
        addressee = addresses[0].display_name if addresses else None
        subject = str(message.get("Subject", ""))
        body = message.get_body(preferencelist=("plain",))
        text = "" if body is None else body.get_content()
        text = text.replace("\r\n", "\n").rstrip() + "\n"
        email = {
            "email_to": address,
            "email_subject": subject,
            "email_text": text,
            "mailto": mailto_link(address, subject, text),
            "email_file": quote(eml.name),
        }
    if txt.exists():
        text = _read_text(txt)
        whatsapp = {
            "whatsapp_text": text,
            "whatsapp_link": whatsapp_link(entry.get("phone"), text),
            "whatsapp_file": quote(txt.name),
        }
    return Card(
        delivery_id=delivery_id,
        client_id=str(entry.get("client_id") or ""),
        client=str(entry.get("client") or addressee or delivery_id),
        contact=entry.get("contact"),
        cm=entry.get("cm"),
        benefit=str(entry.get("benefit") or ""),
        due=_due_label(entry.get("due")),
        channels=tuple(
            channel
            for channel, found in ((EMAIL, email), (WHATSAPP, whatsapp))
            if found
        ),
        **email,
        **whatsapp,
    )


def _due_label(value: object) -> str | None:
    try:
        return messages.long_date(date.fromisoformat(str(value))) if value else None
    except ValueError:
        return None


def write_index(
    target: Path,
    month: Month,
    settings: BusinessSettings,
    *,
    templates: Path | None = None,
) -> Path:
    """Rebuild ``index.html`` for the month folder ``target`` and return its path."""
    cards = month_cards(target)
    page = messages.render(
        messages.INDEX,
        {
            "agency": settings.agency,
            "month": messages.month_name(month),
            "month_code": str(month),
            "cards": cards,
            "client_ids": _unique(card.client_id for card in cards if card.client_id),
        },
        templates=templates,
    )
    path = target / INDEX_FILE
    _write(path, page.encode("utf-8"))
    return path


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
