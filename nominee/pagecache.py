"""Pages kept whole: public ones for visitors, the busiest ones for each member (web layer).

A page marked ``@public_page`` (the public award page, a member's page, the awardee
directory, the logged-out home) is the same for every visitor who is not logged in and
carries nothing of their own (no session: no flash message, no form token). Such a
visitor's copy is kept in the shared cache (``nominee.sharedcache``: Redis when
``REDIS_URL`` is set, so every host serves and drops the same copies; without Redis
nothing is kept, since a change seen by one worker would not reach the others) for at most
``PUBLIC_PAGE_SECONDS`` (60 by default; 0 turns it off), in a slot named by:

- the **code's digest** (the package, its templates, static files and catalogues, read
  once as the app starts, before gunicorn forks its workers): a deploy never serves a
  page the old code drew;
- the programme's **day** (relative dates and award terms change at midnight), the
  visitor's **language** (their browser's) and the page's **path**;

and it carries the **public version** it was drawn under, which every commit that wrote
a row a visitor can see drops (``sharedcache.PUBLIC_VERSION``: any table but the
bookkeeping ones no public page shows), after the commit, on every host at once. A copy
is served only while its version is the current one: a page is never older than the last
change to what it shows.

A logged-in member's page is drawn for them, with their name, their forms and what only
they may see; the busiest ones (home, a member's page, ``@members_page``: the review
dashboard, a cycle's page, my contributions) are kept for that login alone, at most
``MEMBER_PAGE_SECONDS`` (60), in a slot named by the login (a digest of the session's
login id: the account, its session token and when the password was given) and the
browser's language besides, and served while the **members' version** is the one they
were drawn under. Any commit that wrote a row (a member's own included, but not the mail
queue's or the scheduler's bookkeeping), from a request, a job or a command, drops it,
since a member may see private rows of their own as well as everybody's: a kept page
saves the drawing of repeated views (a dashboard reloaded through a review session, a
page opened in several tabs) between changes, never shows one late. The page's form
token is taken out of the kept copy and signed again for each request, as the view
would.

A kept copy is served before the account is loaded (``serve_member_copy``, a hook that
runs before the programme's settings are read and before any query): a copy served
costs no query at all. What loading the account would check is checked without it or
was checked when the copy was drawn: the signed session names the login, which must not
be over (``REMEMBER_COOKIE_DURATION`` from the password), must come from the browser it
began in (Flask-Login's session protection; otherwise the page is drawn, and Flask-Login
does what it does) and must be the one the copy was drawn for, when the account was
loaded and was active with that session token. Whatever could make that answer wrong
since (an account disabled, its sessions ended, a new password, a role) is a commit
that drops the copy, as is whatever could change the answer of the checks the view makes
(a cycle's reviewers only, an organizer's dashboard: an appointment, a cycle's stage).
The copy carries the programme's zone and day it was drawn in, and is served on that day
only. A page that wrote a row, took a flash message, set a cookie or was not a plain 200
page is not kept, and a member with a message waiting is drawn the page.

Only a page's own address is kept, without a query (``?page=2``, filters, cursors are
drawn each time): what is kept is then bounded by the programme's data (a page per
member and award, a few per member), not by the addresses one can make up to fill the
cache. Pages are kept compressed (zlib: about a sixth of their size). Links on a page
never come from the request's host (absolute ones are built under ``BASE_URL``), so a
forged ``Host`` cannot be kept. The benchmarks in process (``make bench``) turn both off,
to measure the pages' own work; ``make bench-http`` serves with them, as production does.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, current_app, g, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from nominee import clock, db, i18n, sharedcache
from nominee.accounts.rules import current_login
from nominee.extensions import login_manager
from nominee.localization import browser_language
from nominee.uow import get_cache
from nominee.web import MEMBER_COPY_FOR

F = TypeVar("F", bound=Callable[..., Any])
ROOT = Path(__file__).resolve().parent.parent
# Where the code that draws a page lives: a change to any of them is a new digest.
SOURCES = (ROOT / "nominee", ROOT / "templates", ROOT / "static")
SUFFIXES = frozenset({".py", ".html", ".txt", ".xml", ".po", ".mo", ".css", ".js", ".svg"})
# A larger page is drawn each time rather than kept (a bound on the cache's memory).
MAX_BYTES = 512 * 1024
DIGEST = "nominee.code_digest"
HEADER = "X-Nominee-Page-Cache"  # "hit" or "miss": for operators and the tests
# Marks the views (and, through ``functools.wraps``, the decorators above them) whose
# pages are kept for members: ``serve_member_copy`` looks at the request's view for it.
KEPT_FOR_MEMBERS = "kept_for_members"
# Where a member's kept page had its forms' token: no page can hold it otherwise (text
# is escaped, so a "<" never comes from what members write).
CSRF_MARK = b"<nominee-csrf-token>"


def code_digest(sources: tuple[Path, ...] = SOURCES) -> str:
    """The digest of the files that draw the pages (names and contents)."""
    digest = hashlib.sha256()
    for source in sources:
        if not source.is_dir():
            continue
        for path in sorted(source.rglob("*")):
            if path.suffix in SUFFIXES and path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _visitor() -> bool:
    """Not logged in and nothing of their own in the session."""
    return not session and not current_user.is_authenticated


def _where() -> str:
    return hashlib.sha256(request.path.encode()).hexdigest()[:32]


def _slot() -> tuple[str, str]:
    """Where the visitor's copy is kept, and the version it must carry to be served."""
    day = clock.programme_today().isoformat()
    language = i18n.supported(browser_language())
    slot = f"page:{current_app.extensions[DIGEST]}:{day}:{language}:{_where()}"
    return slot, sharedcache.PUBLIC_VERSION


def _member_slot(login_id: str) -> str:
    """Where a login's own copy is kept: the login (its account, session token and
    start, as a digest) and the browser's language (the page's when the member chose
    none)."""
    login = hashlib.sha256(login_id.encode()).hexdigest()[:32]
    language = i18n.supported(browser_language())
    return f"mine:{current_app.extensions[DIGEST]}:{language}:{login}:{_where()}"


def _login() -> str | None:
    """The session's login id while it may be served a kept copy without loading the
    account: not over, from the browser it began in, no message waiting."""
    login_id = session.get("_user_id")
    if not isinstance(login_id, str) or "_flashes" in session:
        return None
    if session.get("_id") != login_manager._session_identifier_generator():
        return None
    lifetime = current_app.config["REMEMBER_COOKIE_DURATION"]
    if current_login(login_id, time.time(), lifetime) is None:
        return None
    return login_id


def _programme_day(zone: str) -> str:
    return clock.now().astimezone(i18n.zone(zone)).date().isoformat()


def _plain_page(response) -> bool:
    """A whole 200 HTML page of a bounded size that sets no cookie and left the session
    as it found it (no message taken from it)."""
    return (
        response.status_code == 200
        and not response.is_streamed
        and response.mimetype == "text/html"
        and "Set-Cookie" not in response.headers
        and not session.modified
        and response.content_length is not None
        and response.content_length <= MAX_BYTES
    )


def _keepable(response) -> bool:
    """A visitor's plain page, drawn without a session."""
    return _plain_page(response) and not session


def _member_keepable(response) -> bool:
    """A member's plain page that wrote no row (a view that writes as it is read, say the
    first opening of a nomination, is drawn until it writes no more)."""
    db_session = g.get("db_session")
    return _plain_page(response) and not (db_session is not None and db.written_tables(db_session))


def _csrf_field() -> str:
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")


def _pack(body: bytes) -> str:
    return base64.b64encode(zlib.compress(body, 1)).decode()


def _unpack(kept: str) -> bytes:
    return zlib.decompress(base64.b64decode(kept))


def _served(view: Callable[..., Any], args: Any, kwargs: Any) -> Any:
    """The page kept for visitors, or the view's, kept when it may be.

    A copy is kept with the version current before the view read anything, and served
    only while that version is still the current one: a copy drawn from rows read before
    a change committed carries the version the change dropped, so it is never served.
    The version and the copy are read together, in one round trip."""
    cache = get_cache()
    slot, name = _slot()
    version, kept = cache.get_many(name, slot)
    if version is not None and isinstance(kept, list) and kept[0] == version:
        response = current_app.response_class(_unpack(kept[1]), mimetype="text/html")
        response.headers[HEADER] = "hit"
        return response
    if version is None:
        version = cache.version(name, sharedcache.PUBLIC_VERSION_SECONDS)
    response = make_response(view(*args, **kwargs))
    if _keepable(response):
        packed = _pack(response.get_data())
        cache.set(slot, [version, packed], current_app.config["PUBLIC_PAGE_SECONDS"])
        response.headers[HEADER] = "miss"
    return response


def _member_viewing() -> bool:
    """A GET of a page's own address, while members' pages are kept."""
    return (
        bool(current_app.config["MEMBER_PAGE_SECONDS"])
        and request.method == "GET"
        and not request.query_string
        and get_cache().shared
    )


def serve_member_copy() -> Any:
    """Before anything else reads (the account, the programme's settings): the copy kept
    for this login of a page kept for members, while it is current; otherwise notes
    where the view's page is to be kept (see the module's notes)."""
    if not _member_viewing():
        return None
    view = current_app.view_functions.get(request.endpoint or "")
    if not getattr(view, KEPT_FOR_MEMBERS, False):
        return None
    login_id = _login()
    if login_id is None:
        return None
    cache = get_cache()
    slot = _member_slot(login_id)
    version, kept = cache.get_many(sharedcache.MEMBERS_VERSION, slot)
    if (
        version is not None
        and isinstance(kept, list)
        and len(kept) == 4
        and kept[0] == version
        and kept[2] == _programme_day(kept[1])
    ):
        body = _unpack(kept[3])
        if CSRF_MARK in body:
            # The forms' token, signed now for this session, as the view would have.
            body = body.replace(CSRF_MARK, generate_csrf().encode())
        setattr(g, MEMBER_COPY_FOR, int(login_id.split(":", 1)[0]))
        response = current_app.response_class(body, mimetype="text/html")
        response.headers[HEADER] = "hit"
        return response
    if version is None:
        version = cache.version(sharedcache.MEMBERS_VERSION, sharedcache.PUBLIC_VERSION_SECONDS)
    g.member_copy = (slot, version, login_id)
    return None


def _drawn_for_member(view: Callable[..., Any], args: Any, kwargs: Any) -> Any:
    """The view's page, kept for the login ``serve_member_copy`` found, when it is the
    account's that the page was drawn for and the page may be kept."""
    slot, version, login_id = g.member_copy
    response = make_response(view(*args, **kwargs))
    if (
        _member_keepable(response)
        and current_user.is_authenticated
        and current_user.get_id() == login_id
    ):
        body = response.get_data()
        token = g.get(_csrf_field())
        if token:
            body = body.replace(token.encode(), CSRF_MARK)
        zone = i18n.programme_time_zone()
        kept = [version, zone, _programme_day(zone), _pack(body)]
        cache = get_cache()
        cache.set(slot, kept, current_app.config["MEMBER_PAGE_SECONDS"])
        response.headers[HEADER] = "miss"
    return response


def public_page(view: F) -> F:
    """Marks a view whose page is the same for every visitor (see the module's notes);
    a logged-in member's copy is kept for them alone, as ``members_page`` keeps it."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if "member_copy" in g:
            return _drawn_for_member(view, args, kwargs)
        seconds = current_app.config["PUBLIC_PAGE_SECONDS"]
        cache = get_cache()
        # Only in Redis: a version dropped in one process's memory would leave the copies
        # the other workers keep.
        if (
            not seconds
            or not cache.shared
            or request.method != "GET"
            or request.query_string
            or not _visitor()
        ):
            return view(*args, **kwargs)
        response = _served(view, args, kwargs)
        response.vary.add("Accept-Language")
        return response

    setattr(wrapped, KEPT_FOR_MEMBERS, True)
    return wrapped  # type: ignore[return-value]


def members_page(view: F) -> F:
    """Marks a view whose page a logged-in member may be served again, from their own
    copy, until anything they could see changes (see the module's notes). Put it under
    ``login_required``; the checks of both ran for this login when its copy was drawn."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if "member_copy" in g:
            return _drawn_for_member(view, args, kwargs)
        return view(*args, **kwargs)

    setattr(wrapped, KEPT_FOR_MEMBERS, True)
    return wrapped  # type: ignore[return-value]


def init_app(app: Flask) -> None:
    """Pages are kept only with Redis: then the code's digest is read now, once, as the
    app starts (before gunicorn forks its workers), not on a visitor's request. Call it
    before the hooks that read (the programme's settings): a kept copy is served first."""
    kept = app.config["PUBLIC_PAGE_SECONDS"] or app.config["MEMBER_PAGE_SECONDS"]
    if kept and app.config.get("REDIS_URL"):
        app.extensions[DIGEST] = code_digest()
    app.before_request(serve_member_copy)
