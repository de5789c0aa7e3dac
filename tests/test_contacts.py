"""Which channels a notice may use: ``Canal``, e-mail syntax and phone numbers."""

from __future__ import annotations

import pytest

from pixely_benefits.contacts import reachability
from pixely_benefits.records import BusinessSettings, Client

PERU = BusinessSettings(phone_region="PE")
NO_REGION = BusinessSettings()


def client(email: str | None, phone: str | None, channel: str | None = None) -> Client:
    return Client.model_validate(
        {
            "row": 2,
            "client_id": "001",
            "name": "Panadería La Espiga",
            "email": email,
            "phone": phone,
            "channel": channel,
        }
    )


@pytest.mark.parametrize(
    ("email", "phone", "channel", "expected_email", "expected_phone"),
    [
        # blank Canal: every channel the row has
        ("maria@laespiga.com.pe", "987 654 321", None, "maria@laespiga.com.pe",
         "+51987654321"),
        ("maria@laespiga.com.pe", None, None, "maria@laespiga.com.pe", None),
        (None, "+51 912 345 678", None, None, "+51912345678"),
        # Canal chooses, even when the row has both
        ("maria@laespiga.com.pe", "987 654 321", "correo", "maria@laespiga.com.pe", None),
        ("maria@laespiga.com.pe", "987 654 321", " WhatsApp ", None, "+51987654321"),
        ("maria@laespiga.com.pe", "987-654-321", "ambos", "maria@laespiga.com.pe",
         "+51987654321"),
        # other countries written with +, and the domain folded to lower case
        ("Maria@LaEspiga.COM.PE", "+34 612 34 56 78", None, "Maria@laespiga.com.pe",
         "+34612345678"),
    ],
)  # fmt: skip
def test_usable_channels(
    email: str | None,
    phone: str | None,
    channel: str | None,
    expected_email: str | None,
    expected_phone: str | None,
) -> None:
    reach = reachability(client(email, phone, channel), PERU)

    assert (reach.email, reach.phone_e164, reach.problems) == (
        expected_email,
        expected_phone,
        [],
    )
    assert reach.reachable


@pytest.mark.parametrize(
    ("email", "phone", "channel", "settings", "usable", "problem"),
    [
        ("maria@", "987 654 321", None, PERU, ("whatsapp",), "el correo «maria@»"),
        ("maria laespiga.com.pe", None, "correo", PERU, (), "no es válido"),
        ("maria@laespiga.com.pe", "123", None, PERU, ("correo",), "«123» no es un"),
        ("maria@laespiga.com.pe", "987 654", "ambos", PERU, ("correo",), "no es un número"),
        ("maria@laespiga.com.pe", "llámame", None, PERU, ("correo",), "«llámame»"),
        ("maria@laespiga.com.pe", "987 654 321", None, NO_REGION, ("correo",),
         "region_telefono"),
        (None, "987 654 321", "correo", PERU, (), "el canal es «correo» pero no tiene correo"),
        ("maria@laespiga.com.pe", None, "whatsapp", PERU, (),
         "el canal es «whatsapp» pero no tiene WhatsApp"),
        ("maria@laespiga.com.pe", None, "ambos", PERU, ("correo",), "no tiene WhatsApp"),
        (None, None, None, PERU, (), "no tiene correo ni WhatsApp"),
        ("josé@dominio.pe", "987 654 321", None, PERU, ("whatsapp",),
         "el correo «josé@dominio.pe» lleva tildes o eñes antes de la @"),
    ],
)  # fmt: skip
def test_an_unusable_channel_is_reported_and_the_other_still_used(
    email: str | None,
    phone: str | None,
    channel: str | None,
    settings: BusinessSettings,
    usable: tuple[str, ...],
    problem: str,
) -> None:
    reach = reachability(client(email, phone, channel), settings)

    assert reach.channels == usable
    assert reach.reachable == bool(usable)
    assert len(reach.problems) == 1
    assert problem in reach.problems[0]


def test_both_channels_bad_gives_one_problem_each() -> None:
    reach = reachability(client("no-es-correo", "12", "ambos"), PERU)

    assert not reach.reachable
    assert len(reach.problems) == 2
    assert "correo" in reach.problems[0]
    assert "WhatsApp" in reach.problems[1]
