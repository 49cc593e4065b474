"""Jinja set-up: filters and what every template can use."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import Flask, current_app, has_app_context
from markupsafe import Markup, escape

from nominee import countries, i18n
from nominee.formatting import (
    format_count,
    format_date,
    format_datetime,
    format_month,
    format_number,
    format_programme_date,
    format_programme_dates,
)
from nominee.web import url_for_page, url_pattern, url_with
from nominee.widgets import radio_options


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


# Written parts of pages, by what they show (``kept_fragment``): a review's dossier is
# read again by each of its reviewers, and by the same one after every draft they save.
FRAGMENTS_KEPT = 256
_fragments: OrderedDict[tuple[i18n.Reader, Hashable], Markup] = OrderedDict()
_fragments_lock = threading.Lock()


def kept_fragment(key: Hashable, render: Callable[[], Markup]) -> Markup:
    """``render()``'s HTML, kept per process under ``key`` and the current reader.

    ``key`` must hold everything the HTML is made of (the figures themselves, not the
    ids or versions they were read under), so that a change of the data is a new key
    and a kept fragment can never be stale; the reader (language and time zone) is
    added here. Only for HTML that reads nothing else: no address (``url_for``), no
    CSRF token, nothing of the viewer's.
    """
    if has_app_context() and current_app.jinja_env.auto_reload:
        return Markup(render())  # templates being edited (debug): write them afresh
    full = (i18n.current(), key)
    with _fragments_lock:
        kept = _fragments.get(full)
        if kept is not None:
            _fragments.move_to_end(full)
            return kept
    written = Markup(render())
    with _fragments_lock:
        _fragments[full] = written
        while len(_fragments) > FRAGMENTS_KEPT:
            _fragments.popitem(last=False)
    return written


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
    # A list's links built once for all its rows (``url_pattern``).
    app.jinja_env.globals["url_pattern"] = url_pattern
    app.jinja_env.globals["member_name"] = member_name
    app.jinja_env.globals["radio_options"] = radio_options
    app.jinja_env.globals["country_name"] = countries.country_name
    # Stored HTML we produced ourselves from sanitised Markdown.
    app.jinja_env.filters["trusted_html"] = Markup
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
