"""Rendering the notices: Spanish dates, one paragraph per benefit, escaping, overrides."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pixely_benefits.errors import ConfigurationError, TemplateError
from pixely_benefits.messages import (
    bundled_folder,
    deadline,
    long_date,
    month_name,
    render,
    render_notice,
)
from pixely_benefits.months import Month
from pixely_benefits.records import Benefit, BusinessSettings, Client
from pixely_benefits.sheet.schema import DEFAULT_CATALOGUE

MONTH = Month(2026, 12)
DUE = date(2026, 12, 15)
SETTINGS = BusinessSettings(agency="Pixely", signature="Equipo Pixely")


def make_client(name: str = "Panadería La Espiga", **fields: object) -> Client:
    values: dict[str, object] = {"row": 2, "client_id": "001", "name": name}
    values.update(fields)
    return Client.model_validate(values)


def make_benefit(code: str = "estudio-mercado", **fields: object) -> Benefit:
    values: dict[str, object] = {
        "row": 2,
        "code": code,
        "name": "Estudio de mercado gratuito",
        "min_months": 6,
    }
    values.update(fields)
    return Benefit.model_validate(values)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 15), "15 de diciembre de 2026"),
        (date(2027, 1, 1), "1 de enero de 2027"),
        (date(2028, 2, 29), "29 de febrero de 2028"),
    ],
)
def test_long_dates_are_spanish(day: date, expected: str) -> None:
    assert long_date(day) == expected


@pytest.mark.parametrize(
    ("month", "expected"),
    [
        (Month(2026, 12), "diciembre de 2026"),
        (Month(2026, 9), "septiembre de 2026"),
        (date(2027, 3, 20), "marzo de 2027"),
    ],
)
def test_month_names_are_spanish(month: Month | date, expected: str) -> None:
    assert month_name(month) == expected


@pytest.mark.parametrize(
    ("code", "name", "words"),
    [(row[0], row[1], None) for row in DEFAULT_CATALOGUE]
    + [
        ("estudio-mercado", "Estudio de mercado gratuito", "Google Drive"),
        ("analisis-competidores", "Análisis de competidores", "cinco"),
        ("consultoria-negocio", "Consultoría en modelo de negocio", "diagnóstico"),
        ("asesoria-meta-ads", "Asesoría en Meta Ads", "guía práctica"),
    ],
)
def test_every_catalogue_benefit_has_its_own_paragraph(
    code: str, name: str, words: str | None
) -> None:
    paragraph = (bundled_folder() / f"notifications/beneficios/{code}.txt").read_text(
        encoding="utf-8"
    )
    notice = render_notice(
        make_client(contact="María Quispe"),
        make_benefit(code, name=name),
        MONTH,
        DUE,
        SETTINGS,
    )

    first_words = " ".join(paragraph.split()[:6])
    for body in (notice.text, notice.whatsapp):
        assert first_words in body
        if code == "acceso-preferencial":  # a deadline to answer the invitation
            assert "antes del 15 de diciembre de 2026" in body
        else:  # the sheet dates the delivery from the day the notice goes out
            assert "en un plazo de 15 días desde este aviso" in body
            assert "15 de diciembre" not in body
        assert name in body
        assert "diciembre de 2026" in body
        assert "María Quispe" in body
        assert "Equipo Pixely" in body
    assert name in notice.subject
    if words:
        assert words in notice.text


def test_a_benefit_without_its_own_paragraph_gets_the_general_one() -> None:
    notice = render_notice(
        make_client(),
        make_benefit("taller-fotos", name="Taller de fotos"),
        MONTH,
        DUE,
        SETTINGS,
    )

    assert "coordinar los detalles de este beneficio" in notice.text
    assert "en un plazo de 15 días desde este aviso" in notice.whatsapp


@pytest.mark.parametrize(("followup", "said"), [(30, True), (None, False)])
def test_the_consultancy_mentions_its_follow_up_only_when_it_has_one(
    followup: int | None, said: bool
) -> None:
    notice = render_notice(
        make_client(),
        make_benefit("consultoria-negocio", followup_days=followup),
        MONTH,
        DUE,
        SETTINGS,
    )

    assert ("30 días después" in notice.text) is said
    assert ("sesión de seguimiento" in notice.whatsapp) is said


@pytest.mark.parametrize(
    ("cm", "signature_line"),
    [("Lucía", "Lucía, tu community manager"), (None, None)],
)
def test_the_signature_names_the_cm_when_there_is_one(
    cm: str | None, signature_line: str | None
) -> None:
    notice = render_notice(make_client(cm=cm), make_benefit(), MONTH, DUE, SETTINGS)

    assert notice.text.endswith("Equipo Pixely\n")
    assert ("community manager" in notice.text) is (cm is not None)
    if signature_line:
        assert signature_line in notice.text
        assert "Lucía · Equipo Pixely" in notice.whatsapp
    assert "\n\n\n" not in notice.text


def test_the_greeting_prefers_the_contact_person() -> None:
    with_contact = render_notice(
        make_client(contact="Dra. Patricia León"), make_benefit(), MONTH, DUE, SETTINGS
    )
    without = render_notice(make_client(), make_benefit(), MONTH, DUE, SETTINGS)

    assert with_contact.text.startswith("Hola, Dra. Patricia León:")
    assert without.text.startswith("Hola, Panadería La Espiga:")


def test_names_are_escaped_in_html_and_plain_elsewhere() -> None:
    name = 'Pérez & Hijos <script>alert("x")</script>'
    notice = render_notice(make_client(name), make_benefit(), MONTH, DUE, SETTINGS)

    assert "Pérez &amp; Hijos &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in (
        notice.html
    )
    assert "<script>" not in notice.html
    assert f"Hola, {name}:" in notice.text
    assert name in notice.whatsapp
    assert name in notice.subject


def test_the_subject_is_one_line() -> None:
    notice = render_notice(
        make_client(contact="Ana\nTorres"), make_benefit(), MONTH, DUE, SETTINGS
    )

    assert "\n" not in notice.subject
    assert notice.subject == (
        "Ana Torres, tu beneficio de diciembre de 2026: Estudio de mercado gratuito"
    )


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_an_override_folder_replaces_only_the_templates_it_has(tmp_path: Path) -> None:
    write(tmp_path, "notifications/email_subject.txt", "Novedad de {{ agency }}")
    write(
        tmp_path,
        "notifications/beneficios/estudio-mercado.txt",
        "Un estudio hecho a tu medida, listo el {{ due_date|fecha }}.",
    )

    notice = render_notice(
        make_client(), make_benefit(), MONTH, DUE, SETTINGS, templates=tmp_path
    )

    assert notice.subject == "Novedad de Pixely"
    assert "Un estudio hecho a tu medida, listo el 15 de diciembre de 2026." in (
        notice.text
    )
    assert notice.text.startswith("Hola, Panadería La Espiga:")  # bundled e-mail


@pytest.mark.parametrize(
    ("text", "line", "detail"),
    [
        ("Hola\n{{ contact }\n", 2, "unexpected"),
        ("Hola\n\n{% if cm %}sin cerrar\n", 3, "endif"),
        ("Hola {{ contact }}\nTu plan: {{ plan }}\n", 2, "'plan' is undefined"),
        ("Hola\n{{ benefit.precio }}\n", 2, "precio"),
        ("Hola\n\n\n{{ 1 // 0 }}\n", 4, "ZeroDivisionError"),
    ],
)
def test_a_broken_override_names_the_file_and_line(
    tmp_path: Path, text: str, line: int, detail: str
) -> None:
    broken = write(tmp_path, "notifications/whatsapp.txt", text)

    with pytest.raises(TemplateError) as raised:
        render_notice(
            make_client(), make_benefit(), MONTH, DUE, SETTINGS, templates=tmp_path
        )

    message = raised.value.message
    assert str(broken) in message
    assert f"línea {line}" in message
    assert detail in message


def test_a_missing_override_folder_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="PIXELY_TEMPLATES"):
        render("notifications/whatsapp.txt", {}, templates=tmp_path / "no-existe")


def test_a_missing_template_is_named(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match=r"notifications/no-existe\.txt"):
        render("notifications/no-existe.txt", {}, templates=tmp_path)


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (10, "en un plazo de 10 días desde este aviso"),
        (1, "en un plazo de 1 día desde este aviso"),
        (0, "el mismo día de este aviso"),
    ],
)
def test_the_deadline_counts_days_from_the_notice(days: int, expected: str) -> None:
    assert deadline(days) == expected


def test_a_template_not_saved_as_utf8_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "notifications"
    folder.mkdir()
    latin = folder / "whatsapp.txt"
    latin.write_bytes("¡Hola, {{ contact }}! Ñandú\n".encode("latin-1"))

    with pytest.raises(TemplateError) as raised:
        render_notice(
            make_client(), make_benefit(), MONTH, DUE, SETTINGS, templates=tmp_path
        )

    assert raised.value.message == (
        f"La plantilla {latin} no está guardada como UTF-8: ábrela y guárdala con la "
        "codificación UTF-8."
    )
