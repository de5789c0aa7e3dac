"""What ``pixely check`` finds beyond the rows that loading leaves out.

These are warnings (:data:`~pixely_benefits.problems.WARNING`): the row is used
as it is, but one of its cells will let a later command down. A client whose
e-mail is not an address stays in the rules, yet no notice can go to that
e-mail; an ``Entregas`` row of a benefit code that is not in the catalogue still
counts (as ``mensual``, as the contract says), yet no one can tell which
benefit it was. Checking e-mail addresses and phone numbers costs too much to do
on every command, so only ``check`` does it.
"""

from __future__ import annotations

from pixely_benefits.contacts import reachability
from pixely_benefits.loading import Loaded
from pixely_benefits.problems import WARNING, Problem
from pixely_benefits.records import ClientState
from pixely_benefits.sheet import cells
from pixely_benefits.sheet.schema import (
    BENEFITS,
    CLIENTS,
    DELIVERIES,
    PERIODS,
    PROMOTIONS,
    SETTINGS,
    TabSpec,
    match_headers,
    normalize,
)


def warnings(loaded: Loaded) -> list[Problem]:
    """The warnings about ``loaded``, in sheet order: ``Clientes``, then ``Entregas``."""
    return [*_contacts(loaded), *_unknown_references(loaded)]


class _Headers:
    """The header texts of one tab as the sheet spells them, by column key."""

    def __init__(self, loaded: Loaded, spec: TabSpec) -> None:
        raw = loaded.tabs.get(spec.name)
        self.spec = spec
        self.title = raw.title if raw is not None else spec.name
        self.header = raw.header if raw is not None else []
        self.columns = match_headers(spec, self.header) if self.header else {}

    def __getitem__(self, key: str) -> str:
        index = self.columns.get(key)
        return self.header[index] if index is not None else self.spec.column(key).header

    def values(self, loaded: Loaded, key: str) -> set[str]:
        """Every readable value of column ``key``, bad rows included."""
        raw = loaded.tabs.get(self.spec.name)
        index = self.columns.get(key)
        if raw is None or index is None:
            return set()
        found: set[str] = set()
        for row in raw.rows:
            if index < len(row.values):
                try:
                    value = cells.identifier(row.values[index])
                except cells.CellError:
                    continue
                if value is not None:
                    found.add(value)
        return found


def _contacts(loaded: Loaded) -> list[Problem]:
    """E-mails and WhatsApp numbers that cannot be used, and channels asked for
    in ``Canal`` that the row lacks.

    A bad address is reported whatever the client's state; a missing channel
    only while the client is active, since no one writes to the others. A row
    without any contact and a blank ``Canal`` is not reported: it may be a
    client whose details are still to come, and ``notify`` names it.
    """
    data = loaded.data
    headers = _Headers(loaded, CLIENTS)
    found: list[Problem] = []
    for client in data.clients:
        for sentence in reachability(client, data.settings).problems:
            if client.email and f"«{client.email}»" in sentence:
                key, value = "email", client.email
            elif client.phone and f"«{client.phone}»" in sentence:
                key, value = "phone", client.phone
            elif client.channel is None or client.state is not ClientState.ACTIVE:
                continue
            else:  # a channel asked for but missing
                key, value = "channel", client.channel.value
            found.append(
                Problem(
                    headers.title,
                    client.row,
                    headers[key],
                    value,
                    f"{sentence}; la fila se usa igual, sin ese canal",
                    WARNING,
                )
            )
    return found


def _unknown_references(loaded: Loaded) -> list[Problem]:
    """``Entregas`` rows of a client or a benefit code that the sheet does not list.

    Rows of clients or codes that are listed on a bad row are not reported
    again: that row is reported already.
    """
    data = loaded.data
    headers = _Headers(loaded, DELIVERIES)
    clients = _Headers(loaded, CLIENTS).values(loaded, "client_id")
    codes = _Headers(loaded, BENEFITS).values(loaded, "code")
    found: list[Problem] = []
    for row in data.deliveries:
        if row.client_id not in clients:
            found.append(
                Problem(
                    headers.title,
                    row.row,
                    headers["client_id"],
                    row.client_id,
                    "no hay ningún cliente con ese ID en «Clientes»: la fila se "
                    "conserva y cuenta para ese ID",
                    WARNING,
                )
            )
        if row.benefit not in codes:
            found.append(
                Problem(
                    headers.title,
                    row.row,
                    headers["benefit"],
                    row.benefit,
                    "no hay ningún beneficio con ese código en «Beneficios»: la fila "
                    "cuenta como un beneficio mensual",
                    WARNING,
                )
            )
    return found


_TAB_ORDER = {
    name: index
    for index, name in enumerate(
        normalize(spec.name)
        for spec in (CLIENTS, PERIODS, BENEFITS, DELIVERIES, SETTINGS, PROMOTIONS)
    )
}


def everything(loaded: Loaded) -> list[Problem]:
    """The problems loading found and the warnings, by tab then row."""
    found = [*loaded.problems, *warnings(loaded)]
    found.sort(key=lambda p: (_TAB_ORDER.get(normalize(p.tab), 99), p.tab, p.row))
    return found
