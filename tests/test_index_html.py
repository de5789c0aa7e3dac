"""index.html as a browser sees it: headless Chromium loads the page and dumps its DOM.

Without Chromium the test is skipped, except under CI (``CI`` set), where a
missing browser is a failure: ``.ci/run`` installs Debian's ``chromium``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import date, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

import pytest

from pixely_benefits.contacts import reachability
from pixely_benefits.months import Month
from pixely_benefits.outbox import NoticeRequest, render_month
from pixely_benefits.records import Benefit, BusinessSettings, Client, delivery_id
from pixely_benefits.settings import Settings

MONTH = Month(2026, 12)
BUSINESS = BusinessSettings(
    agency="Pixely", phone_region="PE", signature="Equipo Pixely"
)
BENEFITS = {
    "publicaciones-adicionales": Benefit(
        row=2, code="publicaciones-adicionales", name="Publicaciones adicionales sin costo",
        min_months=3, due_days=10,
    ),
    "consultoria-negocio": Benefit(
        row=7, code="consultoria-negocio", name="Consultoría en modelo de negocio",
        min_months=12, due_days=20, followup_days=30,
    ),
}  # fmt: skip
CLIENTS = [
    # (ID, name, contact, e-mail, phone, benefit)
    ("001", "Panadería <script>alert('x')</script> & Hijos", "María Quispe",
     "maria@laespiga.com.pe", "987 654 321", "publicaciones-adicionales"),
    ("002", "Café Aroma", None, "jorge@cafearoma.com.pe", None, "consultoria-negocio"),
    ("014", "Óptica Visión Clara", "Pedro Campos", None, "+51 967 890 123",
     "publicaciones-adicionales"),
]  # fmt: skip


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI"):
        pytest.fail("Chromium is required under CI: install Debian's chromium package")
    pytest.skip("Chromium is not installed (apt-get install chromium)")


def browse(page: Path, profile: Path) -> str:
    """The DOM of ``page`` after Chromium loaded it and ran its script."""
    result = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@dataclass
class CardSeen:
    attrs: dict[str, str]
    title: str = ""
    texts: dict[str, str] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)


class _Dom(HTMLParser):
    """Cards (``article``), their title, message texts and links, from dumped DOM."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: list[CardSeen] = []
        self.scripts = 0
        self._capture: tuple[str, str] | None = None
        self._buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "script":
            self.scripts += 1
        if tag == "article":
            self.cards.append(CardSeen(found))
        elif self.cards and tag == "a" and "data-channel" in found:
            self.cards[-1].links[found["data-channel"]] = found["href"]
        elif self.cards and tag == "h2":
            self._capture, self._buffer = ("title", ""), []
        elif self.cards and tag == "pre":
            self._capture, self._buffer = ("text", found["id"].split("-")[0]), []

    def handle_data(self, data: str) -> None:
        if self._capture:
            self._buffer.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._capture and tag in ("h2", "pre"):
            kind, key = self._capture
            text = "".join(self._buffer)
            if kind == "title":
                self.cards[-1].title = text
            else:
                self.cards[-1].texts[key] = text
            self._capture = None


def read_eml(path: Path) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert isinstance(message, EmailMessage)
    return message


def test_index_has_one_card_per_client_with_working_links(tmp_path: Path) -> None:
    requests = []
    for cid, name, contact, email, phone, code in CLIENTS:
        client = Client(
            row=2,
            client_id=cid,
            name=name,
            contact=contact,
            email=email,
            phone=phone,
            cm="Lucía",
        )
        requests.append(
            NoticeRequest(
                delivery_id=delivery_id(cid, code, MONTH),
                client=client,
                benefit=BENEFITS[code],
                month=MONTH,
                due=date(2026, 12, 13),
                reach=reachability(client, BUSINESS),
            )
        )
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        mail_from="Pixely <hola@pixely.pe>",
        mail_reply_to=None,
        templates=None,
    )
    prepared = render_month(
        requests,
        tmp_path / "salida",
        MONTH,
        BUSINESS,
        resend=False,
        config=settings,
        now=datetime(2026, 12, 3, 9, 0, tzinfo=ZoneInfo("America/Lima")),
    ).write()
    folder = tmp_path / "salida" / "2026-12"

    dom = _Dom()
    dom.feed(browse(folder / "index.html", tmp_path / "profile"))

    assert [card.attrs["data-client"] for card in dom.cards] == ["001", "002", "014"]
    assert [card.title for card in dom.cards] == [row[1] for row in CLIENTS]
    assert dom.scripts == 1  # the page's own script; the client name stayed text
    for card, done in zip(dom.cards, prepared, strict=True):
        assert card.attrs["data-delivery"] == done.delivery_id
        expected_links = {"whatsapp"} if done.whatsapp_link else set()
        if done.email_file:
            expected_links |= {"correo", "eml"}
        assert set(card.links) == expected_links
        if done.whatsapp_link:
            assert done.whatsapp_file is not None
            message = done.whatsapp_file.read_text(encoding="utf-8").rstrip("\n")
            assert card.links["whatsapp"] == done.whatsapp_link
            assert unquote(card.links["whatsapp"].split("?text=", 1)[1]) == message
            assert card.texts["whatsapp"] == message
        if done.email_file:
            email = read_eml(done.email_file)
            body = email.get_body(preferencelist=("plain",))
            assert body is not None
            text = body.get_content().replace("\r\n", "\n")
            mailto = urlsplit(card.links["correo"])
            assert mailto.scheme == "mailto"
            assert unquote(mailto.path) == email["To"].addresses[0].addr_spec
            query = parse_qs(mailto.query)
            assert query["subject"] == [email["Subject"]]
            assert query["body"][0].replace("\r\n", "\n") == text
            assert card.texts["correo"] == text
            assert (folder / unquote(card.links["eml"])) == done.email_file
