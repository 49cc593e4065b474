"""Database failures under a request: reads retried once, writes never replayed, 503s.

The connection's death is simulated by failing a statement the way SQLAlchemy reports a
dropped connection (``connection_invalidated``), on SQLite and PostgreSQL alike; the
lock budget is tested with a real lock held by another connection.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import event, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from nominee import create_app
from nominee.accounts.models import User
from nominee.audit import AuditEvent
from nominee.db import Base
from tests import factories
from tests.conftest import BASE_CONFIG


@pytest.fixture
def make_app(database_url: str, engine: Engine) -> Iterator:
    """Apps that really commit, with settings of the test's choosing; tables emptied after."""
    apps: list[Flask] = []

    def make(**config) -> Flask:
        app = create_app({**BASE_CONFIG, "DATABASE_URL": database_url, **config})
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["nominee.engine"].dispose()
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def member(engine: Engine) -> User:
    with Session(engine, expire_on_commit=False) as session:
        user = factories.Factory(session).user()
        session.commit()
    return user


class ConnectionDrops:
    """Fail the next ``times`` statements that match, as a dropped connection does."""

    def __init__(self, app: Flask, times: int, matching: str = ""):
        self.remaining = times
        self.matching = matching.lower()
        self.failed = 0
        self.engine = app.extensions["nominee.engine"]
        event.listen(self.engine, "before_cursor_execute", self)

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if self.remaining and self.matching in statement.lower():
            self.remaining -= 1
            self.failed += 1
            conn.invalidate()
            raise OperationalError(
                statement,
                parameters,
                Exception("server closed the connection unexpectedly"),
                connection_invalidated=True,
            )

    def stop(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self)


def log_in(client, user: User):
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302, response.text
    return response


def test_a_read_whose_connection_died_is_run_again_once(make_app, member):
    app = make_app()
    client = app.test_client()
    log_in(client, member)
    drops = ConnectionDrops(app, times=1, matching="from contributions")
    response = client.get("/contributions/mine")
    drops.stop()
    assert drops.failed == 1
    assert response.status_code == 200
    assert "My contributions" in response.text


def test_a_read_that_fails_twice_answers_503_with_retry_after(make_app, member):
    app = make_app()
    client = app.test_client()
    log_in(client, member)
    drops = ConnectionDrops(app, times=5, matching="from contributions")
    response = client.get("/contributions/mine")
    drops.stop()
    assert drops.failed == 2  # the first try and the one retry, no more
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert "Database unavailable" in response.text
    assert "Something went wrong" not in response.text


def test_a_write_whose_connection_died_is_never_replayed_and_saves_nothing(
    make_app, member, engine
):
    app = make_app()
    client = app.test_client()
    drops = ConnectionDrops(app, times=1, matching="insert into audit_events")
    response = client.post("/login", data={"email": member.email, "password": factories.PASSWORD})
    drops.stop()
    assert drops.failed == 1
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert "Nothing was saved" in response.text
    with Session(engine) as session:
        assert session.scalar(select(User.last_login_at).where(User.id == member.id)) is None
        assert not session.scalars(
            select(AuditEvent).where(AuditEvent.action == "login.succeeded")
        ).all()


def test_api_clients_get_a_problem_document(make_app, member):
    app = make_app()
    client = app.test_client()
    log_in(client, member)
    drops = ConnectionDrops(app, times=5, matching="from contributions")
    response = client.get("/contributions/mine", headers={"Accept": "application/json"})
    drops.stop()
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.json["title"] == "Database unavailable"


def test_session_teardown_never_raises_on_a_dead_connection(make_app, member):
    app = make_app()
    client = app.test_client()
    log_in(client, member)
    # Every rollback fails too, as on a connection the server closed.
    drops = ConnectionDrops(app, times=50, matching="")
    with app.test_request_context("/"):
        from nominee.uow import discard_session, get_session

        session = get_session()
        with pytest.raises(OperationalError):
            session.execute(text("SELECT 1"))
        discard_session()  # no exception escapes
    drops.stop()


def hold_write_lock(engine: Engine, member: User, held: threading.Event, release: threading.Event):
    with engine.connect() as conn:
        conn.begin()  # BEGIN IMMEDIATE on SQLite: the write lock
        if conn.dialect.name != "sqlite":
            conn.execute(text("SELECT id FROM users WHERE id = :id FOR UPDATE"), {"id": member.id})
        held.set()
        release.wait(timeout=30)
        conn.rollback()


def test_a_write_blocked_past_the_lock_budget_answers_503_busy(make_app, member, engine):
    app = make_app(DB_LOCK_TIMEOUT=0.5)
    client = app.test_client()
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=hold_write_lock, args=(engine, member, held, release))
    holder.start()
    try:
        assert held.wait(timeout=10)
        started = time.monotonic()
        response = client.post(
            "/login", data={"email": member.email, "password": factories.PASSWORD}
        )
        waited = time.monotonic() - started
    finally:
        release.set()
        holder.join(timeout=30)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert "Busy, try again" in response.text
    assert "Nothing was saved" in response.text
    assert waited < 10  # the budget, not gunicorn's worker timeout, ended the wait
    with Session(engine) as session:
        assert session.scalar(select(User.last_login_at).where(User.id == member.id)) is None
    # Once the lock is gone the same login goes through.
    assert (
        client.post(
            "/login", data={"email": member.email, "password": factories.PASSWORD}
        ).status_code
        == 302
    )


def test_the_lock_budget_is_set_on_each_connection(make_app):
    app = make_app(DB_LOCK_TIMEOUT=3, DB_STATEMENT_TIMEOUT=7)
    with app.extensions["nominee.engine"].connect() as conn:
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 3000
        else:
            assert conn.exec_driver_sql("SHOW lock_timeout").scalar() == "3s"
            assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "7s"


def test_a_dead_connection_while_loading_the_user_answers_503_not_500(make_app, member):
    """The 503 page is served as to a visitor: nothing after it (the security headers,
    the request log) reloads the user from the database that just failed."""
    app = make_app()
    client = app.test_client()
    log_in(client, member)
    drops = ConnectionDrops(app, times=10, matching="from users")
    response = client.get("/contributions/mine")
    drops.stop()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Database unavailable" in response.text
