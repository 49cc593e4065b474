"""Jinja set-up: filters and what every template can use."""

from __future__ import annotations

from datetime import date, datetime

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


def init_app(app: Flask) -> None:
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.globals["url_for_page"] = url_for_page
    # Stored HTML we produced ourselves from sanitised Markdown.
    app.jinja_env.filters["trusted_html"] = Markup
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
