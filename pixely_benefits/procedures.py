"""The standard procedure of each benefit, from the agency's process document.

This table is the single source of what a deliverable contains: every report
format (Markdown, HTML, Word) renders the same sections and checklist from it.
The texts are Spanish because the community managers read them as they are.
A benefit code that is not listed here (one the agency added to its catalogue)
gets :data:`GENERIC`, a plain outline with the general delivery steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Fill(Enum):
    """What the tool writes into a section before the CM fills it in."""

    NOTHING = "nothing"
    FOLLOWUP_SESSION = "followup-session"
    """The date of the review session, ``followup_days`` after the delivery."""
    INVITATION = "invitation"
    """The personalised invitation, from the ``reports/invitacion.txt`` template."""


@dataclass(frozen=True, slots=True)
class Grid:
    """An empty table to fill: ``corner`` heads the column of row labels."""

    corner: str
    columns: tuple[str, ...]
    rows: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Section:
    """One part of the deliverable, with a hint of what goes in it.

    ``options`` are boxes to tick, ``prompts`` labelled answers (a script of
    questions, fields of a record), ``grid`` a table and ``lines`` the blank
    lines left for free text. ``placeholder`` marks room kept for pictures.
    """

    title: str
    hint: str
    options: tuple[str, ...] = ()
    prompts: tuple[str, ...] = ()
    grid: Grid | None = None
    lines: int = 0
    placeholder: bool = False
    fill: Fill = Fill.NOTHING


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the procedure: becomes a box of the checklist."""

    title: str
    detail: str


@dataclass(frozen=True, slots=True)
class Procedure:
    title: str
    """The document's title, e.g. «Informe de estudio de mercado»."""
    objective: str
    sections: tuple[Section, ...]
    steps: tuple[Step, ...]
    resources: tuple[str, ...]
    followup_days: int | None = None
    """Days from delivery to the review session the procedure itself asks for."""


CLOSING_STEPS: tuple[Step, ...] = (
    Step(
        "Registro en la hoja de control",
        "Registrar la entrega en la hoja de control de beneficios (pixely deliver) "
        "con el enlace al documento en Drive.",
    ),
    Step(
        "Actualización en ClickUp",
        "Anotar en la tarea del cliente la entrega, cualquier incidencia o comentario "
        "y el seguimiento acordado.",
    ),
)
"""Section 5 of the process document: every benefit ends with these steps."""


def _steps(*lines: str) -> tuple[Step, ...]:
    """Steps written as in the process document: ``"Título: detalle"``."""
    found = []
    for line in lines:
        title, detail = line.split(": ", 1)
        found.append(Step(title, detail))
    return tuple(found)


def _pieces(count: int) -> tuple[str, ...]:
    return tuple(f"Pieza {n}" for n in range(1, count + 1))


_MARKET_STUDY = Procedure(
    title="Informe de estudio de mercado",
    objective="Proveer información clave para ajustar la estrategia del cliente.",
    sections=(
        Section(
            "Tipo de estudio",
            "Marca el enfoque del estudio y explica por qué es el que más ayuda al "
            "cliente ahora.",
            options=(
                "Análisis de competencia",
                "Tendencias de mercado",
                "Segmentación de audiencia",
                "Precios",
            ),
            lines=2,
        ),
        Section(
            "Fuentes consultadas",
            "Indica cada fuente usada y la fecha de consulta; solo fuentes confiables.",
            options=(
                "Estudios de mercado públicos",
                "Redes sociales",
                "Bases de datos internas",
                "Metricool",
                "Google Trends",
            ),
            lines=2,
        ),
        Section(
            "Análisis",
            "Patrones de consumo, comportamiento de la competencia y oportunidades de "
            "diferenciación.",
            lines=5,
        ),
        Section(
            "Hallazgos clave",
            "Lo más importante que muestran los datos, en frases cortas.",
            lines=5,
        ),
        Section(
            "Gráficos",
            "Inserta aquí los gráficos que sustentan los hallazgos.",
            placeholder=True,
        ),
        Section(
            "Recomendaciones",
            "Recomendaciones específicas para ajustar la estrategia, de la más a la "
            "menos prioritaria.",
            lines=5,
        ),
    ),
    steps=_steps(
        "Definir el tipo de estudio: Determinar si se enfocará en análisis de "
        "competencia, tendencias de mercado, segmentación de audiencia o precios.",
        "Recopilar datos: Utilizar fuentes confiables como estudios de mercado "
        "públicos, redes sociales, bases de datos internas y herramientas digitales "
        "como Metricool y Google Trends.",
        "Análisis: Evaluar patrones de consumo, comportamiento de la competencia y "
        "oportunidades de diferenciación.",
        "Redacción de informe: Elaborar un documento claro que incluya hallazgos "
        "clave, gráficos y recomendaciones específicas.",
        "Revisión interna: Validar la calidad y relevancia de la información.",
        "Entrega: Compartir el informe a través de Drive y notificar al cliente por "
        "correo.",
    ),
    resources=("Plantilla de informe de estudio de mercado.",),
)

_EXTRA_POSTS = Procedure(
    title="Publicaciones adicionales: brief de diseño",
    objective=(
        "Reforzar la presencia digital del cliente y ampliar el alcance de su contenido."
    ),
    sections=(
        Section(
            "Contenido seleccionado",
            "Qué publicaciones anteriores rindieron mejor y qué contenido adicional "
            "beneficiará más al cliente.",
            lines=4,
        ),
        Section(
            "Brief para el diseñador",
            "Una fila por pieza: formato (imagen, video o carrusel), mensaje y texto.",
            grid=Grid(
                "Pieza",
                ("Formato", "Mensaje principal", "Texto de la publicación"),
                _pieces(3),
            ),
        ),
        Section(
            "Notas del Manual de Marca y del Manual de Edición",
            "Colores, tipografías, logotipo, tono de voz y cualquier indicación de "
            "edición que el diseñador deba respetar.",
            lines=4,
        ),
        Section(
            "Aprobación del cliente",
            "Registra cuándo se envió la propuesta y la respuesta del cliente.",
            prompts=("Enviado al cliente el", "Aprobado el", "Cambios pedidos"),
        ),
        Section(
            "Programación en Metricool",
            "Confirma la fecha de publicación de cada pieza una vez subida.",
            grid=Grid(
                "Pieza",
                ("Red social", "Fecha y hora de publicación", "Confirmado"),
                _pieces(3),
            ),
        ),
    ),
    steps=_steps(
        "Selección de contenido: Evaluar el rendimiento de publicaciones anteriores y "
        "definir qué tipo de contenido adicional beneficiará más al cliente.",
        "Planificación: Determinar formatos (imagen, video, carrusel) y mensajes.",
        "Brief para diseñador: Preparar una solicitud detallada utilizando el formato "
        "aprobado.",
        "Diseño y redacción: Supervisar la creación de las piezas siguiendo el Manual "
        "de Marca y Manual de Edición.",
        "Revisión: Verificar calidad y coherencia con la estrategia.",
        "Validación del cliente: Solicitar aprobación.",
        "Programación: Subir contenido a Metricool y confirmar fechas de publicación.",
    ),
    resources=("Plantilla de solicitud de diseño.", "Cronograma actualizado."),
)

_STRATEGY = Procedure(
    title="Propuesta de optimización de estrategia",
    objective=(
        "Alinear continuamente la estrategia de contenido con los resultados y cambios "
        "del mercado."
    ),
    sections=(
        Section(
            "Métricas revisadas",
            "Rendimiento de las publicaciones según Metricool y las estadísticas de "
            "cada red social; indica el periodo analizado.",
            grid=Grid(
                "Métrica",
                ("Periodo anterior", "Periodo actual", "Comentario"),
                ("Alcance", "Engagement", "Conversiones"),
            ),
        ),
        Section(
            "Lo que funciona",
            "Los tipos de contenido con mejores resultados y por qué.",
            lines=4,
        ),
        Section(
            "Áreas que requieren cambios",
            "Lo que no está dando resultados o ya no encaja con el mercado.",
            lines=4,
        ),
        Section(
            "Cambios propuestos",
            "Qué cambia en temas, formatos y horarios, y por qué.",
            grid=Grid(
                "Aspecto",
                ("Situación actual", "Cambio propuesto", "Motivo"),
                ("Temas", "Formatos", "Horarios"),
            ),
        ),
        Section(
            "Presentación al cliente",
            "Registra la presentación de la propuesta y lo que el cliente aprobó.",
            prompts=("Presentado el", "Cambios aprobados", "Comentarios del cliente"),
        ),
        Section(
            "Implementación",
            "Ajustes del cronograma y tareas nuevas para el equipo creativo.",
            lines=3,
        ),
    ),
    steps=_steps(
        "Revisión de métricas: Analizar rendimiento de publicaciones (alcance, "
        "engagement, conversiones) usando Metricool y redes sociales.",
        "Identificación de ajustes: Detectar qué tipos de contenido funcionan mejor y "
        "qué áreas requieren cambios.",
        "Propuesta de optimización: Redactar un documento con cambios sugeridos "
        "(temas, formatos, horarios).",
        "Presentación al cliente: Comunicar cambios propuestos y obtener aprobación.",
        "Implementación: Ajustar el cronograma y coordinar nuevas tareas con el equipo "
        "creativo.",
    ),
    resources=("Informe de métricas.", "Estrategia ajustada."),
)

_CONSULTING = Procedure(
    title="Consultoría en modelo de negocio",
    objective=(
        "Brindar asesoramiento para mejorar aspectos internos que impactan el "
        "rendimiento del marketing."
    ),
    sections=(
        Section(
            "Guion de la reunión de diagnóstico",
            "Preguntas para la entrevista con el cliente; anota sus respuestas.",
            prompts=(
                "¿Cuáles son sus productos o servicios principales y cuál vende más?",
                "¿Cómo fija sus precios y cuándo los revisó por última vez?",
                "¿Qué promociones ha hecho y qué resultados tuvieron?",
                "¿Cómo atiende a sus clientes antes y después de la venta? "
                "¿Qué comentarios o reclamos se repiten?",
                "¿Cómo es su proceso de ventas, desde el primer contacto hasta el cobro?",
                "¿Quiénes son sus clientes habituales y qué los hace volver?",
                "¿Qué le gustaría mejorar en los próximos tres meses?",
            ),
        ),
        Section(
            "Análisis",
            "Información financiera básica, procesos de ventas y comportamiento de "
            "los clientes.",
            lines=5,
        ),
        Section(
            "Hallazgos",
            "Las áreas de mejora encontradas (precios, promociones, atención al "
            "cliente, etc.).",
            lines=4,
        ),
        Section(
            "Recomendaciones priorizadas",
            "Recomendaciones prácticas, de la más a la menos prioritaria.",
            grid=Grid(
                "Prioridad",
                ("Recomendación", "Área", "Impacto esperado", "Plazo sugerido"),
                ("1", "2", "3", "4", "5"),
            ),
        ),
        Section(
            "Sesión de seguimiento",
            "Sesión de revisión para evaluar la implementación de las recomendaciones.",
            prompts=(
                "Recomendaciones implementadas",
                "Resultados observados",
                "Próximos pasos",
            ),
            fill=Fill.FOLLOWUP_SESSION,
        ),
    ),
    steps=_steps(
        "Reunión de diagnóstico: Coordinar una entrevista con el cliente para "
        "identificar áreas de mejora (precios, promociones, atención al cliente, "
        "etc.).",
        "Análisis: Evaluar información financiera básica, procesos de ventas y "
        "comportamiento de clientes.",
        "Propuesta de mejora: Elaborar un informe con recomendaciones prácticas y "
        "priorizadas.",
        "Seguimiento: Programar una sesión de revisión después de 30 días para evaluar "
        "implementación.",
    ),
    resources=("Guion de diagnóstico.", "Plantilla de recomendaciones."),
    followup_days=30,
)

_META_ADS = Procedure(
    title="Asesoría en Meta Ads",
    objective=(
        "Mejorar o implementar campañas pagadas para maximizar retorno de inversión."
    ),
    sections=(
        Section(
            "Situación del cliente",
            "Marca la que corresponde: define qué parte del documento se completa.",
            options=(
                "Ya usa Meta Ads: revisión de campañas existentes",
                "Aún no usa anuncios: propuesta de campaña inicial",
            ),
        ),
        Section(
            "Revisión de campañas existentes",
            "Configuraciones, segmentaciones y resultados de las campañas actuales.",
            grid=Grid(
                "Aspecto",
                ("Situación actual", "Observaciones", "Recomendación"),
                (
                    "Objetivo",
                    "Segmentación",
                    "Presupuesto",
                    "Anuncios y formatos",
                    "Resultados",
                ),
            ),
        ),
        Section(
            "Propuesta de campaña inicial",
            "Objetivos del cliente que pueden beneficiarse de campañas pagadas.",
            grid=Grid(
                "Elemento",
                ("Propuesta",),
                (
                    "Objetivo de la campaña",
                    "Público",
                    "Presupuesto y duración",
                    "Anuncios y formatos",
                    "Indicadores de éxito",
                ),
            ),
        ),
        Section(
            "Guía paso a paso para el cliente",
            "Pasos en lenguaje sencillo para que el cliente aplique los ajustes o cree "
            "la campaña por su cuenta; añade capturas si ayudan.",
            prompts=tuple(f"Paso {n}" for n in range(1, 7)),
        ),
    ),
    steps=_steps(
        "Revisión de campañas existentes: Si el cliente ya utiliza Meta Ads, evaluar "
        "configuraciones, segmentaciones y resultados.",
        "Diagnóstico de oportunidades: Si no usa anuncios, identificar objetivos que "
        "podrían beneficiarse de campañas pagadas.",
        "Propuesta: Preparar recomendaciones detalladas o una propuesta de campaña "
        "inicial.",
        "Guía práctica: Entregar una guía para que el cliente pueda implementar los "
        "ajustes o las nuevas campañas.",
    ),
    resources=("Plantilla de análisis de campañas.", "Guía de recomendaciones."),
)

MAX_COMPETITORS = 5
"""The process document compares at most five competitors."""

_COMPETITORS = Procedure(
    title="Análisis de competidores",
    objective=(
        "Ofrecer al cliente información sobre la actividad de su competencia para "
        "detectar oportunidades y amenazas."
    ),
    sections=(
        Section(
            "Cuadro comparativo",
            f"Hasta {MAX_COMPETITORS} competidores relevantes, uno por columna.",
            grid=Grid(
                "Aspecto",
                tuple(f"Competidor {n}" for n in range(1, MAX_COMPETITORS + 1)),
                (
                    "Nombre",
                    "Presencia en redes",
                    "Tipo de contenido",
                    "Frecuencia",
                    "Interacción",
                    "Ofertas",
                    "Diferenciadores",
                    "Puntos fuertes",
                    "Puntos débiles",
                ),
            ),
        ),
        Section(
            "Hallazgos",
            "Lo que revela la comparación: oportunidades y amenazas para el cliente.",
            lines=5,
        ),
        Section(
            "Sugerencias estratégicas",
            "Qué puede hacer el cliente a partir de lo encontrado.",
            lines=5,
        ),
        Section(
            "Sesión para comentar los resultados (opcional)",
            "Si el cliente la quiere, acuerda la fecha y anota los acuerdos.",
            prompts=("Fecha de la sesión", "Acuerdos"),
        ),
    ),
    steps=_steps(
        "Identificación de competidores clave: Seleccionar hasta cinco competidores "
        "relevantes.",
        "Análisis digital: Revisar presencia en redes sociales, tipo de contenido, "
        "frecuencia, interacción, ofertas y diferenciadores.",
        "Comparativa: Preparar un cuadro comparativo con puntos fuertes y débiles.",
        "Informe: Redactar un informe con hallazgos y sugerencias estratégicas.",
        "Entrega: Compartir con el cliente y programar una sesión opcional para "
        "discutir resultados.",
    ),
    resources=("Plantilla de análisis competitivo.",),
)

_PREFERENTIAL = Procedure(
    title="Invitación de acceso preferencial",
    objective=(
        "Dar a los clientes fieles acceso anticipado o exclusivo a nuevos servicios o "
        "descuentos."
    ),
    sections=(
        Section(
            "Invitación personalizada",
            "Revisa el texto antes de enviarlo por el canal del cliente.",
            fill=Fill.INVITATION,
        ),
        Section(
            "Registro de aceptación",
            "Anota la respuesta del cliente y el seguimiento (pixely promo accept).",
            prompts=("Enviada el", "Canal", "Respuesta del cliente", "Seguimiento"),
        ),
    ),
    steps=_steps(
        "Revisión de novedades: Coordinar con el administrador para identificar nuevos "
        "servicios o promociones activas.",
        "Selección de clientes elegibles: Filtrar en base a la hoja de control de "
        "beneficios.",
        "Comunicación personalizada: Enviar invitación o notificación explicando el "
        "beneficio y cómo acceder a él.",
        "Registro de aceptación: Anotar clientes interesados y dar seguimiento.",
    ),
    resources=("Plantilla de comunicación.",),
)

GENERIC = Procedure(
    title="Entrega de beneficio",
    objective="Entregar el beneficio de forma organizada, documentada y a tiempo.",
    sections=(
        Section(
            "Objetivo para el cliente", "Qué busca lograr este beneficio.", lines=3
        ),
        Section("Desarrollo", "Lo que se hizo y cómo.", lines=6),
        Section(
            "Resultados y recomendaciones",
            "Lo que el cliente recibe y los siguientes pasos sugeridos.",
            lines=5,
        ),
    ),
    steps=_steps(
        "Planificación: Definir el alcance y las fuentes o materiales.",
        "Elaboración: Preparar el entregable con la información del cliente.",
        "Revisión interna: Validar la calidad y relevancia del entregable.",
        "Entrega: Compartir el entregable a través de Drive y avisar al cliente.",
    ),
    resources=("Hoja de control de beneficios (Drive).",),
)

PROCEDURES: dict[str, Procedure] = {
    "estudio-mercado": _MARKET_STUDY,
    "publicaciones-adicionales": _EXTRA_POSTS,
    "optimizacion-estrategia": _STRATEGY,
    "consultoria-negocio": _CONSULTING,
    "asesoria-meta-ads": _META_ADS,
    "analisis-competidores": _COMPETITORS,
    "acceso-preferencial": _PREFERENTIAL,
}
"""Benefit code (as in the starting catalogue) -> its standard procedure."""


def procedure_for(code: str) -> Procedure:
    """The procedure of benefit ``code``; :data:`GENERIC` for codes not listed."""
    return PROCEDURES.get(code, GENERIC)
