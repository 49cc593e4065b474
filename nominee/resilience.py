"""When the database fails under a request: heal what can be healed, say 503 for the rest.

- A read (GET, HEAD, OPTIONS) whose connection died (a failover, a restart, a pooler or
  an administrator closing it) is run again once on a fresh connection: the user never
  sees it. Reads write nothing, so running one twice is safe.
- A write whose connection died, a statement that waited longer than the lock budget
  (``DB_LOCK_TIMEOUT``), a database that does not answer, or a pool with no free
  connection answers 503 with ``Retry-After``: its transaction never committed, so
  nothing was saved, and the page says so. Writes are never replayed: the client decides.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, g, render_template, request
from sqlalchemy import inspect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from nominee.i18n import _, ngettext
from nominee.uow import READ_ONLY_METHODS, discard_session

log = logging.getLogger("nominee.db")

RETRY_AFTER_SECONDS = 2
# SQLSTATEs of PostgreSQL giving up on a wait: lock_not_available, query_canceled.
_BUSY_SQLSTATES = frozenset({"55P03", "57014"})
_BUSY_SQLITE = ("database is locked", "database table is locked", "database is busy")


def describe(exc: BaseException) -> str:
    """The first line of a driver's message, for a log line."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def is_busy(exc: BaseException) -> bool:
    """The database answered, but a lock or statement ran out of its time budget."""
    if isinstance(exc, PoolTimeout):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if getattr(exc.orig, "sqlstate", None) in _BUSY_SQLSTATES:
        return True
    return any(text in str(exc.orig).lower() for text in _BUSY_SQLITE)


def is_unavailable(exc: BaseException) -> bool:
    """The database is out of reach, or the connection died under the request."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    # psycopg: class 08 (connection exception), 57P01-57P03 (shutting down, starting up).
    sqlstate = getattr(exc.orig, "sqlstate", None) or ""
    if sqlstate.startswith("08") or sqlstate in {"57P01", "57P02", "57P03"}:
        return True
    # A connect that fails has no SQLSTATE: psycopg's OperationalError on connect.
    return type(exc.orig).__name__ == "OperationalError" and sqlstate == "" and not is_busy(exc)


def should_retry(exc: BaseException) -> bool:
    """A read whose connection died before it finished, not yet retried."""
    return (
        isinstance(exc, DBAPIError)
        and exc.connection_invalidated
        and request.method in READ_ONLY_METHODS
        and not g.get("db_retried", False)
    )


def prepare_retry(exc: BaseException) -> None:
    log.warning(
        "connection lost during %s %s, running it again: %s",
        request.method,
        request.path,
        describe(exc),
    )
    g.db_retried = True
    discard_session()
    # The user was loaded on the dead session: load them again on the new one.
    g.pop("_login_user", None)


def _serve_as_visitor() -> str:
    """Forget the logged-in user, who was loaded on the session being discarded (and may
    be expired): nothing after this answer (the security headers, the request log, the
    page) may reload them from the database that just failed. Returns their id."""
    user = g.pop("_login_user", None)
    state = inspect(user, raiseerr=False) if user is not None else None
    identity = state.identity if state is not None else None
    g._login_user = current_app.login_manager.anonymous_user()  # type: ignore[attr-defined]
    return str(identity[0]) if identity else "-"


def unavailable_response(exc: BaseException) -> Response:
    busy = is_busy(exc)
    user_id = _serve_as_visitor()
    log.warning(
        "database %s on %s %s (user %s): %s",
        "busy" if busy else "unavailable",
        request.method,
        request.path,
        user_id,
        describe(exc),
    )
    discard_session()
    wrote = request.method not in READ_ONLY_METHODS
    # Read by a visitor now (the member was forgotten above): Accept-Language decides.
    title = _("Busy, try again") if busy else _("Database unavailable")
    sentences = [
        _("The database is busy with other work.")
        if busy
        else _("The database could not be reached for a moment."),
        *([_("Nothing was saved.")] if wrote else []),
        ngettext(
            "Please try again in %(num)d second.",
            "Please try again in %(num)d seconds.",
            RETRY_AFTER_SECONDS,
        ),
    ]
    detail = " ".join(sentences)
    from nominee.web import problem, wants_json

    if wants_json():
        response = problem(503, title, detail)
    else:
        # A page of its own that reads nothing: the base layout asks the database for
        # the unread notifications, and the database is what failed.
        response = Response(
            render_template("unavailable.html", title=title, detail=detail), status=503
        )
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


class Nominee(Flask):
    """Flask, running a read once more when its database connection died under it."""

    def dispatch_request(self):
        try:
            return super().dispatch_request()
        except DBAPIError as exc:
            if not should_retry(exc):
                raise
            prepare_retry(exc)
        return super().dispatch_request()
