"""Dates, figures and counts as members read them; plain Python, shared by the
templates and by the services that write messages."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

import inflect


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%-d %b %Y")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%-d %b %Y, %H:%M UTC")


def format_number(value: int | float | None) -> str:
    if value is None:
        return "0"
    return f"{value:,.0f}" if isinstance(value, int) or value == int(value) else f"{value:,.2f}"


_inflect = inflect.engine()


@lru_cache(maxsize=256)
def _singular(label: str) -> str:
    """``answers given`` -> ``answer given``: the first word is the counted noun."""
    first, _, rest = label.partition(" ")
    singular = _inflect.singular_noun(first) or first
    return f"{singular} {rest}" if rest else singular


def format_count(value: int | float | None, label: str) -> str:
    """A figure and an organizer's plural label, e.g. ``1 session``, ``45 attendees``."""
    label = label.lower()
    return f"{format_number(value)} {_singular(label) if value == 1 else label}"


_UNITS = ((86_400, "day", "a day"), (3_600, "hour", "an hour"), (60, "minute", "a minute"))


def format_wait(seconds: int) -> str:
    """A rate limit's window as a wait: ``a minute``, ``15 minutes``, ``an hour``."""
    for size, unit, one in _UNITS:
        if seconds >= size:
            count = round(seconds / size)
            return one if count == 1 else f"{count} {unit}s"
    return "a moment"
