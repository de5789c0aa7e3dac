"""``pixely report``: every benefit's deliverable in every format, end to end."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import docx
import pytest

from pixely_benefits.messages import long_date
from pixely_benefits.procedures import CLOSING_STEPS, GENERIC, PROCEDURES
from pixely_benefits.sheet.schema import DEFAULT_CATALOGUE
from tests.conftest import Cell, SheetFactory, demo_rows

MONTH = "2026-12"
TODAY = date(2026, 12, 1)
FORMATS = ["md", "html", "docx"]
CATALOGUE = {code: due for code, _, _, _, _, due, _ in DEFAULT_CATALOGUE}


# --- reading the files back ---------------------------------------------------------


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(path: Path) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return " ".join(" ".join(parser.parts).split()), parser.tags


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    for section in document.sections:
        parts.extend(p.text for p in section.footer.paragraphs)
    return " ".join(" ".join(parts).split())


def document_text(path: Path) -> str:
    if path.suffix == ".docx":
        return docx_text(path)
    if path.suffix == ".html":
        return html_text(path)[0]
    text = path.read_text(encoding="utf-8")
    return " ".join(text.replace("\\", "").replace("**", "").split())


def make_report(
    cli: Any,
    sheet_path: Path | str,
    folder: Path,
    benefit: str,
    client: str,
    fmt: str,
    *extra: str,
) -> Path:
    target = folder / f"{client}-{benefit}.{fmt}"
    result = cli(
        "--sheet", str(sheet_path), "report", benefit, "--client", client,
        "--month", MONTH, "--formato", fmt, "--salida", str(target),
        "--fecha", TODAY.isoformat(), *extra,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Informe guardado" in result.stdout
    return target


# --- every benefit, every format ------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("benefit", sorted(PROCEDURES))
def test_every_report_has_the_client_the_due_date_and_each_step(
    cli: Any, demo_xlsx: Path, tmp_path: Path, benefit: str, fmt: str
) -> None:
    path = make_report(cli, demo_xlsx, tmp_path, benefit, "001", fmt)
    text = document_text(path)
    due = TODAY + timedelta(days=CATALOGUE[benefit])
    assert "Panadería La Espiga" in text
    assert "María Quispe" in text
    assert f"{long_date(due)} (estimada)" in text
    assert "diciembre de 2026" in text
    assert "Lucía" in text
    assert PROCEDURES[benefit].title in text
    for step in PROCEDURES[benefit].steps + CLOSING_STEPS:
        assert f"{step.title}. {step.detail}" in text
    for section in PROCEDURES[benefit].sections:
        assert section.title in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_due_date_comes_from_the_clients_row_for_the_month(
    cli: Any, demo_xlsx: Path, tmp_path: Path, fmt: str
) -> None:
    # The demo's 007 was notified on 2026-12-03 with a 15-day deadline.
    path = make_report(
        cli, demo_xlsx, tmp_path, "publicaciones-adicionales", "007", fmt
    )
    text = document_text(path)
    assert "Boutique Aurora" in text
    assert "18 de diciembre de 2026" in text
    assert "estimada" not in text
    assert "007-publicaciones-adicionales-2026-12" in text


def test_the_html_is_self_contained_and_has_a_print_stylesheet(
    cli: Any, demo_xlsx: Path, tmp_path: Path
) -> None:
    path = make_report(cli, demo_xlsx, tmp_path, "estudio-mercado", "002", "html")
    source = path.read_text(encoding="utf-8")
    _, tags = html_text(path)
    assert "@media print" in source
    assert not {"link", "script", "img", "iframe"} & set(tags)
    assert "http" not in source


def test_the_competitor_table_compares_five_competitors(
    cli: Any, demo_xlsx: Path, tmp_path: Path
) -> None:
    path = make_report(cli, demo_xlsx, tmp_path, "analisis-competidores", "002", "docx")
    tables = docx.Document(str(path)).tables
    grids = [t for t in tables if t.rows[0].cells[0].text == "Aspecto"]
    assert len(grids) == 1
    header = [cell.text for cell in grids[0].rows[0].cells]
    assert header == ["Aspecto"] + [f"Competidor {n}" for n in range(1, 6)]
    aspects = [row.cells[0].text for row in grids[0].rows[1:]]
    assert aspects == [
        "Nombre", "Presencia en redes", "Tipo de contenido", "Frecuencia",
        "Interacción", "Ofertas", "Diferenciadores", "Puntos fuertes",
        "Puntos débiles",
    ]  # fmt: skip


def test_the_invitation_is_personal_and_offers_the_current_promotion(
    cli: Any, demo_xlsx: Path, tmp_path: Path
) -> None:
    path = make_report(cli, demo_xlsx, tmp_path, "acceso-preferencial", "008", "md")
    text = document_text(path)
    assert "Hola, Dra. Patricia León:" in text
    assert "Como cliente fiel de Dental Sonrisa" in text
    assert "Paquete de reels profesionales: Grabación y edición de 4 reels" in text
    assert "hasta el 28 de febrero de 2027" in text
    assert "Diego, tu community manager" in text
    assert "Equipo Pixely" in text


def test_an_expired_promotion_is_not_offered_unless_named(
    cli: Any, demo_xlsx: Path, tmp_path: Path
) -> None:
    later = ("--fecha", "2027-03-01")
    target = tmp_path / "late.md"
    result = cli(
        "--sheet", str(demo_xlsx), "report", "acceso-preferencial", "-c", "008",
        "-m", MONTH, "-o", str(target), *later,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Paquete de reels" not in target.read_text(encoding="utf-8")
    assert "Muy pronto te contaremos" in target.read_text(encoding="utf-8")


def test_the_invitation_offers_the_promotion_the_client_was_invited_to(
    cli: Any, sheet: SheetFactory, tmp_path: Path
) -> None:
    tabs = demo_rows()
    header = [str(h) for h in tabs["Promociones"][0]]
    other = {"Código": "web-express", "Promoción": "Web en una semana"}
    tabs["Promociones"].append([other.get(h) for h in header])
    location = sheet.create(tabs)
    invited = cli(
        "--sheet", location, "promo", "invite", "web-express", "-c", "008",
        "--salida", str(tmp_path / "salida"), env={"PIXELY_NOW": "2026-12-02T10:00"},
    )  # fmt: skip
    assert invited.exit_code == 0, invited.output
    path = make_report(cli, location, tmp_path, "acceso-preferencial", "008", "html")
    text = document_text(path)
    assert "Web en una semana" in text
    assert "Paquete de reels profesionales" not in text
    assert "008-acceso-preferencial-2026-12" in text


# --- follow-up session --------------------------------------------------------------


def _with_delivery(**cells: Cell) -> dict[str, list[list[Cell]]]:
    tabs = demo_rows()
    header = tabs["Entregas"][0]
    values: dict[str, Cell] = {
        "ID": "001-consultoria-negocio-2026-12",
        "ID cliente": "001",
        "Cliente": "Panadería La Espiga",
        "Beneficio": "consultoria-negocio",
        "Mes": MONTH,
        "Estado": "notificado",
        "Fecha límite": date(2026, 12, 22),
        "Responsable": "Lucía",
        **cells,
    }
    tabs["Entregas"].append([values.get(str(h)) for h in header])
    return tabs


@pytest.mark.parametrize(
    ("cells", "session", "basis"),
    [
        ({}, date(2027, 1, 21), "30 días después de la fecha límite"),
        (
            {"Estado": "entregado", "Entregado": datetime(2026, 12, 10, 16, 0)},
            date(2027, 1, 9),
            "30 días después de la entrega",
        ),
        (
            {"Estado": "entregado", "Seguimiento": date(2027, 1, 15)},
            date(2027, 1, 15),
            "según la columna «Seguimiento»",
        ),
    ],
)
def test_the_consulting_report_dates_the_review_session(
    cli: Any,
    sheet: SheetFactory,
    tmp_path: Path,
    cells: dict[str, Cell],
    session: date,
    basis: str,
) -> None:
    location = sheet.create(_with_delivery(**cells))
    path = make_report(cli, location, tmp_path, "consultoria-negocio", "001", "docx")
    text = docx_text(path)
    assert f"Sesión de revisión: {long_date(session)} ({basis}" in text
    assert "22 de diciembre de 2026" in text


def test_the_review_session_without_a_row_counts_from_the_estimated_due_date(
    cli: Any, demo_xlsx: Path, tmp_path: Path
) -> None:
    path = make_report(cli, demo_xlsx, tmp_path, "consultoria-negocio", "012", "html")
    # Due 2026-12-01 + 20 days, then the catalogue's 30 days of follow-up.
    assert "Sesión de revisión: 20 de enero de 2027" in document_text(path)


# --- what people typed into the sheet -----------------------------------------------


def test_names_are_escaped_in_html_and_markdown(
    cli: Any, sheet: SheetFactory, tmp_path: Path
) -> None:
    tabs = demo_rows()
    tabs["Clientes"][1][1] = "<script>alert(1)</script> Pan | Café & *Co*"
    location = sheet.create(tabs)
    html = make_report(cli, location, tmp_path, "estudio-mercado", "001", "html")
    source = html.read_text(encoding="utf-8")
    assert "<script>" not in source
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Pan | Café &amp; *Co*" in source
    markdown = make_report(cli, location, tmp_path, "estudio-mercado", "001", "md")
    assert r"\<script\>alert(1)\</script\> Pan \| Café & \*Co\*" in (
        markdown.read_text(encoding="utf-8")
    )
    word = make_report(cli, location, tmp_path, "estudio-mercado", "001", "docx")
    assert "<script>alert(1)</script> Pan | Café & *Co*" in docx_text(word)


def test_a_benefit_the_agency_added_gets_the_general_outline(
    cli: Any, sheet: SheetFactory, tmp_path: Path
) -> None:
    tabs = demo_rows()
    header = tabs["Beneficios"][0]
    row = {"Código": "auditoria-web", "Beneficio": "Auditoría web",
           "Meses mínimos": 6, "Plazo (días)": 9}  # fmt: skip
    tabs["Beneficios"].append([row.get(str(h)) for h in header])
    location = sheet.create(tabs)
    path = make_report(cli, location, tmp_path, "Auditoría Web", "002", "docx")
    text = docx_text(path)
    assert "Auditoría web" in text
    assert "10 de diciembre de 2026 (estimada)" in text
    for step in GENERIC.steps + CLOSING_STEPS:
        assert f"{step.title}. {step.detail}" in text


# --- the command's options and refusals ---------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("estudio-mercad", "-c", "001"), "¿Quisiste decir «estudio-mercado»?"),
        (("Estudio de mercado", "-c", "001"), "¿Quisiste decir «estudio-mercado»?"),
        (("estudio-mercado", "-c", "7"), "¿Quisiste decir «007» (Boutique Aurora)"),
        (
            ("estudio-mercado", "-c", "Panaderia la Espiga"),
            "¿Quisiste decir «001» (Panadería La Espiga)?",
        ),
        (("zzz", "-c", "001"), "No hay ningún beneficio «zzz» en «Beneficios»."),
        (
            ("acceso-preferencial", "-c", "001", "--promo", "reels"),
            "¿Quisiste decir «reels-pro»?",
        ),
    ],
)
def test_unknown_names_get_a_suggestion_and_nothing_is_written(
    cli: Any, demo_xlsx: Path, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    result = cli("--sheet", str(demo_xlsx), "report", *args, "-m", MONTH)
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())
    assert not (tmp_path / "salida").exists()


def test_the_default_place_and_format_and_no_silent_overwrite(
    cli: Any, demo_xlsx: Path, tmp_path: Path
) -> None:
    args = ("--sheet", str(demo_xlsx), "report", "asesoria-meta-ads", "-c", "002",
            "-m", MONTH, "--fecha", "2026-12-01")  # fmt: skip
    result = cli(*args)
    assert result.exit_code == 0, result.output
    path = (
        tmp_path
        / "salida"
        / MONTH
        / "informes"
        / ("002-asesoria-meta-ads-2026-12.docx")
    )
    assert "Café Aroma" in docx_text(path)
    path.write_bytes(b"work in progress")
    again = cli(*args)
    assert again.exit_code == 2
    assert "--reemplazar" in again.stderr
    assert path.read_bytes() == b"work in progress"
    replaced = cli(*args, "--reemplazar")
    assert replaced.exit_code == 0, replaced.output
    assert "Café Aroma" in docx_text(path)


@pytest.mark.parametrize(("name", "fmt"), [("a.md", "md"), ("a.HTML", "html")])
def test_the_format_follows_the_file_name(
    cli: Any, demo_xlsx: Path, tmp_path: Path, name: str, fmt: str
) -> None:
    target = tmp_path / name
    result = cli("--sheet", str(demo_xlsx), "report", "estudio-mercado", "-c", "002",
                 "-m", MONTH, "-o", str(target))  # fmt: skip
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>" if fmt == "html" else "# Informe")


def test_a_folder_as_output_gets_the_default_file_name(
    cli: Any, demo_xlsx: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "entregables"
    result = cli("--sheet", str(demo_xlsx), "report", "estudio-mercado", "-c", "002",
                 "-m", MONTH, "-o", str(folder), "-f", "html")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (folder / "002-estudio-mercado-2026-12.html").is_file()


def test_markdown_to_the_screen_and_word_refused_there(
    cli: Any, demo_xlsx: Path
) -> None:
    base = ("--sheet", str(demo_xlsx), "report", "estudio-mercado", "-c", "002",
            "-m", MONTH, "-o", "-")  # fmt: skip
    shown = cli(*base, "-f", "md")
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.startswith("# Informe de estudio de mercado")
    refused = cli(*base, "-f", "docx")
    assert refused.exit_code == 2
    assert "docx" in refused.stderr


def test_a_mismatched_extension_and_format_is_refused(
    cli: Any, demo_xlsx: Path, tmp_path: Path
) -> None:
    result = cli("--sheet", str(demo_xlsx), "report", "estudio-mercado", "-c", "002",
                 "-m", MONTH, "-o", str(tmp_path / "a.md"), "-f", "html")  # fmt: skip
    assert result.exit_code == 2
    assert "--formato" in result.stderr
    assert not (tmp_path / "a.md").exists()


# --- templates a CM overrides ---------------------------------------------------------


def test_an_override_folder_replaces_a_report_template(
    cli: Any, demo_xlsx: Path, tmp_path: Path
) -> None:
    custom = tmp_path / "plantillas" / "reports"
    custom.mkdir(parents=True)
    (custom / "informe.md").write_text(
        "Para {{ report.client.name }}, antes del {{ fecha(report.due) }}.\n",
        encoding="utf-8",
    )
    target = tmp_path / "propio.md"
    result = cli(
        "--sheet", str(demo_xlsx), "report", "estudio-mercado", "-c", "002",
        "-m", MONTH, "-o", str(target), "--fecha", "2026-12-01",
        env={"PIXELY_TEMPLATES": str(tmp_path / "plantillas")},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == (
        "Para Café Aroma, antes del 21 de diciembre de 2026.\n"
    )


def test_a_broken_override_names_the_template_and_line(
    cli: Any, demo_xlsx: Path, tmp_path: Path
) -> None:
    custom = tmp_path / "plantillas" / "reports"
    custom.mkdir(parents=True)
    (custom / "informe.html").write_text(
        "<h1>{{ report.title }}</h1>\n{% for x in %}\n", encoding="utf-8"
    )
    result = cli(
        "--sheet", str(demo_xlsx), "report", "estudio-mercado", "-c", "002",
        "-m", MONTH, "-f", "html",
        env={"PIXELY_TEMPLATES": str(tmp_path / "plantillas")},
    )  # fmt: skip
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert "informe.html" in message
    assert "línea 2" in message
    assert not (tmp_path / "salida").exists()


# --- what the command warns about ---------------------------------------------------


def report_to_screen(cli: Any, location: str, benefit: str, client: str) -> Any:
    result = cli(
        "--sheet", location, "report", benefit, "--client", client, "--month", MONTH,
        "--formato", "html", "--salida", "-", "--fecha", TODAY.isoformat(),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<!DOCTYPE html>")
    return result


@pytest.mark.parametrize(
    ("cells", "warning", "due"),
    [
        (
            {"Estado": "entregado", "Fecha límite": None,
             "Entregado": datetime(2026, 12, 10, 16, 0)},
            "La fila «001-consultoria-negocio-2026-12» de Entregas (fila 20) no tiene "
            "«Fecha límite»: la fecha límite del documento es una estimación, el 21 "
            "de diciembre de 2026 (hoy más los 20 días de «Plazo (días)»).",
            "21 de diciembre de 2026 (estimada)",
        ),
        (
            {"Estado": "cancelado"},
            "La fila «001-consultoria-negocio-2026-12» de Entregas (fila 20) está "
            "cancelada; el documento se preparó igual.",
            "22 de diciembre de 2026",
        ),
        (
            {"ID": "001-consultoria-2026-12", "Estado": "pendiente",
             "Fecha límite": None},
            "La fila «001-consultoria-2026-12» de Entregas (fila 20) no tiene "
            "«Fecha límite»",
            "21 de diciembre de 2026 (estimada)",
        ),
        (
            {"Estado": "enviado"},
            "La fila «001-consultoria-negocio-2026-12» de Entregas tiene datos que no "
            "se pueden leer («pixely check» los muestra)",
            "21 de diciembre de 2026 (estimada)",
        ),
    ],
)  # fmt: skip
def test_the_clients_row_is_found_in_any_state_and_its_gaps_named(
    cli: Any, sheet: SheetFactory, cells: dict[str, Cell], warning: str, due: str
) -> None:
    location = sheet.create(_with_delivery(**cells))
    result = report_to_screen(cli, location, "consultoria-negocio", "001")
    said = " ".join(result.stderr.split())
    assert warning in said
    assert "no tiene fila" not in said
    assert due in " ".join(result.stdout.split())


@pytest.mark.parametrize(
    ("benefit", "client", "warning"),
    [
        (
            "estudio-mercado",
            "009",
            "Librería Letras no es elegible para «estudio-mercado» en 2026-12: "
            "requiere 6 meses continuos (tiene 2); el documento se preparó igual.",
        ),
        (
            "publicaciones-adicionales",
            "002",
            "En 2026-12 a Café Aroma le corresponde «estudio-mercado», no "
            "«publicaciones-adicionales»; el documento se preparó igual.",
        ),
        (
            "acceso-preferencial",
            "014",
            "Óptica Visión Clara no califica para la promoción «reels-pro»: tiene 3 "
            "meses continuos y la promoción pide 6; el documento se preparó igual.",
        ),
        ("estudio-mercado", "003", "Gimnasio Fuerza está pausado en «Clientes»."),
    ],
)
def test_a_client_without_a_row_is_told_why_it_does_not_qualify(
    cli: Any, demo_xlsx: Path, benefit: str, client: str, warning: str
) -> None:
    result = report_to_screen(cli, str(demo_xlsx), benefit, client)
    said = " ".join(result.stderr.split())
    assert f"no tiene fila de «{benefit}» en Entregas para 2026-12" in said
    assert warning in said


def test_a_client_due_the_benefit_is_only_told_the_row_is_missing(
    cli: Any, demo_xlsx: Path
) -> None:
    result = report_to_screen(cli, str(demo_xlsx), "publicaciones-adicionales", "001")
    said = " ".join(result.stderr.split())
    assert said == (
        "Aviso: Panadería La Espiga no tiene fila de «publicaciones-adicionales» en "
        "Entregas para 2026-12: la fecha límite del documento es una estimación, el "
        "11 de diciembre de 2026 (hoy más los 10 días de «Plazo (días)»)."
    )


@pytest.mark.parametrize("name", ["x.pdf", "x.PDF", "informe.txt", "x.doc"])
def test_an_output_name_of_another_format_is_refused(
    cli: Any, demo_xlsx: Path, tmp_path: Path, name: str
) -> None:
    target = tmp_path / "rep" / name
    result = cli("--sheet", str(demo_xlsx), "report", "estudio-mercado", "-c", "002",
                 "-m", MONTH, "-o", str(target))  # fmt: skip
    assert result.exit_code == 2
    said = " ".join(result.stderr.split())
    assert f"--salida termina en {target.suffix.lower()}" in said
    assert ".md, .html o .docx" in said
    assert not target.parent.exists()


def test_the_screen_gets_markdown_by_default(cli: Any, demo_xlsx: Path) -> None:
    result = cli("--sheet", str(demo_xlsx), "report", "estudio-mercado", "-c", "002",
                 "-m", MONTH, "-o", "-")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Informe de estudio de mercado")


# --- help texts -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ("report",),
        ("followups",),
        ("followup-done",),
        ("promo", "list"),
        ("promo", "invite"),
        ("promo", "accept"),
    ],
)
def test_help_paragraphs_wrap_to_the_terminal(
    cli: Any, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    # Rich keeps a single line break inside a paragraph: a line that ends early
    # in a wide terminal means the help text has a hard break.
    monkeypatch.setenv("COLUMNS", "120")
    result = cli(*command, "--help")
    assert result.exit_code == 0
    description = result.stdout.split("╭")[0].split("Uso:")[1].splitlines()[1:]
    paragraph: list[str] = []
    for line in [*description, ""]:
        if line.strip():
            paragraph.append(line.strip())
            continue
        for early in paragraph[:-1]:
            assert len(early) > 90, early
        paragraph = []
