"""Fixtures: one schema per run, one rolled-back transaction per test.

The suite runs on SQLite by default and on PostgreSQL when ``TEST_DATABASE_URL`` is
set. Under pytest-xdist each worker gets a database of its own.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

import nominee.models  # noqa: F401  (every table on Base.metadata)
from nominee import clock, create_app
from nominee.db import Base, make_engine
from nominee.programme.services import forget as forget_programme
from nominee.reviews.queries.calibration import clear_cache as clear_calibrations
from tests import factories

BASE_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "LOG_REQUESTS": False,
    # Most tests change rows through factories, which the kept pages' versions do not
    # see: tests/ops/test_page_cache.py turns both on and changes rows through the services.
    "PUBLIC_PAGE_SECONDS": 0,
    "MEMBER_PAGE_SECONDS": 0,
}


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        path = tmp_path_factory.mktemp("db") / f"nominee-{_worker()}.sqlite3"
        yield f"sqlite:///{path}"
        return
    parsed = make_url(url)
    # The checkout's path is in the name, so two checkouts testing at once never share one.
    checkout = hashlib.sha1(str(Path(__file__).resolve().parent).encode()).hexdigest()[:6]
    name = re.sub(r"\W", "_", f"{parsed.database}_nominee_{checkout}_{_worker()}")
    admin = create_engine(parsed, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield parsed.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine):
    # Each test's rolled-back data reuses ids: a calibration kept from another test could
    # match its fingerprint (``nominee.reviews.queries.calibration``).
    clear_calibrations()
    forget_programme()  # its settings are kept per process, like the calibrations
    conn = engine.connect()
    trans = conn.begin()
    yield conn
    trans.rollback()
    conn.close()


@pytest.fixture
def app(database_url: str, connection) -> Iterator[Flask]:
    """An app whose sessions all join the test's outer transaction.

    No app context stays pushed: each request gets its own ``g`` (and so its own session
    and Flask-Login user), as in production.
    """
    app = create_app({**BASE_CONFIG, "DATABASE_URL": database_url})
    app.extensions["nominee.sessionmaker"] = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield app
    app.extensions["nominee.engine"].dispose()


@pytest.fixture
def committing_app(database_url: str, engine: Engine) -> Iterator[Flask]:
    """An app that really commits, for tests of concurrent requests. Tables are emptied after."""
    app = create_app({**BASE_CONFIG, "DATABASE_URL": database_url})
    yield app
    app.extensions["nominee.engine"].dispose()
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    """The test's own session, on the same connection as the requests' sessions."""
    session = app.extensions["nominee.sessionmaker"]()
    yield session
    session.close()


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[None]:
    """For service tests that make no request but need ``url_for`` or the config."""
    with app.app_context():
        yield


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client: FlaskClient):
        self.client = client

    def login(self, user_or_email, password: str = factories.PASSWORD, remember: bool = False):
        email = getattr(user_or_email, "email", user_or_email)
        data = {"email": email, "password": password}
        if remember:
            data["remember"] = "y"
        return self.client.post("/login", data=data)

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def make(db: Session) -> factories.Factory:
    return factories.Factory(db)


@pytest.fixture
def freeze_clock() -> Iterator[Callable[[date | datetime], None]]:
    """``freeze_clock(moment)`` stops ``nominee.clock`` at ``moment`` (a date: its midnight
    UTC) for the rest of the test: services, pages and jobs see that "now" and "today".
    Call it again to move the clock; it runs again when the test ends."""
    with contextlib.ExitStack() as stack:
        yield lambda moment: stack.enter_context(clock.as_of(moment))
