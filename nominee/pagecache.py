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
dashboard, a cycle's page, my contributions) are kept for that member alone, at most
``MEMBER_PAGE_SECONDS`` (60), in a slot named by their id, language and time zone
besides, and served while the **members' version** is the one they were drawn under. Any
commit that wrote a row (a member's own included, but not the mail queue's or the
scheduler's bookkeeping) drops it, since a member may see private rows of their own as
well as everybody's: a kept page saves the drawing of repeated views (a dashboard
reloaded through a review session, a page opened in several tabs) between changes,
never shows one late. The page's form token is taken out of the kept copy and signed
again for each request, as the view would. The checks above the view (logged in, an
account still active) run on every request; those the view makes (a cycle's reviewers
only, an organizer's dashboard) ran when the copy was drawn for this same member, and
whatever could change their answer (a role, an appointment, a cycle's stage) is a commit
that drops the copy. A page that wrote a row, took a flash message, set a cookie or was
not a plain 200 page is not kept, and a member with a message waiting is drawn the page.

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
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, current_app, g, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from nominee import clock, db, i18n, sharedcache
from nominee.localization import browser_language
from nominee.uow import get_cache

F = TypeVar("F", bound=Callable[..., Any])
ROOT = Path(__file__).resolve().parent.parent
# Where the code that draws a page lives: a change to any of them is a new digest.
SOURCES = (ROOT / "nominee", ROOT / "templates", ROOT / "static")
SUFFIXES = frozenset({".py", ".html", ".txt", ".xml", ".po", ".mo", ".css", ".js", ".svg"})
# A larger page is drawn each time rather than kept (a bound on the cache's memory).
MAX_BYTES = 512 * 1024
DIGEST = "nominee.code_digest"
HEADER = "X-Nominee-Page-Cache"  # "hit" or "miss": for operators and the tests
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


def _member_slot() -> tuple[str, str]:
    """Where the logged-in member's own copy is kept (their id, language and zone), and
    the version it must carry: the members' one (any change they could see, theirs or
    anybody's)."""
    day = clock.programme_today().isoformat()
    reader = i18n.current()
    slot = (
        f"mine:{current_app.extensions[DIGEST]}:{day}:{reader.language}:"
        f"{reader.time_zone}:{current_user.id}:{_where()}"
    )
    return slot, sharedcache.MEMBERS_VERSION


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


def _served(view: Callable[..., Any], args: Any, kwargs: Any, member: bool) -> Any:
    """The page kept for this viewer, or the view's, kept when it may be.

    A copy is kept with the version current before the view read anything, and served
    only while that version is still the current one: a copy drawn from rows read before
    a change committed carries the version the change dropped, so it is never served.
    The version and the copy are read together, in one round trip."""
    cache = get_cache()
    slot, name = _member_slot() if member else _slot()
    version, kept = cache.get_many(name, slot)
    if version is not None and isinstance(kept, list) and kept[0] == version:
        body = _unpack(kept[1])
        if member and CSRF_MARK in body:
            # The forms' token, signed now for this session, as the view would have.
            body = body.replace(CSRF_MARK, generate_csrf().encode())
        response = current_app.response_class(body, mimetype="text/html")
        response.headers[HEADER] = "hit"
        return response
    if version is None:
        version = cache.version(name, sharedcache.PUBLIC_VERSION_SECONDS)
    response = make_response(view(*args, **kwargs))
    if member and _member_keepable(response):
        body = response.get_data()
        token = g.get(_csrf_field())
        if token:
            body = body.replace(token.encode(), CSRF_MARK)
        cache.set(slot, [version, _pack(body)], current_app.config["MEMBER_PAGE_SECONDS"])
        response.headers[HEADER] = "miss"
    elif not member and _keepable(response):
        packed = _pack(response.get_data())
        cache.set(slot, [version, packed], current_app.config["PUBLIC_PAGE_SECONDS"])
        response.headers[HEADER] = "miss"
    return response


def _member_viewing() -> bool:
    """A logged-in member's GET of a page's own address, with no message waiting."""
    return (
        bool(current_app.config["MEMBER_PAGE_SECONDS"])
        and get_cache().shared
        and request.method == "GET"
        and not request.query_string
        and current_user.is_authenticated
        and "_flashes" not in session
    )


def public_page(view: F) -> F:
    """Marks a view whose page is the same for every visitor (see the module's notes);
    a logged-in member's copy is kept for them alone, as ``members_page`` keeps it."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if _member_viewing():
            return _served(view, args, kwargs, member=True)
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
        response = _served(view, args, kwargs, member=False)
        response.vary.add("Accept-Language")
        return response

    return wrapped  # type: ignore[return-value]


def members_page(view: F) -> F:
    """Marks a view whose page a logged-in member may be served again, from their own
    copy, until anything they could see changes (see the module's notes). Put it under
    ``login_required``, which runs on every request; the view's own checks ran for this
    member when their copy was drawn."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not _member_viewing():
            return view(*args, **kwargs)
        return _served(view, args, kwargs, member=True)

    return wrapped  # type: ignore[return-value]


def init_app(app: Flask) -> None:
    """Pages are kept only with Redis: then the code's digest is read now, once, as the
    app starts (before gunicorn forks its workers), not on a visitor's request."""
    kept = app.config["PUBLIC_PAGE_SECONDS"] or app.config["MEMBER_PAGE_SECONDS"]
    if kept and app.config.get("REDIS_URL"):
        app.extensions[DIGEST] = code_digest()
