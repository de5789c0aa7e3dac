"""Rendering the notices from Jinja2 templates, in Spanish.

Templates live in the bundled ``templates/`` folder (installed as the
``pixely_benefits.templates`` package data). A folder named by
``PIXELY_TEMPLATES`` is searched first, so a CM overrides any template by
putting a file with the same relative name there (for example
``notifications/email.txt``). Undefined variables are errors, and only
``.html`` templates are autoescaped: plain text and WhatsApp stay plain.

Variables of the notification templates: ``client`` (the ``Clientes`` row:
``name``, ``contact``, ``client_id``...), ``contact`` (who the message greets),
``benefit`` (``name``, ``code``, ``due_days``, ``followup_days``...), ``month``
("diciembre de 2026"), ``month_code`` ("2026-12"), ``deadline`` ("en un plazo
de 10 días desde este aviso"), ``due`` ("13 de diciembre de 2026") and
``due_date`` (the date itself), ``agency``, ``signature``, ``cm``
(may be empty), ``promotion`` (the ``Promociones`` row an invitation offers:
``name``, ``description``, ``valid_until``...; empty otherwise) and
``detail``, the benefit's paragraph from
``notifications/beneficios/<código>.txt`` (``notifications/beneficio.txt``
for a code without its own paragraph). Filters ``fecha`` and ``mes`` format a
date or a month in Spanish.

Why the bundled notices say ``deadline`` and never ``due``: ``Fecha límite``
is the day the notice is confirmed as sent (``pixely sent``, or the SMTP
server accepting it) plus ``Plazo (días)``, and a notice prepared today may
go out days later. ``due`` is the date it would be if sent today: a template
that shows it promises a date the sheet may not record.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from babel.dates import format_date

from pixely_benefits.errors import ConfigurationError, TemplateError
from pixely_benefits.months import Month
from pixely_benefits.records import Benefit, BusinessSettings, Client, Promotion

LOCALE = "es"
SUBJECT = "notifications/email_subject.txt"
EMAIL_TEXT = "notifications/email.txt"
EMAIL_HTML = "notifications/email.html"
WHATSAPP = "notifications/whatsapp.txt"
BENEFIT_DETAIL = "notifications/beneficios/{code}.txt"
BENEFIT_FALLBACK = "notifications/beneficio.txt"
INDEX = "notifications/index.html"


def long_date(day: date) -> str:
    """``date(2026, 12, 15)`` -> ``"15 de diciembre de 2026"``."""
    return format_date(day, format="long", locale=LOCALE)


def month_name(month: Month | date) -> str:
    """``Month(2026, 12)`` -> ``"diciembre de 2026"``."""
    day = month.first_day if isinstance(month, Month) else month
    return format_date(day, format="MMMM 'de' y", locale=LOCALE)


def deadline(days: int) -> str:
    """``10`` -> ``"en un plazo de 10 días desde este aviso"``."""
    if days == 0:
        return "el mismo día de este aviso"
    return f"en un plazo de {days} {'día' if days == 1 else 'días'} desde este aviso"


def bundled_folder() -> Path:
    """The templates shipped with the package.

    An installed package has them in ``pixely_benefits/templates``; an
    editable install (a source checkout) in the ``templates`` folder beside
    the package, which setuptools cannot expose as a subpackage.
    """
    package = Path(__file__).resolve().parent
    for candidate in (package / "templates", package.parent / "templates"):
        if (candidate / "notifications").is_dir():
            return candidate
    raise TemplateError(
        "No se encuentran las plantillas de la instalación: reinstala pixely."
    )


class _Utf8Loader(jinja2.FileSystemLoader):
    """Templates read as UTF-8; a file saved in another encoding is named."""

    def __init__(self, folders: list[Path]) -> None:
        super().__init__(folders, encoding="utf-8")

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        try:
            return super().get_source(environment, template)
        except UnicodeDecodeError:
            path = next(
                (
                    Path(folder) / template
                    for folder in self.searchpath
                    if (Path(folder) / template).is_file()
                ),
                Path(template),
            )
            raise TemplateError(
                f"La plantilla {path} no está guardada como UTF-8: ábrela y guárdala "
                "con la codificación UTF-8."
            ) from None


@functools.lru_cache(maxsize=8)
def environment(override: Path | None = None) -> jinja2.Environment:
    """The Jinja2 environment: the ``override`` folder first, then the bundled one."""
    folders = [bundled_folder()]
    if override is not None:
        if not override.is_dir():
            raise ConfigurationError(
                f"PIXELY_TEMPLATES apunta a «{override}», que no es una carpeta: "
                "corrige la ruta o quita la variable."
            )
        folders.insert(0, override)
    env = jinja2.Environment(
        loader=_Utf8Loader(folders),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "htm"), default_for_string=False
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=True,
    )
    env.filters["fecha"] = long_date
    env.filters["mes"] = month_name
    return env


def render(
    name: str | list[str],
    context: Mapping[str, Any],
    *,
    templates: Path | None = None,
) -> str:
    """Render the first template found among ``name``, as a :class:`TemplateError`
    on any fault (a missing file, bad syntax, an unknown variable...)."""
    env = environment(templates)
    names = [name] if isinstance(name, str) else name
    try:
        template = env.select_template(names)
    except jinja2.TemplatesNotFound:
        raise TemplateError(
            f"Falta la plantilla «{names[0]}»: restáurala o bórrala de la carpeta "
            "de PIXELY_TEMPLATES para usar la incluida."
        ) from None
    except jinja2.TemplateSyntaxError as error:
        filename = error.filename or error.name or names[0]
        raise _broken(filename, error.lineno, error) from error
    try:
        return template.render(context)
    except TemplateError:  # an included template that is not UTF-8
        raise
    # A template is code that the CM may edit: any exception it raises is a
    # fault in that file, reported with its line instead of a traceback.
    except Exception as error:
        filename, line = _template_frame(error.__traceback__, template.filename)
        raise _broken(filename, line, error) from error


def _broken(filename: str, line: int | None, error: Exception) -> TemplateError:
    where = f", línea {line}," if line else ""
    reason = error.message if isinstance(error, jinja2.TemplateError) else None
    detail = reason or f"{type(error).__name__}: {error}"
    if isinstance(error, jinja2.UndefinedError):
        detail = f"usa una variable que no existe: {detail}"
    return TemplateError(
        f"La plantilla {filename}{where} tiene un error ({detail}): corrígela."
    )


def _template_frame(
    trace: TracebackType | None, default: str | None
) -> tuple[str, int | None]:
    """The innermost template file and line in a traceback Jinja2 rewrote."""
    found: tuple[str, int | None] = (default or "<plantilla>", None)
    while trace is not None:
        filename = trace.tb_frame.f_code.co_filename
        if filename.endswith((".txt", ".html", ".htm")):
            found = (filename, trace.tb_lineno)
        trace = trace.tb_next
    return found


@dataclass(frozen=True)
class Notice:
    """One client's notice, rendered for every channel."""

    subject: str
    text: str
    html: str
    whatsapp: str


def notice_context(
    client: Client,
    benefit: Benefit,
    month: Month,
    due: date,
    settings: BusinessSettings,
    promotion: Promotion | None = None,
) -> dict[str, Any]:
    """The variables every notification template sees (without ``detail``)."""
    return {
        "client": client,
        "contact": client.greeting_name,
        "benefit": benefit,
        "month": month_name(month),
        "month_code": str(month),
        "deadline": deadline(benefit.due_days),
        "due": long_date(due),
        "due_date": due,
        "agency": settings.agency,
        "signature": settings.signed_by,
        "cm": client.cm,
        "promotion": promotion,
    }


def render_notice(
    client: Client,
    benefit: Benefit,
    month: Month,
    due: date,
    settings: BusinessSettings,
    *,
    promotion: Promotion | None = None,
    templates: Path | None = None,
) -> Notice:
    """The e-mail (subject, text, HTML) and WhatsApp text telling ``client``
    which benefit ``month`` brings and within how many days it is delivered."""
    context = notice_context(client, benefit, month, due, settings, promotion)
    detail = render(
        [BENEFIT_DETAIL.format(code=benefit.code), BENEFIT_FALLBACK],
        context,
        templates=templates,
    )
    context["detail"] = " ".join(detail.split())
    subject = render(SUBJECT, context, templates=templates)
    return Notice(
        subject=" ".join(subject.split()),
        text=_tidy(render(EMAIL_TEXT, context, templates=templates)),
        html=render(EMAIL_HTML, context, templates=templates).strip() + "\n",
        whatsapp=_tidy(render(WHATSAPP, context, templates=templates)).rstrip("\n"),
    )


def _tidy(text: str) -> str:
    """Trailing spaces off every line, at most one blank line in a row, one final
    newline: what a template with ``{% if %}`` blocks leaves behind."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept) + "\n"
