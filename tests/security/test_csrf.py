"""CSRF: every POST route refuses a request without a valid token."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import sessionmaker

from nominee import create_app
from tests.conftest import BASE_CONFIG
from tests.factories import PASSWORD


@pytest.fixture
def csrf_app(database_url, connection):
    app = create_app({**BASE_CONFIG, "DATABASE_URL": database_url, "WTF_CSRF_ENABLED": True})
    app.extensions["nominee.sessionmaker"] = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield app
    app.extensions["nominee.engine"].dispose()


# RFC 8058: a mail client's one-click unsubscribe POST carries no token. The signed link
# is the credential (it only turns one kind of email off, for its own member).
EXEMPT = {"preferences.unsubscribe"}
# The JSON API reads no cookie (a bearer token only), so it takes no CSRF token:
# tests/api/test_errors_and_limits.py shows a logged-in browser gets 401 from it.
EXEMPT_PREFIX = "/api/"


def _post_routes(app) -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if (
            "POST" in rule.methods
            and rule.endpoint not in EXEMPT
            and not rule.rule.startswith(EXEMPT_PREFIX)
        ):
            paths.append(re.sub(r"<(?:[^:>]+:)?([^>]+)>", "1", rule.rule))
    return sorted(paths)


def _login(client, email: str) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_every_post_route_requires_a_csrf_token(csrf_app, make):
    organizer = make.organizer()
    client = csrf_app.test_client()
    _login(client, organizer.email)
    routes = _post_routes(csrf_app)
    assert "/logout" in routes
    for path in routes:
        response = client.post(path, data={})
        assert response.status_code == 400, path
        assert "CSRF" in response.text, path
        bad = client.post(path, data={"csrf_token": "forged"})
        assert bad.status_code == 400, path


def test_login_form_with_token_works_and_without_fails(csrf_app, make):
    user = make.user()
    client = csrf_app.test_client()
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 400
    )
    _login(client, user.email)


def test_the_one_click_unsubscribe_needs_no_csrf_token(csrf_app, make, db):
    from nominee.mail.tokens import Purpose, make_token

    member = make.user()
    db.commit()
    token = make_token(
        "test-secret-key", Purpose.UNSUBSCRIBE, {"user_id": member.id, "kind": "endorsed"}
    )
    client = csrf_app.test_client()
    answer = client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
