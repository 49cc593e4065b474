"""Jinja set-up: filters and what every template can use."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

import inflect
from flask import Flask
from markupsafe import Markup

from nominee.web import url_for_page


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


def init_app(app: Flask) -> None:
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["count"] = format_count
    app.jinja_env.globals["url_for_page"] = url_for_page
    # Stored HTML we produced ourselves from sanitised Markdown.
    app.jinja_env.filters["trusted_html"] = Markup
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
