"""Public pages kept whole for visitors (web layer).

A page marked ``@public_page`` (the public award page, a member's page, the awardee
directory, the logged-out home) is the same for every visitor who is not logged in and
carries nothing of their own (no session: no flash message, no form token). Such a
visitor's copy is kept in the shared cache (``nominee.sharedcache``: Redis when
``REDIS_URL`` is set, so every host serves and drops the same copies; without Redis
nothing is kept, since a change seen by one worker would not reach the others) for at most
``PUBLIC_PAGE_SECONDS`` (60 by default; 0 turns it off), under a key made of:

- the **public version**, which every commit that wrote a row a visitor can see changes
  (``sharedcache.PUBLIC_VERSION``: any table but the bookkeeping ones no public page
  shows), after the commit, on every host at once: a page is never older than the last
  change to what it shows;
- the **code's digest** (the package, its templates, static files and catalogues, read
  once as the app starts, before gunicorn forks its workers): a deploy never serves a
  page the old code drew;
- the programme's **day** (relative dates and award terms change at midnight), the
  visitor's **language** (their browser's) and the page's **path**.

Only a page's own address is kept, without a query (``?page=2``, filters, cursors are
drawn each time): what is kept is then bounded by the programme's data (a page per
member and award at most), not by the addresses a visitor can make up to fill the cache.
Pages are kept compressed (zlib: about a sixth of their size). A logged-in member, a
visitor with a session (a flash message waiting, a form token) or any response that is
not a plain 200 HTML page (an error, a redirect, one that sets a cookie or the session)
is drawn as usual and never kept. Links on a page never come from the request's host
(absolute ones are built under ``BASE_URL``), so a forged ``Host`` cannot be kept. The
benchmarks in process (``make bench``) turn this off, to measure the pages' own work;
``make bench-http`` serves with it, as production does.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, current_app, make_response, request, session
from flask_login import current_user

from nominee import clock, i18n, sharedcache
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


def _key(cache: sharedcache.SharedCache) -> str:
    where = hashlib.sha256(request.path.encode()).hexdigest()[:32]
    day = clock.programme_today().isoformat()
    version = cache.version(sharedcache.PUBLIC_VERSION, sharedcache.PUBLIC_VERSION_SECONDS)
    language = i18n.supported(browser_language())
    return f"page:{version}:{current_app.extensions[DIGEST]}:{day}:{language}:{where}"


def _keepable(response) -> bool:
    return (
        response.status_code == 200
        and not response.is_streamed
        and response.mimetype == "text/html"
        and "Set-Cookie" not in response.headers
        and not session.modified
        and not session
        and response.content_length is not None
        and response.content_length <= MAX_BYTES
    )


def public_page(view: F) -> F:
    """Marks a view whose page is the same for every visitor (see the module's notes)."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
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
        key = _key(cache)
        kept = cache.get(key)
        if kept is not None:
            body = zlib.decompress(base64.b64decode(kept))
            response = current_app.response_class(body, mimetype="text/html")
            response.headers[HEADER] = "hit"
        else:
            response = make_response(view(*args, **kwargs))
            if _keepable(response):
                packed = zlib.compress(response.get_data(), 1)
                cache.set(key, base64.b64encode(packed).decode(), seconds)
                response.headers[HEADER] = "miss"
        response.vary.add("Accept-Language")
        return response

    return wrapped  # type: ignore[return-value]


def init_app(app: Flask) -> None:
    """Pages are kept only with Redis: then the code's digest is read now, once, as the
    app starts (before gunicorn forks its workers), not on a visitor's request."""
    if app.config["PUBLIC_PAGE_SECONDS"] and app.config.get("REDIS_URL"):
        app.extensions[DIGEST] = code_digest()
