"""One unit of work per request, command or job: the session it uses, committed once.

A request commits at its end when it wrote something and succeeded (an answer below
400 whose view did not refuse, see ``refuse``); otherwise its session rolls back.
Command-line commands and jobs use ``unit_of_work()``. This is the web's side of
``nominee.db``; services never import it: they take a session.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from flask import Flask, Response, current_app, g, request
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from nominee import audit, db, sharedcache

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def init_app(app: Flask) -> None:
    config = app.config
    engine = db.make_engine(
        config["DATABASE_URL"],
        echo=config["SQL_ECHO"],
        lock_timeout=config["DB_LOCK_TIMEOUT"],
        statement_timeout=config["DB_STATEMENT_TIMEOUT"],
        sqlite_cache_mb=config["SQLITE_CACHE_MB"],
        pool={
            "size": config["DB_POOL_SIZE"],
            "max_overflow": config["DB_MAX_OVERFLOW"],
            "timeout": config["DB_POOL_TIMEOUT"],
            "recycle": config["DB_POOL_RECYCLE"],
        },
    )
    app.extensions["nominee.engine"] = engine
    # What every host must see alike (nominee/sharedcache.py): values a commit made wrong
    # are deleted once it is done, from Redis for all hosts when there is one. Every
    # session of the app carries the cache, a request's and a job's or a command's alike,
    # so whatever commits drops the kept values and pages it made wrong.
    cache = sharedcache.SharedCache(config.get("REDIS_URL"), config["CACHE_PREFIX"])
    app.extensions["nominee.cache"] = cache
    factory = sessionmaker(bind=engine, expire_on_commit=False, info={sharedcache.CACHE: cache})
    app.extensions["nominee.sessionmaker"] = factory

    @app.before_request
    def note_request() -> None:
        """What the domain may know of the request without importing Flask."""
        db.read_only.set(request.method in READ_ONLY_METHODS)
        audit.client_address.set(request.remote_addr)

    @app.teardown_request
    def forget_request(exc: BaseException | None) -> None:
        db.read_only.set(False)
        audit.client_address.set(None)

    @app.after_request
    def commit_unit_of_work(response: Response) -> Response:
        """The one commit of a request: only when it wrote, succeeded (or ``keep`` was
        called) and was not refused. A commit that fails raises, and the error handlers
        answer (409, 503)."""
        session = g.get("db_session")
        if (
            session is not None
            and session.info.get("wrote")
            and (response.status_code < 400 or g.get("uow_kept"))
            and not g.get("uow_refused")
        ):
            session.commit()
        return response

    @app.teardown_appcontext
    def close_session(exc: BaseException | None) -> None:
        discard_session()


def discard_session() -> None:
    """End the request's session, rolling back what it did not commit; never raises.

    ``close()`` hands the connection back to the pool, which rolls it back, and leaves
    loaded objects (the logged-in user) readable, unlike ``rollback()``. The connection
    may be gone (the server restarted, a pooler or an administrator closed it): that
    must not turn an answer already given into a 500; the pool drops such a connection.
    """
    session = g.pop("db_session", None)
    if session is None:
        return
    try:
        session.close()
    except Exception:  # a dead connection: nothing left to roll back
        logging.getLogger("nominee.db").warning("closing a session failed", exc_info=True)
        with contextlib.suppress(Exception):
            session.invalidate()


def get_cache() -> sharedcache.SharedCache:
    return current_app.extensions["nominee.cache"]


def get_engine() -> Engine:
    return current_app.extensions["nominee.engine"]


def get_session() -> Session:
    """The session of the current request (or CLI command), created on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["nominee.sessionmaker"]()
        # The app's factory gives it the cache already; one put in its place (the tests
        # bind theirs to one connection) may not.
        sharedcache.attach(g.db_session, current_app.extensions["nominee.cache"])
    return g.db_session


def keep() -> None:
    """What the request wrote stays although it answers an error: the audit entry of a
    failed login, refused with 400. Committed at the end unless ``refuse`` is called."""
    g.uow_kept = True


def refuse() -> None:
    """The request's work is refused (a rule said no, and the view shows why): roll back
    what the services flushed, and commit nothing at the end of the request."""
    g.uow_refused = True
    get_session().rollback()


@contextlib.contextmanager
def unit_of_work() -> Iterator[Session]:
    """For command-line commands and jobs: the session, committed when the block ends
    without an exception and rolled back otherwise."""
    session = get_session()
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    session.commit()
