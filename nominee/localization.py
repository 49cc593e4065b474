"""Each request reads in its reader's language and time zone (web layer).

Flask-Babel picks them: a logged-in member's choice (``User.language``,
``User.time_zone``), else the browser's ``Accept-Language`` and the programme's zone
(``PROGRAMME_TIME_ZONE``). The choice is then made the current reader of
``nominee.i18n``, which the templates, the forms, the services' messages and the
date and number filters all read, so a page is in one language from top to bottom.
"""

from __future__ import annotations

from flask import Flask, g, has_request_context, request
from flask_babel import Babel, get_locale
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from nominee import i18n

babel = Babel()


def browser_language() -> str:
    """The language the browser asks for (``Accept-Language``), among ours."""
    return request.accept_languages.best_match(list(i18n.LANGUAGES)) or i18n.DEFAULT_LANGUAGE


def select_language() -> str:
    if current_user and current_user.is_authenticated and current_user.language:
        return i18n.supported(current_user.language)
    return browser_language()


def select_time_zone() -> str:
    if current_user and current_user.is_authenticated:
        chosen = i18n.valid_time_zone(current_user.time_zone)
        if chosen:
            return chosen
    return i18n.programme_time_zone()


def request_reader() -> i18n.Reader | None:
    """The request's reader, chosen on first use and kept for the request. The member is
    loaded by then on most pages (their rows bring them), so this costs no query."""
    if not has_request_context():
        return None
    reader = g.get("reader")
    if reader is None:
        try:
            reader = i18n.Reader(i18n.supported(str(get_locale())), select_time_zone())
        except SQLAlchemyError:
            # The member's row cannot be read now (a failed flush left the session to be
            # rolled back): the refusal is still worded, in the browser's language.
            reader = i18n.Reader(browser_language(), i18n.programme_time_zone())
        g.reader = reader
    if "reader_token" not in g:
        # Called only when no block has set a reader (``i18n.current``): the request's
        # becomes ``i18n``'s current reader until the request ends, so a page's hundreds
        # of words read it from a context variable instead of through Flask's request
        # globals each (about 10 µs a word).
        g.reader_token = i18n.use(reader)
    return reader


def remember_reader(user: object) -> None:
    """Called as the member is loaded: their language and zone are read while their row
    is fresh, so wording a refusal later (after a failed flush) needs no query."""
    if has_request_context() and "reader" not in g:
        language = getattr(user, "language", "") or browser_language()
        zone = i18n.valid_time_zone(getattr(user, "time_zone", "")) or i18n.programme_time_zone()
        g.reader = i18n.Reader(i18n.supported(language), zone)


def forget_reader(_error: BaseException | None = None) -> None:
    """At the request's end, ``i18n``'s current reader is what it was before it."""
    token = g.pop("reader_token", None)
    if token is not None:
        try:
            i18n.end(token)
        except ValueError:
            # Set in another context (a response streamed from a copied one), which
            # ended with it.
            pass


def init_app(app: Flask) -> None:
    i18n.set_programme_time_zone(app.config.get("PROGRAMME_TIME_ZONE", i18n.DEFAULT_TIME_ZONE))
    babel.init_app(
        app,
        locale_selector=select_language,
        timezone_selector=select_time_zone,
        default_translation_directories=str(i18n.TRANSLATIONS),
    )
    # Our callables, not Flask-Babel's, so mail rendered by jobs and pages share one path.
    i18n.install(app.jinja_env)
    app.jinja_env.globals["LANGUAGES"] = i18n.LANGUAGES

    i18n.resolve_with(request_reader)
    app.teardown_request(forget_reader)

    @app.context_processor
    def reading() -> dict[str, object]:
        return {"reader": i18n.current}
