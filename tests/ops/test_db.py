"""The database plumbing of nominee.db and the instance secret key: what SQLite gets on
every connection, which requests begin with BEGIN IMMEDIATE, and what a forked worker
does with the pool it inherits."""

from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nominee import create_app
from nominee.config import _instance_secret_key
from nominee.db import Base, make_engine
from tests.conftest import BASE_CONFIG
from tests.factories import Factory


def test_sqlite_connections_get_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.sqlite3'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    finally:
        engine.dispose()


def test_the_app_gives_sqlite_connections_the_page_cache_it_is_configured_with(tmp_path):
    app = create_app(
        {
            **BASE_CONFIG,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'cache.sqlite3'}",
            "SQLITE_CACHE_MB": 16,
        }
    )
    engine = app.extensions["nominee.engine"]
    with engine.connect() as conn:
        # Negative: KiB, not pages.
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -16 * 1024
    bare = make_engine(f"sqlite:///{tmp_path / 'bare.sqlite3'}")
    try:
        with bare.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -2000  # SQLite's own
    finally:
        bare.dispose()


def test_write_requests_begin_immediate_and_reads_a_plain_begin(tmp_path):
    app = create_app({**BASE_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path / 'b.sqlite3'}"})
    engine = app.extensions["nominee.engine"]
    Base.metadata.create_all(engine)
    begins: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def seen(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("BEGIN"):
            begins.append(statement)

    client = app.test_client()
    assert client.get("/login").status_code == 200
    client.get("/readyz")
    assert set(begins) == {"BEGIN"}
    begins.clear()
    response = client.post("/login", data={"email": "nobody@example.org", "password": "x" * 9})
    assert response.status_code == 400
    assert "Wrong email or password." in response.text
    assert begins and set(begins) == {"BEGIN IMMEDIATE"}
    engine.dispose()


def test_a_forked_worker_opens_connections_of_its_own(database_url):
    """gunicorn forks workers after the app (and maybe a pooled connection) exists: the
    child must never talk on the parent's socket."""
    engine = make_engine(database_url)  # a pool of its own: only this test's connection
    try:
        with engine.connect() as conn:
            parent_id = _connection_identity(conn)
        assert engine.pool.checkedin() == 1
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: report, then leave without running pytest's teardown
            try:
                pooled = engine.pool.checkedin()
                with engine.connect() as conn:
                    child_id = _connection_identity(conn)
                os.write(write, f"{pooled} {child_id}".encode())
            finally:
                os._exit(0)
        os.close(write)
        report = os.read(read, 200).decode()
        os.close(read)
        os.waitpid(pid, 0)
        pooled, child_id = report.split(" ", 1)
        assert pooled == "0", "the child inherited the parent's pooled connection"
        # A server tells its sessions apart; SQLite's connections are in-process objects.
        if engine.dialect.name == "postgresql":
            assert child_id != parent_id
        with engine.connect() as conn:  # and the parent's own connection still works
            assert conn.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


def _connection_identity(conn) -> str:
    if conn.dialect.name == "postgresql":
        return str(conn.execute(text("SELECT pg_backend_pid()")).scalar())
    return "sqlite"


def test_the_instance_secret_key_is_generated_once_private_and_kept(tmp_path):
    instance = tmp_path / "instance"
    key = _instance_secret_key(instance)
    assert len(key) >= 48
    path = instance / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _instance_secret_key(instance) == key
    assert path.read_text() == key


def test_an_empty_secret_key_file_is_refused_with_its_remedy(tmp_path):
    (tmp_path / "secret_key").write_text("")
    with pytest.raises(RuntimeError, match="delete it to generate a new key"):
        _instance_secret_key(tmp_path)


def test_foreign_keys_are_enforced_on_sqlite(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'fk.sqlite3'}")
    Base.metadata.create_all(engine)
    try:
        with Session(engine) as session:
            make = Factory(session)
            contribution = make.contribution(make.user())
            session.commit()
            contribution.owner_id = 999_999
            with pytest.raises(IntegrityError):
                session.commit()
    finally:
        engine.dispose()


def test_a_write_inside_a_savepoint_still_counts_for_the_request(app, make):
    """The request commits at its end only if it wrote: a service's SAVEPOINT
    (``begin_nested``) ending must not make it forget (SQLAlchemy reports a savepoint's
    release as a commit)."""
    from nominee.accounts.models import User
    from nominee.uow import get_session

    with app.test_request_context("/", method="POST"):
        session = get_session()
        with session.begin_nested():
            session.add(User(email="nested@example.org", display_name="Nested", password_hash="x"))
        assert session.info.get("wrote") == {"users"}
        session.rollback()
        assert "wrote" not in session.info
