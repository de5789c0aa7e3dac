"""How a client can be reached: the e-mail and WhatsApp number a notice may use.

``Canal`` in ``Clientes`` chooses the channels (``correo``, ``whatsapp``,
``ambos``; blank = every channel the row has). A channel that is asked for but
missing or invalid is reported in Spanish and left out; the other channel is
still used. Nothing here touches the network: e-mail addresses are checked for
syntax only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from pixely_benefits.records import BusinessSettings, Channel, Client

EMAIL = "correo"
WHATSAPP = "whatsapp"


@dataclass(frozen=True)
class Reachability:
    """The usable channels of one client.

    ``phone_e164`` is the number in E.164 form, ``+`` and digits
    (``+51987654321``). ``problems`` holds one Spanish sentence per channel
    that the row asks for (or, with a blank ``Canal``, that it fills in) but
    that cannot be used; it does not name the client, so callers prefix it.
    """

    email: str | None
    phone_e164: str | None
    problems: list[str] = field(default_factory=list)

    @property
    def channels(self) -> tuple[str, ...]:
        """The usable channels, e-mail first: ``("correo", "whatsapp")``."""
        found: list[str] = []
        if self.email:
            found.append(EMAIL)
        if self.phone_e164:
            found.append(WHATSAPP)
        return tuple(found)

    @property
    def reachable(self) -> bool:
        return bool(self.email or self.phone_e164)


def reachability(client: Client, settings: BusinessSettings) -> Reachability:
    """The channels a notice to ``client`` may use, honouring its ``Canal``."""
    wants_email = client.channel in (None, Channel.EMAIL, Channel.BOTH)
    wants_phone = client.channel in (None, Channel.WHATSAPP, Channel.BOTH)
    problems: list[str] = []
    email: str | None = None
    phone: str | None = None

    if wants_email:
        if client.email:
            email, problem = _check_email(client.email)
            if problem:
                problems.append(problem)
        elif client.channel is not None:
            problems.append(
                f"el canal es «{client.channel.value}» pero no tiene correo"
            )
    if wants_phone:
        if client.phone:
            phone, problem = _check_phone(client.phone, settings.phone_region)
            if problem:
                problems.append(problem)
        elif client.channel is not None:
            problems.append(
                f"el canal es «{client.channel.value}» pero no tiene WhatsApp"
            )
    if client.channel is None and not client.email and not client.phone:
        problems.append("no tiene correo ni WhatsApp: no se le puede avisar")
    return Reachability(email=email, phone_e164=phone, problems=problems)


def _check_email(raw: str) -> tuple[str | None, str | None]:
    try:
        checked = validate_email(raw, check_deliverability=False)
    except EmailNotValidError:
        return None, f"el correo «{raw}» no es válido"
    if checked.smtputf8:
        # Accents before the @ need SMTPUTF8 end to end, which many servers
        # refuse, and Python's e-mail package cannot write such a mailbox.
        return None, (
            f"el correo «{raw}» lleva tildes o eñes antes de la @ y muchos "
            "servidores no lo aceptan: pide al cliente una dirección sin ellas"
        )
    return checked.normalized, None


def _check_phone(raw: str, region: str | None) -> tuple[str | None, str | None]:
    text = raw.strip()
    if not text.startswith("+") and region is None:
        return None, (
            f"el WhatsApp «{raw}» no lleva código de país: escríbelo con «+» "
            "o define «region_telefono» en Configuración"
        )
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None, f"el WhatsApp «{raw}» no es un número de teléfono"
    if not phonenumbers.is_valid_number(number):
        return None, f"el WhatsApp «{raw}» no es un número válido"
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164, None
