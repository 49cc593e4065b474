"""Request logs, error pages and problem documents, and the rollback on a 500."""

from __future__ import annotations

import logging
import re

import pytest
from flask import Flask
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from nominee import audit, create_app
from nominee.audit import AuditEvent
from nominee.categories.models import Category
from nominee.uow import get_session
from tests.conftest import BASE_CONFIG
from tests.factories import Factory

JSON = {"Accept": "application/json"}
LOG_LINE = re.compile(
    r'^method=(?P<method>\w+) path="(?P<path>[^"]*)" status=(?P<status>\d+) '
    r"ms=(?P<ms>\d+\.\d) user=(?P<user>\S+)$"
)


def request_lines(caplog) -> list[dict[str, str]]:
    lines = [r.getMessage() for r in caplog.records if r.name == "nominee.request"]
    matches = [LOG_LINE.match(line) for line in lines]
    assert all(matches), lines
    return [m.groupdict() for m in matches]


def add_failing_route(app: Flask) -> None:
    """A route that changes data, then fails; a later hook commits whatever is left."""

    @app.post("/test-only/fail")
    def fail():
        get_session().add(Category(name="Written before the crash", slug="before-crash"))
        get_session().flush()
        raise RuntimeError("boom")

    @app.after_request
    def commit_afterwards(response):
        get_session().commit()
        return response


def test_one_log_line_per_request_with_user_id(app, client, auth, make, caplog):
    app.config["LOG_REQUESTS"] = True
    user = make.user()
    caplog.set_level(logging.INFO, logger="nominee.request")
    client.get("/")
    auth.login(user)
    caplog.clear()
    client.get("/")
    client.get("/no-such-page")
    lines = request_lines(caplog)
    assert [(x["method"], x["path"], x["status"], x["user"]) for x in lines] == [
        ("GET", "/", "200", str(user.id)),
        ("GET", "/no-such-page", "404", str(user.id)),
    ]


def test_anonymous_requests_log_a_dash(app, client, caplog):
    app.config["LOG_REQUESTS"] = True
    caplog.set_level(logging.INFO, logger="nominee.request")
    client.get("/healthz")
    assert [(x["path"], x["user"]) for x in request_lines(caplog)] == [("/healthz", "-")]


def test_404_page_and_problem_document(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Page not found" in response.text
    response = client.get("/no-such-page", headers=JSON)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 404
    assert response.json["title"] == "Not Found"


def test_403_page_and_problem_document(client, auth, make):
    auth.login(make.user())
    response = client.get("/admin/accounts")
    assert response.status_code == 403
    assert "You cannot do that" in response.text
    response = client.get("/admin/accounts", headers=JSON)
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert response.json["title"] == "Forbidden"


@pytest.fixture
def limited_app(database_url, connection) -> Flask:
    app = create_app(
        {
            **BASE_CONFIG,
            "DATABASE_URL": database_url,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_LOGIN": "1 per minute",
        }
    )
    # Join the test's transaction, as the ``app`` fixture does (the login writes audit rows).
    app.extensions["nominee.sessionmaker"] = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield app
    app.extensions["nominee.engine"].dispose()


def test_429_page_and_problem_document(limited_app):
    client = limited_app.test_client()
    login = {"email": "nobody@example.org", "password": "wrong password"}
    assert client.post("/login", data=login).status_code == 400
    response = client.post("/login", data=login)
    assert response.status_code == 429
    assert "Too many requests" in response.text
    response = client.post("/login", data=login, headers=JSON)
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    assert response.json["title"] == "Too Many Requests"


def test_500_page_rolls_back_the_transaction(committing_app, caplog):
    add_failing_route(committing_app)
    committing_app.config["LOG_REQUESTS"] = True
    caplog.set_level(logging.INFO)
    response = committing_app.test_client().post("/test-only/fail")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "boom" not in response.text
    with committing_app.app_context():
        assert get_session().scalar(select(func.count(Category.id))) == 0
    assert any(r.levelno == logging.ERROR and r.exc_info for r in caplog.records)
    assert [x["status"] for x in request_lines(caplog)] == ["500"]


def test_500_problem_document_rolls_back_the_transaction(committing_app):
    add_failing_route(committing_app)
    response = committing_app.test_client().post("/test-only/fail", headers=JSON)
    assert response.status_code == 500
    assert response.mimetype == "application/problem+json"
    assert response.json == {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "Something went wrong on our side.",
    }
    with committing_app.app_context():
        assert get_session().scalar(select(func.count(Category.id))) == 0


def test_a_denied_get_is_audited_even_when_another_worker_wrote_meanwhile(
    committing_app, monkeypatch
):
    """A GET reads in a plain transaction; recording the denial there after another
    worker's commit made SQLite answer "database is locked" (a stale read snapshot cannot
    become a write). The denial is written in a transaction of its own."""
    engine = committing_app.extensions["nominee.engine"]
    with Session(engine) as session:
        member = Factory(session).user(display_name="Curious")
        session.commit()
        member_id, login_id = member.id, member.get_id()
    original = audit.record

    def after_another_worker_wrote(*args, **kwargs):
        with engine.begin() as other:
            other.execute(insert(Category).values(name="Meanwhile", slug="meanwhile"))
        return original(*args, **kwargs)

    monkeypatch.setattr(audit, "record", after_another_worker_wrote)
    client = committing_app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = login_id
    response = client.get("/admin/categories/")
    assert response.status_code == 403
    with Session(engine) as session:
        denied = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "access.denied")
        ).all()
    assert [(event.actor_id, event.after["path"]) for event in denied] == [
        (member_id, "/admin/categories/")
    ]
