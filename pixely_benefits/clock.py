"""The current time in the agency's time zone (``zona_horaria``)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from pixely_benefits.months import Month
from pixely_benefits.records import BusinessSettings


def now(settings: BusinessSettings) -> datetime:
    """Now, as a naive local time in ``zona_horaria`` (the machine's zone if unset).

    Naive because that is how the time is written into the sheet, where a
    person reads it as local time. ``PIXELY_NOW`` pins the clock (a testing
    aid): a naive value is taken as local time already, one with an offset is
    converted to ``zona_horaria``.
    """
    from pixely_benefits.settings import get_settings

    fixed = get_settings().now
    if fixed is not None:
        if fixed.tzinfo is not None:
            zone = ZoneInfo(settings.timezone) if settings.timezone else None
            fixed = fixed.astimezone(zone).replace(tzinfo=None)
        return fixed.replace(microsecond=0)
    if settings.timezone:
        return datetime.now(ZoneInfo(settings.timezone)).replace(
            tzinfo=None, microsecond=0
        )
    return datetime.now().replace(microsecond=0)


def current_month(settings: BusinessSettings) -> Month:
    return Month.of(now(settings).date())
