"""The month's outbox: real .eml files, wa.me links, re-runs and the index page."""

from __future__ import annotations

from datetime import date, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

import pytest

from pixely_benefits.contacts import reachability
from pixely_benefits.errors import ConfigurationError, PixelyError, TemplateError
from pixely_benefits.messages import render_notice
from pixely_benefits.months import Month
from pixely_benefits.outbox import (
    NoticeRequest,
    PreparedNotice,
    file_stem,
    mailto_link,
    read_email,
    render_month,
    whatsapp_link,
)
from pixely_benefits.records import Benefit, BusinessSettings, Client, delivery_id
from pixely_benefits.settings import Settings

MONTH = Month(2026, 12)
BUSINESS = BusinessSettings(
    agency="Pixely",
    phone_region="PE",
    signature="Equipo Pixely",
    timezone="America/Lima",
)
NOW = datetime(2026, 12, 3, 10, 30, tzinfo=ZoneInfo("America/Lima"))
STUDY = Benefit(
    row=5,
    code="estudio-mercado",
    name="Estudio de mercado gratuito",
    min_months=6,
    due_days=20,
)


def config(
    mail_from: str | None = "Pixely <hola@pixely.pe>",
    reply_to: str | None = "Lucía <lucia@pixely.pe>",
    templates: Path | None = None,
) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        mail_from=mail_from,
        mail_reply_to=reply_to,
        templates=templates,
    )


def request(
    client_id: str,
    name: str,
    *,
    contact: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    benefit: Benefit = STUDY,
) -> NoticeRequest:
    client = Client(
        row=2,
        client_id=client_id,
        name=name,
        contact=contact,
        email=email,
        phone=phone,
        cm="Lucía",
    )
    return NoticeRequest(
        delivery_id=delivery_id(client_id, benefit.code, MONTH),
        client=client,
        benefit=benefit,
        month=MONTH,
        due=date(2026, 12, 23),
        reach=reachability(client, BUSINESS),
    )


def prepare(
    requests: list[NoticeRequest],
    folder: Path,
    *,
    resend: bool = False,
    settings: Settings | None = None,
) -> list[PreparedNotice]:
    return render_month(
        requests,
        folder,
        MONTH,
        BUSINESS,
        resend=resend,
        config=settings or config(),
        now=NOW,
    ).write()


def read_eml(path: Path) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert isinstance(message, EmailMessage)
    return message


def test_the_email_is_a_real_message_with_text_and_html(tmp_path: Path) -> None:
    wanted = request(
        "001", "Ñandú & Cía", contact="Íñigo Núñez", email="inigo@nandu.com.pe"
    )
    expected = render_notice(wanted.client, STUDY, MONTH, wanted.due, BUSINESS)

    [done] = prepare([wanted], tmp_path)

    assert done.email_file == tmp_path / "2026-12" / "001-estudio-mercado-2026-12.eml"
    message = read_eml(done.email_file)
    assert message["Subject"] == expected.subject
    assert message["Subject"].startswith("Íñigo Núñez, tu beneficio de diciembre")
    assert str(message["To"]) == "Íñigo Núñez <inigo@nandu.com.pe>"
    assert str(message["From"]) == "Pixely <hola@pixely.pe>"
    assert str(message["Reply-To"]) == "Lucía <lucia@pixely.pe>"
    assert parsedate_to_datetime(message["Date"]) == NOW
    assert message["Message-ID"].endswith("@pixely.pe>")
    assert message["X-Pixely-Delivery"] == "001-estudio-mercado-2026-12"
    assert message.get_content_type() == "multipart/alternative"
    plain, html = list(message.iter_parts())
    assert (plain.get_content_type(), html.get_content_type()) == (
        "text/plain",
        "text/html",
    )
    assert plain.get_content_charset() == html.get_content_charset() == "utf-8"
    assert plain.get_content().replace("\r\n", "\n") == expected.text
    assert html.get_content().replace("\r\n", "\n") == expected.html
    assert "Ñandú &amp; Cía" not in html.get_content()  # the greeting uses the contact
    raw = done.email_file.read_bytes()
    assert raw.isascii()  # headers encoded, bodies quoted-printable


def test_names_are_escaped_in_the_html_part_only(tmp_path: Path) -> None:
    name = "Pérez & Hijos <script>alert(1)</script>"
    [done] = prepare([request("002", name, email="ventas@perez.pe")], tmp_path)

    assert done.email_file is not None
    plain, html = list(read_eml(done.email_file).iter_parts())
    assert f"Hola, {name}:" in plain.get_content()
    assert (
        "Pérez &amp; Hijos &lt;script&gt;alert(1)&lt;/script&gt;" in html.get_content()
    )
    assert "<script>" not in html.get_content()


def test_without_a_sender_the_email_has_no_from(tmp_path: Path) -> None:
    [done] = prepare(
        [request("001", "Café Aroma", email="jorge@cafearoma.com.pe")],
        tmp_path,
        settings=config(mail_from=None, reply_to=None),
    )

    assert done.email_file is not None
    message = read_eml(done.email_file)
    assert message["From"] is None
    assert message["Reply-To"] is None
    assert message["X-Unsent"] == "1"
    assert str(message["To"]) == "Café Aroma <jorge@cafearoma.com.pe>"


@pytest.mark.parametrize("bad", ["Pixely", "Pixely <hola@>", "hola@pixely"])
def test_a_bad_sender_setting_stops_before_writing(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ConfigurationError, match="PIXELY_MAIL_FROM"):
        prepare(
            [request("001", "Café Aroma", email="jorge@cafearoma.com.pe")],
            tmp_path,
            settings=config(mail_from=bad),
        )

    assert not (tmp_path / "2026-12").exists()


def test_the_whatsapp_link_decodes_to_the_exact_message(tmp_path: Path) -> None:
    wanted = request("003", "Pérez + Hijos & Cía #1 ¿100%?", phone="987 654 321")
    expected = render_notice(wanted.client, STUDY, MONTH, wanted.due, BUSINESS)

    [done] = prepare([wanted], tmp_path)

    assert done.channels == ("whatsapp",)
    assert done.email_file is None
    assert done.whatsapp_file is not None
    assert done.whatsapp_file.read_text(encoding="utf-8") == expected.whatsapp + "\n"
    link = done.whatsapp_link
    assert link is not None
    assert link.startswith("https://wa.me/51987654321?text=")
    encoded = link.split("?text=", 1)[1]
    assert "+" not in encoded
    assert " " not in encoded
    assert "%20" in encoded
    assert unquote(encoded) == expected.whatsapp
    assert parse_qs(urlsplit(link).query)["text"] == [expected.whatsapp]
    assert "Pérez + Hijos & Cía #1 ¿100%?" in expected.whatsapp


@pytest.mark.parametrize(
    ("phone", "text", "expected"),
    [
        ("+51987654321", "a b+c&d", "https://wa.me/51987654321?text=a%20b%2Bc%26d"),
        ("+34612345678", "línea\nnueva", "https://wa.me/34612345678?text=l%C3%ADnea%0Anueva"),
        (None, "hola", "https://wa.me/?text=hola"),
    ],
)  # fmt: skip
def test_whatsapp_links(phone: str | None, text: str, expected: str) -> None:
    assert whatsapp_link(phone, text) == expected


def test_mailto_links_encode_subject_and_body_with_crlf() -> None:
    link = mailto_link("ana@x.pe", "Tu beneficio: año & más", "Hola:\n\nSaludos\n")

    assert link.startswith("mailto:ana@x.pe?subject=")
    query = parse_qs(urlsplit(link).query)
    assert query["subject"] == ["Tu beneficio: año & más"]
    assert query["body"] == ["Hola:\r\n\r\nSaludos\r\n"]
    assert "+" not in link


def test_each_client_gets_the_files_of_its_channels(tmp_path: Path) -> None:
    requests = [
        request("001", "Panadería", email="maria@laespiga.com.pe", phone="987654321"),
        request("002", "Café", email="jorge@cafearoma.com.pe"),
        request("006", "Taller", phone="+51 923 456 789"),
        request("009", "Librería", email="roto@", phone="12"),
    ]

    done = prepare(requests, tmp_path)

    assert [(d.client_id, d.channels, d.rendered) for d in done] == [
        ("001", ("correo", "whatsapp"), ("correo", "whatsapp")),
        ("002", ("correo",), ("correo",)),
        ("006", ("whatsapp",), ("whatsapp",)),
        ("009", (), ()),
    ]
    files = sorted(p.name for p in (tmp_path / "2026-12").iterdir())
    assert files == [
        "001-estudio-mercado-2026-12.eml",
        "001-estudio-mercado-2026-12.whatsapp.txt",
        "002-estudio-mercado-2026-12.eml",
        "006-estudio-mercado-2026-12.whatsapp.txt",
        "avisos.json",
        "index.html",
    ]


def test_a_rerun_renders_only_what_is_missing(tmp_path: Path) -> None:
    wanted = request(
        "001", "Panadería", email="maria@laespiga.com.pe", phone="987654321"
    )
    [first] = prepare([wanted], tmp_path)
    assert first.email_file is not None and first.whatsapp_file is not None
    first.whatsapp_file.write_text("Texto corregido a mano\n", encoding="utf-8")
    first.email_file.unlink()

    [again] = prepare([wanted], tmp_path)

    assert again.rendered == ("correo",)
    assert first.whatsapp_file.read_text(encoding="utf-8") == "Texto corregido a mano\n"
    assert again.whatsapp_link == whatsapp_link(
        "+51987654321", "Texto corregido a mano"
    )
    assert first.email_file.exists()

    [resent] = prepare([wanted], tmp_path, resend=True)

    assert resent.rendered == ("correo", "whatsapp")
    assert "Texto corregido" not in first.whatsapp_file.read_text(encoding="utf-8")


def test_unsafe_delivery_ids_get_distinct_safe_file_names() -> None:
    names = {file_stem(x) for x in ["a/b-x-2026-12", "a_b-x-2026-12", "a b-x-2026-12"]}

    assert len(names) == 3
    assert "a_b-x-2026-12" in names
    assert all("/" not in n and " " not in n for n in names)


def test_an_unwritable_outbox_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "salida"
    blocker.write_text("no soy una carpeta", encoding="utf-8")

    with pytest.raises(PixelyError, match="PIXELY_OUTBOX"):
        prepare([request("002", "Café", email="jorge@cafearoma.com.pe")], blocker)


class _Page(HTMLParser):
    """The cards, links and external references of a static index.html."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: list[dict[str, str]] = []
        self.links: list[tuple[str, str]] = []
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "article":
            self.cards.append(found)
        if tag == "a" and "data-channel" in found:
            self.links.append((found["data-channel"], found["href"]))
        if "src" in found or (tag == "link" and "href" in found):
            self.sources.append(found.get("src") or found["href"])


def page(folder: Path) -> _Page:
    parsed = _Page()
    parsed.feed((folder / "2026-12" / "index.html").read_text(encoding="utf-8"))
    return parsed


def test_the_index_keeps_every_notice_of_the_month(tmp_path: Path) -> None:
    first = request(
        "001", "Panadería", email="maria@laespiga.com.pe", phone="987654321"
    )
    second = request("002", "Café", email="jorge@cafearoma.com.pe")
    prepare([first, second], tmp_path)

    prepare([request("006", "Taller", phone="+51 923 456 789")], tmp_path)

    parsed = page(tmp_path)
    assert [c["data-client"] for c in parsed.cards] == ["001", "002", "006"]
    assert [channel for channel, _ in parsed.links] == [
        "whatsapp",
        "correo",
        "eml",
        "correo",
        "eml",
        "whatsapp",
    ]
    assert parsed.sources == []  # nothing loaded from outside the page


def test_the_index_shows_files_whose_manifest_is_gone(tmp_path: Path) -> None:
    wanted = request(
        "001", "Panadería", contact="María Quispe", email="maria@laespiga.com.pe"
    )
    prepare([wanted], tmp_path)
    (tmp_path / "2026-12" / "avisos.json").write_text("{roto", encoding="utf-8")

    prepare([], tmp_path)

    html = (tmp_path / "2026-12" / "index.html").read_text(encoding="utf-8")
    assert [c["data-delivery"] for c in page(tmp_path).cards] == [wanted.delivery_id]
    assert "María Quispe" in html


def test_a_broken_template_writes_nothing(tmp_path: Path) -> None:
    override = tmp_path / "plantillas" / "notifications"
    override.mkdir(parents=True)
    (override / "whatsapp.txt").write_text("Hola {{ apodo }}\n", encoding="utf-8")
    requests = [
        request("001", "Panadería", email="maria@laespiga.com.pe", phone="987654321"),
        request("002", "Café", email="jorge@cafearoma.com.pe"),
    ]

    with pytest.raises(TemplateError, match=r"whatsapp\.txt, línea 1,"):
        prepare(
            requests, tmp_path / "salida", settings=config(templates=override.parent)
        )

    assert not (tmp_path / "salida" / "2026-12").exists()


def test_sender_and_templates_come_from_the_environment_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    override = tmp_path / "plantillas" / "notifications"
    override.mkdir(parents=True)
    (override / "email_subject.txt").write_text("Novedades de {{ agency }}", "utf-8")
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("PIXELY_MAIL_FROM", "hola@pixely.pe")
    monkeypatch.setenv("PIXELY_MAIL_REPLY_TO", "Lucía <lucia@pixely.pe>")
    monkeypatch.setenv("PIXELY_TEMPLATES", str(override.parent))

    [done] = render_month(
        [request("002", "Café", email="jorge@cafearoma.com.pe")],
        tmp_path / "salida",
        MONTH,
        BUSINESS,
        resend=False,
    ).write()

    assert done.email_file is not None
    message = read_eml(done.email_file)
    assert message["Subject"] == "Novedades de Pixely"
    assert str(message["From"]) == "hola@pixely.pe"
    assert str(message["Reply-To"]) == "Lucía <lucia@pixely.pe>"
    assert parsedate_to_datetime(message["Date"]).tzinfo is not None


@pytest.mark.parametrize(
    "contact",
    [
        "Jorge Salas",  # the subject fits on a line of its own, not after "Subject:"
        "Jorge Salas Quispe de la Torre Ugarte y Fernández-Dávila",  # several lines
    ],
)
def test_a_folded_subject_reads_back_without_a_leading_space(
    tmp_path: Path, contact: str
) -> None:
    wanted = request("002", "Café Aroma", contact=contact, email="jorge@cafe.pe")
    expected = render_notice(wanted.client, STUDY, MONTH, wanted.due, BUSINESS)

    [done] = prepare([wanted], tmp_path)

    assert done.email_file is not None
    assert b"Subject:\r\n " in done.email_file.read_bytes() or len(contact) > 20
    assert read_email(done.email_file)["Subject"] == expected.subject
    html = (tmp_path / "2026-12" / "index.html").read_text(encoding="utf-8")
    assert f"Asunto: {expected.subject.split(',')[0]}," in html
    assert "subject=%20" not in html


def test_a_domain_with_accents_still_gets_its_draft(tmp_path: Path) -> None:
    [done] = prepare([request("003", "Añil", email="ana@añil.pe")], tmp_path)

    assert done.email_file is not None
    [to] = read_email(done.email_file)["To"].addresses
    assert to.addr_spec == "ana@añil.pe"
    html = (tmp_path / "2026-12" / "index.html").read_text(encoding="utf-8")
    assert "mailto:ana@a%C3%B1il.pe?subject=" in html
