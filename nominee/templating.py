"""Jinja set-up: filters and what every template can use."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

import inflect
from flask import Flask
from markupsafe import Markup, escape

from nominee.formatting import format_date
from nominee.web import url_for_page


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


def member_name(
    person=None, plain: bool = False, *, name: str = "", user_id: int = 0, holders: int = 1
) -> Markup | str:
    """A member's display name, followed by their "#id" handle when another account bears
    the same name (``User.name_holders``), so that two namesakes on one page are told
    apart. ``plain``: as text, for ``<option>`` and other places that take no markup. Rows
    that carry columns instead of a ``User`` pass ``name``, ``user_id`` and ``holders``.
    """
    if person is not None:
        name, user_id, holders = person.display_name, person.id, person.name_holders
    if (holders or 0) <= 1:
        return name if plain else escape(name)
    if plain:
        return f"{name} #{user_id}"
    return escape(name) + Markup(' <span class="muted">#%s</span>') % user_id


def init_app(app: Flask) -> None:
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["count"] = format_count
    app.jinja_env.globals["url_for_page"] = url_for_page
    app.jinja_env.globals["member_name"] = member_name
    # Stored HTML we produced ourselves from sanitised Markdown.
    app.jinja_env.filters["trusted_html"] = Markup
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
