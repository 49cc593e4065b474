"""Jinja set-up: filters and what every template can use."""

from __future__ import annotations

from flask import Flask
from markupsafe import Markup, escape

from nominee import countries
from nominee.formatting import (
    format_count,
    format_date,
    format_datetime,
    format_month,
    format_number,
    format_programme_date,
    format_programme_dates,
)
from nominee.web import url_for_page, url_with


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
    # One f-string: ``Markup`` addition and ``%`` took four times as long, on lists where
    # most names have namesakes.
    return Markup(f'{escape(name)} <span class="muted">#{escape(user_id)}</span>')


def init_app(app: Flask) -> None:
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["month"] = format_month
    app.jinja_env.filters["count"] = format_count
    # A cycle's dates: days of the programme's calendar, its zone named.
    app.jinja_env.filters["programme_date"] = format_programme_date
    app.jinja_env.globals["programme_dates"] = format_programme_dates
    app.jinja_env.globals["url_for_page"] = url_for_page
    app.jinja_env.globals["url_with"] = url_with
    app.jinja_env.globals["member_name"] = member_name
    app.jinja_env.globals["country_name"] = countries.country_name
    # Stored HTML we produced ourselves from sanitised Markdown.
    app.jinja_env.filters["trusted_html"] = Markup
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
