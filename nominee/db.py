"""Database plumbing: declarative base, engine, one session and one unit of work per request.

Services only flush. A request commits once, at its end, when it wrote something and
succeeded (an answer below 400 whose view did not refuse, see ``refuse``); otherwise
its session rolls back. Command-line commands and jobs use ``unit_of_work()``. SQLite
gets WAL, foreign keys and ``BEGIN IMMEDIATE`` for write requests so that concurrent
writers queue on the busy timeout instead of failing with "database is locked" when a
deferred transaction tries to upgrade its lock.
"""

from __future__ import annotations

import contextlib
import logging
import os
import weakref
from collections.abc import Iterator
from datetime import UTC, datetime

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite forgets the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTCDateTime column")
            value = value.astimezone(UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


def utcnow() -> datetime:
    return datetime.now(UTC)


_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


def _dispose_after_fork() -> None:
    # A pooled connection inherited from the parent must never be used by a child
    # (gunicorn forks workers): drop the pool without closing the parent's sockets.
    for engine in list(_engines):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_dispose_after_fork)


def make_engine(
    url: str,
    echo: bool = False,
    *,
    lock_timeout: float = 30,
    statement_timeout: float | None = None,
    pool: dict | None = None,
) -> Engine:
    """An engine for ``url``.

    ``lock_timeout`` (seconds) bounds how long a statement waits for another
    transaction's lock: SQLite's busy timeout, PostgreSQL's ``lock_timeout``.
    ``statement_timeout`` (PostgreSQL only) bounds any one statement. The app passes its
    ``DB_LOCK_TIMEOUT`` and ``DB_STATEMENT_TIMEOUT`` (below gunicorn's worker timeout, so
    a blocked request gives up with a 503 before its worker is killed); scripts,
    migrations and seeding keep the generous defaults.
    """
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"timeout": lock_timeout, "check_same_thread": False},
        )
        _configure_sqlite(engine, busy_ms=int(lock_timeout * 1000))
    else:
        options = [f"-c lock_timeout={int(lock_timeout * 1000)}"]
        if statement_timeout:
            options.append(f"-c statement_timeout={int(statement_timeout * 1000)}")
        pool = pool or {}
        engine = create_engine(
            url,
            echo=echo,
            # A connection the server or a pooler closed is noticed at checkout, not by
            # the request that would have used it.
            pool_pre_ping=True,
            pool_size=pool.get("size", 5),
            max_overflow=pool.get("max_overflow", 10),
            pool_timeout=pool.get("timeout", 10),
            pool_recycle=pool.get("recycle", 1800),
            connect_args={"options": " ".join(options), "connect_timeout": 5},
        )
    _engines.add(engine)
    return engine


def _configure_sqlite(engine: Engine, busy_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, issue BEGIN (see the "begin" hook below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        if has_request_context() and request.method in READ_ONLY_METHODS:
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def init_app(app: Flask) -> None:
    config = app.config
    engine = make_engine(
        config["DATABASE_URL"],
        echo=config["SQL_ECHO"],
        lock_timeout=config["DB_LOCK_TIMEOUT"],
        statement_timeout=config["DB_STATEMENT_TIMEOUT"],
        pool={
            "size": config["DB_POOL_SIZE"],
            "max_overflow": config["DB_MAX_OVERFLOW"],
            "timeout": config["DB_POOL_TIMEOUT"],
            "recycle": config["DB_POOL_RECYCLE"],
        },
    )
    app.extensions["nominee.engine"] = engine
    app.extensions["nominee.sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)

    @app.after_request
    def commit_unit_of_work(response):
        """The one commit of a request: only when it wrote, succeeded and was not
        refused. A commit that fails raises, and the error handlers answer (409, 503)."""
        session = g.get("db_session")
        if (
            session is not None
            and session.info.get("wrote")
            and response.status_code < 400
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


def get_engine() -> Engine:
    return current_app.extensions["nominee.engine"]


def get_session() -> Session:
    """The session of the current request (or CLI command), created on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["nominee.sessionmaker"]()
    return g.db_session


def commit() -> None:
    get_session().commit()


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


@event.listens_for(Session, "after_flush")
def _mark_written(session: Session, _context) -> None:
    session.info["wrote"] = True


@event.listens_for(Session, "do_orm_execute")
def _mark_bulk_written(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info["wrote"] = True


@event.listens_for(Session, "after_transaction_end")
def _reset_written(session: Session, transaction) -> None:
    # Only the outermost transaction: a service's SAVEPOINT (``begin_nested``) ending
    # must not make the request forget that it wrote.
    if transaction.parent is None:
        session.info.pop("wrote", None)
