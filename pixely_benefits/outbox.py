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

plus ``avisos.json`` (who each notice is for, and from which sheet) and
``index.html``, one page with a card per notice still to be sent and buttons
that open the WhatsApp chat and the e-mail. Files are written once; a later run
renders only the ones that are missing (or that another sheet wrote), unless
asked to render them again.

:func:`render_month` does all the work in memory, index included, so that a
command can stop on a broken template or an outbox it cannot write before it
writes the sheet; :meth:`RenderedMonth.write` then only writes bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from pixely_benefits import messages
from pixely_benefits.contacts import EMAIL, WHATSAPP, Reachability
from pixely_benefits.drafts import Sender as Sender
from pixely_benefits.drafts import build_email as build_email
from pixely_benefits.drafts import mailto_link as mailto_link
from pixely_benefits.drafts import parse_email as parse_email
from pixely_benefits.drafts import read_email as read_email
from pixely_benefits.drafts import sender_from as sender_from
from pixely_benefits.drafts import whatsapp_link as whatsapp_link
from pixely_benefits.errors import PixelyError
from pixely_benefits.months import Month
from pixely_benefits.records import (
    Benefit,
    BenefitKind,
    BusinessSettings,
    Client,
    Promotion,
)
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
    """The files of one notice after :meth:`RenderedMonth.write`.

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


def render_month(
    requests: Sequence[NoticeRequest],
    folder: Path,
    month: Month,
    settings: BusinessSettings,
    *,
    resend: bool,
    config: Settings | None = None,
    now: datetime | None = None,
    sheet: str | None = None,
    open_ids: Collection[str] | None = None,
    command: str = "pixely",
) -> RenderedMonth:
    """Every file of the month folder that changes, rendered in memory.

    Only missing files are rendered unless ``resend``; a file that the
    manifest says another ``sheet`` wrote is rendered again. ``index.html``
    shows the notices whose delivery ID is in ``open_ids`` (the rows still
    ``pendiente``; every notice file when ``None``) and were not written from
    another sheet; its footer has the ``sent`` commands that confirm them,
    starting with ``command`` (``pixely`` and the options that name the
    sheet). ``config`` defaults to the environment settings (templates
    folder, sender); ``now`` stamps the e-mails' ``Date``.
    """
    config = config if config is not None else get_settings()
    sender = sender_from(config)
    stamp = now if now is not None else _now(settings)
    target = month_folder(folder, month)
    manifest = _read_manifest(target)
    plans = [
        _plan(request, target, settings, sender, config, resend, stamp, manifest, sheet)
        for request in requests
    ]
    files: dict[Path, bytes] = {}
    for plan in plans:
        files.update(plan.files)
        manifest[plan.request.delivery_id] = _manifest_entry(plan.request, sheet)
    cards = _cards(target, manifest, files, sheet, open_ids)
    page = messages.render(
        messages.INDEX,
        {
            "agency": settings.agency,
            "month": messages.month_name(month),
            "month_code": str(month),
            "cards": cards,
            "client_ids": _unique(c.client_id for c in cards if not c.campaign),
            "commands": confirm_commands(cards, month, command),
        },
        templates=config.templates,
    )
    files[target / MANIFEST_FILE] = _dump_manifest(manifest)
    files[target / INDEX_FILE] = page.encode("utf-8")
    return RenderedMonth(target, plans, files)


@dataclass(frozen=True)
class RenderedMonth:
    """What :func:`render_month` rendered, ready to be written."""

    target: Path
    plans: list[_Plan]
    files: dict[Path, bytes]
    """Every file to write: the notices, ``avisos.json`` and ``index.html``."""

    @property
    def new_files(self) -> int:
        """How many notice files (e-mails and WhatsApp texts) are new or rendered again."""
        return sum(len(plan.rendered) for plan in self.plans)

    def check_writable(self) -> None:
        """Create the month folder and try a file in it, or raise :class:`OutboxError`."""
        probe = self.target / f".pixely-{os.getpid()}.prueba"
        try:
            self.target.mkdir(parents=True, exist_ok=True)
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as error:
            raise self._error(error) from error

    def write(self) -> list[PreparedNotice]:
        """Write every file (the index last) and say what each notice has."""
        try:
            self.target.mkdir(parents=True, exist_ok=True)
            for path, data in self.files.items():
                _write(path, data)
        except OSError as error:
            raise self._error(error) from error
        return [plan.result() for plan in self.plans]

    def _error(self, error: OSError) -> OutboxError:
        return OutboxError(
            f"No se pudo escribir en la carpeta de avisos «{self.target}» "
            f"({error.strerror or error}): revisa PIXELY_OUTBOX (o --salida) y sus "
            "permisos."
        )


def _now(settings: BusinessSettings) -> datetime:
    if settings.timezone:
        return datetime.now(ZoneInfo(settings.timezone)).replace(microsecond=0)
    return datetime.now().astimezone().replace(microsecond=0)


@dataclass(frozen=True)
class _Plan:
    """One notice's files: where they go and what :meth:`RenderedMonth.write` writes."""

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
    manifest: dict[str, dict[str, Any]],
    sheet: str | None,
) -> _Plan:
    stem = file_stem(request.delivery_id)
    eml = target / (stem + EMAIL_SUFFIX)
    txt = target / (stem + WHATSAPP_SUFFIX)
    email, phone = request.reach.email, request.reach.phone_e164
    # Two sheets that share an outbox have the same IDs (the demo's, say): a
    # file the other sheet wrote is about another client, never reused.
    again = resend or not _ours(manifest.get(request.delivery_id, {}), sheet)
    want_email = email is not None and (again or not eml.exists())
    want_whatsapp = phone is not None and (again or not txt.exists())
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


def _manifest_entry(request: NoticeRequest, sheet: str | None) -> dict[str, Any]:
    client = request.client
    benefit = request.benefit
    entry: dict[str, Any] = {
        "file": file_stem(request.delivery_id),
        "client_id": client.client_id,
        "client": client.name,
        "contact": client.contact,
        "cm": client.cm,
        "benefit": benefit.name,
        "benefit_code": benefit.code,
        "campaign": benefit.kind is BenefitKind.CAMPAIGN,
        "due_days": benefit.due_days,
        "due": request.due.isoformat(),
        "email": request.reach.email,
        "phone": request.reach.phone_e164,
    }
    if sheet is not None:
        entry["sheet"] = sheet
    return entry


def _ours(entry: dict[str, Any], sheet: str | None) -> bool:
    """Whether a manifest entry is of ``sheet`` (an entry that does not say is)."""
    written_for = entry.get("sheet")
    return sheet is None or written_for is None or written_for == sheet


def _read_manifest(target: Path) -> dict[str, dict[str, Any]]:
    """``avisos.json`` as ID -> entry; a missing or damaged file counts as empty
    (the index then shows what the notice files themselves say)."""
    path = target / MANIFEST_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, ValueError):
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
    benefit_code: str | None = None
    campaign: bool = False
    """An invitation (a ``campaña`` benefit), confirmed with ``--beneficio``."""


def _cards(
    target: Path,
    manifest: dict[str, dict[str, Any]],
    files: dict[Path, bytes],
    sheet: str | None,
    open_ids: Collection[str] | None,
) -> list[Card]:
    """A card per notice file of the folder (``files`` as about to be written),
    in delivery-ID order; only those of ``sheet`` whose ID is in ``open_ids``."""
    by_stem = {
        entry.get("file") or file_stem(key): (key, entry)
        for key, entry in manifest.items()
    }
    names = {p.name for p in files} | {p.name for p in target.glob("*")}
    stems = sorted(
        {n[: -len(EMAIL_SUFFIX)] for n in names if n.endswith(EMAIL_SUFFIX)}
        | {n[: -len(WHATSAPP_SUFFIX)] for n in names if n.endswith(WHATSAPP_SUFFIX)}
    )
    cards: list[Card] = []
    for stem in stems:
        key, entry = by_stem.get(stem, (stem, {}))
        if not _ours(entry, sheet):
            continue
        card = _card(target, files, stem, key, entry)
        if open_ids is None or card.delivery_id in open_ids:
            cards.append(card)
    return cards


def _card(
    target: Path,
    files: dict[Path, bytes],
    stem: str,
    delivery_id: str,
    entry: dict[str, Any],
) -> Card:
    eml = target / (stem + EMAIL_SUFFIX)
    txt = target / (stem + WHATSAPP_SUFFIX)
    email: dict[str, Any] = {}
    whatsapp: dict[str, Any] = {}
    addressee: str | None = None
    eml_data = _contents(eml, files)
    if eml_data is not None:
        message = parse_email(eml_data)
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
    txt_data = _contents(txt, files)
    if txt_data is not None:
        text = txt_data.decode("utf-8").replace("\r\n", "\n").rstrip()
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
        due=_due_label(entry),
        channels=tuple(
            channel
            for channel, found in ((EMAIL, email), (WHATSAPP, whatsapp))
            if found
        ),
        benefit_code=entry.get("benefit_code"),
        campaign=bool(entry.get("campaign")),
        **email,
        **whatsapp,
    )


def _contents(path: Path, files: dict[Path, bytes]) -> bytes | None:
    """``path`` as it is about to be written, else as it is on disk, else ``None``."""
    if path in files:
        return files[path]
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None


def _due_label(entry: dict[str, Any]) -> str | None:
    """The delivery time a card shows: days from the notice, as the message says."""
    days = entry.get("due_days")
    if isinstance(days, int) and not isinstance(days, bool):
        if days == 0:
            return "el mismo día del aviso"
        return f"{days} {'día' if days == 1 else 'días'} desde el aviso"
    value = entry.get("due")  # written by an earlier version
    try:
        return messages.long_date(date.fromisoformat(str(value))) if value else None
    except ValueError:
        return None


def confirm_commands(cards: Sequence[Card], month: Month, command: str) -> list[str]:
    """The ``sent`` commands that confirm the notices of ``cards``.

    The month's notice of each client is confirmed by ID; invitations to
    promotions by ID and ``--beneficio`` (``sent`` leaves them alone without
    it, so that an invitation not sent is never marked).
    """
    groups: dict[str | None, list[str]] = {}
    for card in cards:
        if card.client_id:
            code = card.benefit_code if card.campaign else None
            groups.setdefault(code, []).append(shlex.quote(card.client_id))
    found: list[str] = []
    for code, ids in sorted(groups.items(), key=lambda item: item[0] or ""):
        option = f" --beneficio {shlex.quote(code)}" if code else ""
        found.append(f"{command} sent {' '.join(_unique(ids))}{option} --month {month}")
    return found


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
