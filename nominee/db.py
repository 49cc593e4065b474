"""Database plumbing without the web: declarative base, column types, engines.

Services only flush; whoever opened the session commits (``nominee.uow``: once per
request, or per command or job). A session notes in ``info["wrote"]`` the tables it wrote
(``written_tables``).
SQLite gets WAL, foreign keys and ``BEGIN IMMEDIATE`` for writing transactions so that
concurrent writers queue on the busy timeout instead of failing with "database is
locked" when a deferred transaction tries to upgrade its lock; a reader (a GET request,
see ``read_only``) begins a deferred transaction.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Whether the work at hand only reads (a GET request): SQLite then begins deferred.
read_only: ContextVar[bool] = ContextVar("nominee_read_only", default=False)

_BATCHED = "nominee.batched_writes"


@contextmanager
def batched_writes(session: Session) -> Iterator[None]:
    """Inside, ``flush_row`` (``audit.record``, ``outbox.put``) only adds its row: one
    flush at the end writes them all (a flush per row costs a round trip and the ORM's
    per-flush work; a thousand awards' audit and outbox rows made publishing a cycle
    take seconds). Queries inside still autoflush. Nothing is flushed on an exception."""
    depth = int(session.info.get(_BATCHED, 0))
    session.info[_BATCHED] = depth + 1
    try:
        yield
    finally:
        if depth:
            session.info[_BATCHED] = depth
        else:
            session.info.pop(_BATCHED, None)
    if not depth:
        session.flush()


def flush_row(session: Session) -> None:
    """Flush a row just added, unless inside ``batched_writes`` (which flushes later)."""
    if not session.info.get(_BATCHED):
        session.flush()


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
    sqlite_cache_mb: int | None = None,
) -> Engine:
    """An engine for ``url``.

    ``lock_timeout`` (seconds) bounds how long a statement waits for another
    transaction's lock: SQLite's busy timeout, PostgreSQL's ``lock_timeout``.
    ``statement_timeout`` (PostgreSQL only) bounds any one statement. The app passes its
    ``DB_LOCK_TIMEOUT`` and ``DB_STATEMENT_TIMEOUT`` (below gunicorn's worker timeout, so
    a blocked request gives up with a 503 before its worker is killed); scripts,
    migrations and seeding keep the generous defaults. ``sqlite_cache_mb``: SQLite's page
    cache per connection (the app's ``SQLITE_CACHE_MB``; None: SQLite's default).
    """
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"timeout": lock_timeout, "check_same_thread": False},
        )
        _configure_sqlite(engine, busy_ms=int(lock_timeout * 1000), cache_mb=sqlite_cache_mb)
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


def _configure_sqlite(engine: Engine, busy_ms: int, cache_mb: int | None = None) -> None:
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
        if cache_mb:
            # Negative: a size in KiB rather than in pages; memory is taken as pages are read.
            cursor.execute(f"PRAGMA cache_size={-int(cache_mb) * 1024}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        if read_only.get():
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def refresh_statistics(session: Session) -> None:
    """The query planner's statistics brought up to date (the scheduler, once a day).

    SQLite has none until ``ANALYZE`` runs, and then picks indexes by their shape alone:
    the covering indexes of the review dashboard and the reviewers' loads are chosen only
    with them. Sampled (``analysis_limit``): a third of a second at large scale instead
    of a read of every index. PostgreSQL samples anyway; its autovacuum may not have run
    after a large import."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA analysis_limit=2000"))
    session.execute(text("ANALYZE"))


def written_tables(session: Session) -> set[str]:
    """The tables the session's transaction wrote so far (empty: it wrote nothing)."""
    return session.info.get("wrote", set())


@event.listens_for(Session, "after_flush")
def _mark_written(session: Session, _context) -> None:
    tables = session.info.setdefault("wrote", set())
    for row in (*session.new, *session.dirty, *session.deleted):
        tables.add(getattr(row, "__tablename__", "?"))
    if not tables:
        tables.add("?")


@event.listens_for(Session, "do_orm_execute")
def _mark_bulk_written(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        state.session.info.setdefault("wrote", set()).add(getattr(table, "name", "?"))


@event.listens_for(Session, "after_transaction_end")
def _reset_written(session: Session, transaction) -> None:
    # Only the outermost transaction: a service's SAVEPOINT (``begin_nested``) ending
    # must not make the request forget that it wrote.
    if transaction.parent is None:
        session.info.pop("wrote", None)
