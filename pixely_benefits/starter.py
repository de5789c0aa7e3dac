"""What ``pixely init`` puts in a new control sheet: the catalogue, settings and demo data.

The demo clients are dated relative to a reference month, so that a demo made
in any month shows every outcome of the rules in that month.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

from pixely_benefits.months import Month
from pixely_benefits.records import delivery_id
from pixely_benefits.sheet.cells import Cell
from pixely_benefits.sheet.schema import (
    ALL_TABS,
    BENEFITS,
    CLIENTS,
    DEFAULT_CATALOGUE,
    DELIVERIES,
    PERIODS,
    PROMOTIONS,
    SETTINGS,
    TabSpec,
)

Row = Mapping[str, Cell]


def catalogue_rows(plan_limits: Mapping[str, str] | None = None) -> list[Row]:
    rows: list[Row] = []
    for code, name, kind, minimum, repeat, due, followup in DEFAULT_CATALOGUE:
        rows.append(
            {
                "Código": code,
                "Beneficio": name,
                "Tipo": kind,
                "Meses mínimos": minimum,
                "Repetir cada": repeat,
                "Plazo (días)": due,
                "Seguimiento (días)": followup,
                "Planes": (plan_limits or {}).get(code),
                "Activo": "sí",
            }
        )
    return rows


def settings_rows(overrides: Mapping[str, Cell] | None = None) -> list[Row]:
    values: dict[str, Cell] = {
        "agencia": "Pixely",
        "zona_horaria": None,
        "region_telefono": None,
        "dias_gracia": 7,
        "meses_entre_beneficios": 1,
        "firma": None,
    }
    values.update(overrides or {})
    return [{"Clave": key, "Valor": value} for key, value in values.items()]


def starter_tabs() -> list[tuple[TabSpec, list[Row]]]:
    """Every tab of a new, empty control sheet, with the catalogue and settings."""
    content: dict[str, list[Row]] = {
        BENEFITS.name: catalogue_rows(),
        SETTINGS.name: settings_rows(),
    }
    return [(spec, content.get(spec.name, [])) for spec in ALL_TABS]


# The demo: (ID, business, contact, e-mail, phone, channel, plan, state, CM)
_DEMO_CLIENTS: tuple[tuple[str, ...], ...] = (
    ("001", "Panadería La Espiga", "María Quispe", "maria@laespiga.com.pe", "987 654 321",
     "", "Pro", "activo", "Lucía"),
    ("002", "Café Aroma", "Jorge Salas", "jorge@cafearoma.com.pe", "", "correo", "Pro",
     "activo", "Lucía"),
    ("003", "Gimnasio Fuerza", "Ana Torres", "ana@gimnasiofuerza.com.pe", "", "", "Básico",
     "pausado", "Diego"),
    ("004", "Estudio Jurídico Ríos", "Carlos Ríos", "carlos@riosabogados.com.pe", "", "",
     "Pro", "cancelado", "Diego"),
    ("005", "Florería Pétalos", "Rosa Díaz", "rosa@petalos.com.pe", "+51 912 345 678", "",
     "Básico", "activo", "Lucía"),
    ("006", "Taller Mecánico Veloz", "Luis Paredes", "", "+51 923 456 789", "whatsapp",
     "Básico", "activo", "Diego"),
    ("007", "Boutique Aurora", "Elena Vargas", "elena@boutiqueaurora.com.pe",
     "+51 934 567 890", "ambos", "Premium", "activo", "Lucía"),
    ("008", "Dental Sonrisa", "Dra. Patricia León", "citas@dentalsonrisa.com.pe",
     "945 678 901", "", "Pro", "activo", "Diego"),
    ("009", "Librería Letras", "Raúl Mendoza", "raul@librerialetras.com.pe", "", "",
     "Básico", "activo", "Lucía"),
    ("010", "Heladería Polar", "Sofía Chávez", "sofia@heladeriapolar.com.pe", "", "",
     "Básico", "activo", "Diego"),
    ("011", "Agencia de Viajes Rumbo", "Miguel Ortiz", "miguel@viajesrumbo.com.pe", "", "",
     "Pro", "activo", "Lucía"),
    ("012", "Consultorio Vida", "Dr. Andrés Soto", "andres@consultoriovida.com.pe",
     "956 789 012", "", "Premium", "activo", "Diego"),
    ("013", "Restaurante Sabor Norteño", "Carmen Ruiz", "carmen@sabornorteno.com.pe",
     "", "", "Pro", "activo", "Lucía"),
    ("014", "Óptica Visión Clara", "Pedro Campos", "", "+51 967 890 123", "whatsapp",
     "Básico", "activo", "Diego"),
    ("015", "Pastelería Dulce Hogar", "Julia Flores", "julia@dulcehogar.com.pe", "", "",
     "Básico", "activo", "Lucía"),
)  # fmt: skip


def demo_tabs(month: Month) -> list[tuple[TabSpec, list[Row]]]:
    """A demo control sheet whose clients show every outcome of the rules in ``month``.

    Outcomes in ``month``: 001, 008 and 014 eligible for their first benefit,
    002 and 012 for the next one in the rotation; 003 paused and 004 cancelled
    (estado); 005 subscription ended (sin-suscripcion); 006 and 009 too new, 009
    after a gap longer than the grace days (antiguedad); 007 keeps the row it
    already has this month; 008 joins two periods across a 5-day gap; 010 only
    has benefits its plan excludes left (sin-beneficio); 011 got a benefit last
    month and waits (beneficio-reciente, with meses_entre_beneficios = 2); 013
    has every possible benefit blocked by its repeat window (sin-beneficio); 015
    has a period that ended and a new one that starts next month.
    """

    def start(months_ago: int, day: int = 1) -> date:
        return month.shift(-months_ago).first_day.replace(day=day)

    periods: list[tuple[str, date, date | None, str | None]] = [
        ("001", start(8), None, None),
        ("002", start(15), None, None),
        ("003", start(10), None, "Pausa pedida por el cliente"),
        ("004", start(9), start(1) - timedelta(days=1), "Canceló el servicio"),
        ("005", start(12), start(2) - timedelta(days=1), None),
        ("006", start(2), None, None),
        ("007", start(6, 15), None, None),
        ("008", start(11), start(4) - timedelta(days=1), None),
        ("008", start(4, 6), None, "Volvió tras 5 días"),
        ("009", start(14), start(3) - timedelta(days=1), None),
        ("009", start(3, 21), None, "Volvió tras 20 días: empieza de cero"),
        ("010", start(7), None, None),
        ("011", start(9), None, None),
        ("012", start(13), None, None),
        ("013", start(4), None, None),
        ("014", start(3), None, None),
        ("015", start(10), start(1) - timedelta(days=1), None),
        ("015", month.shift(1).first_day, None, "Renueva el próximo mes"),
    ]
    past: list[tuple[str, str, int, str]] = [
        ("002", "publicaciones-adicionales", 10, "entregado"),
        ("002", "optimizacion-estrategia", 8, "entregado"),
        ("002", "analisis-competidores", 6, "entregado"),
        ("002", "estudio-mercado", 4, "cancelado"),
        ("007", "publicaciones-adicionales", 0, "notificado"),
        ("010", "publicaciones-adicionales", 2, "entregado"),
        ("010", "optimizacion-estrategia", 4, "entregado"),
        ("010", "analisis-competidores", 6, "entregado"),
        ("010", "estudio-mercado", 5, "entregado"),
        ("010", "asesoria-meta-ads", 3, "cancelado"),
        ("011", "publicaciones-adicionales", 1, "entregado"),
        ("012", "publicaciones-adicionales", 2, "entregado"),
        ("012", "optimizacion-estrategia", 4, "entregado"),
        ("012", "analisis-competidores", 6, "entregado"),
        ("012", "estudio-mercado", 8, "entregado"),
        ("012", "asesoria-meta-ads", 10, "entregado"),
        ("013", "publicaciones-adicionales", 2, "entregado"),
        ("013", "optimizacion-estrategia", 3, "entregado"),
    ]
    names = {row[0]: row[1] for row in _DEMO_CLIENTS}
    cms = {row[0]: row[8] for row in _DEMO_CLIENTS}
    clients: list[Row] = [
        {
            "ID": cid,
            "Cliente": name,
            "Contacto": contact,
            "Correo": email or None,
            "WhatsApp": phone or None,
            "Canal": channel or None,
            "Plan": plan,
            "Estado": state,
            "CM": cm,
        }
        for cid, name, contact, email, phone, channel, plan, state, cm in _DEMO_CLIENTS
    ]
    subscriptions: list[Row] = [
        {"ID cliente": cid, "Inicio": begin, "Fin": end, "Nota": note}
        for cid, begin, end, note in periods
    ]
    deliveries: list[Row] = []
    for cid, code, months_ago, state in past:
        when = month.shift(-months_ago)
        notified = datetime.combine(
            when.first_day + timedelta(days=2), datetime.min.time()
        )
        notified = notified.replace(hour=10)
        row: dict[str, Cell] = {
            "ID": delivery_id(cid, code, when),
            "ID cliente": cid,
            "Cliente": names[cid],
            "Beneficio": code,
            "Mes": str(when),
            "Estado": state,
            "Canal": "correo",
            "Notificado": notified,
            "Fecha límite": (notified + timedelta(days=15)).date(),
            "Responsable": cms[cid],
        }
        if state == "entregado":
            row["Entregado"] = notified + timedelta(days=12)
        if state == "cancelado":
            row["Notas"] = "El cliente no pudo recibirlo ese mes"
        deliveries.append(row)
    promo_end = month.shift(2).last_day
    content: dict[str, list[Row]] = {
        CLIENTS.name: clients,
        PERIODS.name: subscriptions,
        BENEFITS.name: catalogue_rows({"asesoria-meta-ads": "Pro, Premium"}),
        DELIVERIES.name: deliveries,
        SETTINGS.name: settings_rows(
            {
                "zona_horaria": "America/Lima",
                "region_telefono": "PE",
                "meses_entre_beneficios": 2,
                "firma": "Equipo Pixely",
            }
        ),
        PROMOTIONS.name: [
            {
                "Código": "reels-pro",
                "Promoción": "Paquete de reels profesionales",
                "Descripción": "Grabación y edición de 4 reels con 30 % de descuento.",
                "Vigente hasta": promo_end,
                "Meses mínimos": 6,
            }
        ],
    }
    return [(spec, content.get(spec.name, [])) for spec in ALL_TABS]
