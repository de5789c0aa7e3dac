"""Finding what the user named on the command line: a client or a benefit.

Client IDs match exactly; benefit codes also by code or name folded as
headers are (case, accents, spaces). Anything else is a :class:`UsageError`
that names the closest IDs or codes ("¿Quisiste decir …?").
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

from pixely_benefits.errors import UsageError
from pixely_benefits.records import Benefit, Client, ControlData
from pixely_benefits.sheet.schema import normalize


def find_client(data: ControlData, client_id: str) -> Client:
    """The client with ``client_id``, else a :class:`UsageError` naming the closest
    IDs (an ID typed without its leading zeros, or a business name, comes first)."""
    wanted = client_id.strip()
    client = data.client(wanted)
    if client is not None:
        return client
    names = {c.client_id: c.name for c in data.clients}
    raise UsageError(
        f"No hay ningún cliente con ID «{wanted}» en «Clientes»"
        + did_you_mean(wanted, names, with_names=True)
    )


def find_benefit(data: ControlData, code: str) -> Benefit:
    """The benefit ``code`` (or that code or name folded), else a :class:`UsageError`
    naming the closest codes."""
    wanted = code.strip()
    benefit = data.benefit(wanted)
    if benefit is not None:
        return benefit
    for candidate in data.benefits:
        if normalize(wanted) in (normalize(candidate.code), normalize(candidate.name)):
            return candidate
    names = {b.code: b.name for b in data.benefits}
    raise UsageError(
        f"No hay ningún beneficio «{wanted}» en «Beneficios»"
        + did_you_mean(wanted, names)
    )


def did_you_mean(
    wanted: str, names: Mapping[str, str], *, with_names: bool = False
) -> str:
    """The end of a "not found" sentence: ``". ¿Quisiste decir «a» o «b»?"`` with the
    closest of ``names`` (code -> name, compared by code and by name), else ``"."``.

    A code typed without its leading zeros (``7`` for ``007``) comes first;
    ``with_names`` shows each code with its name.
    """
    folded = normalize(wanted)
    keys = {normalize(code): code for code in names}
    for code, name in names.items():
        keys.setdefault(normalize(name), code)
    close = [c for c in names if c.lstrip("0") == folded.lstrip("0") != ""]
    close += [
        keys[m] for m in difflib.get_close_matches(folded, list(keys), n=6, cutoff=0.6)
    ]
    shown = [
        f"«{c}» ({_short(names[c])})" if with_names else f"«{c}»"
        for c in dict.fromkeys(close)
    ][:3]
    if not shown:
        return "."
    options = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " o " + shown[-1]
    return f". ¿Quisiste decir {options}?"


_did_you_mean = did_you_mean

SHOWN_NAME = 40
"""Characters of a name shown in a suggestion; a longer one ends in "…"."""


def _short(name: str) -> str:
    return name if len(name) <= SHOWN_NAME else name[: SHOWN_NAME - 1].rstrip() + "…"


def unique(values: Iterable[str]) -> list[str]:
    """``values`` stripped, without blanks or repeats, in their order."""
    return list(dict.fromkeys(v.strip() for v in values if v.strip()))
