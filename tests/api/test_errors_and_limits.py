"""Problem documents, authentication, rate limits per token, CORS and cookies."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import sessionmaker

from nominee import create_app
from tests.api.conftest import Api
from tests.conftest import BASE_CONFIG
from tests.security.helpers import client_for


def _is_problem(answer, status: int) -> dict:
    assert answer.status_code == status
    assert answer.mimetype == "application/problem+json"
    body = answer.json
    assert body["status"] == status and body["title"] and body["type"]
    return body


def test_no_token_or_a_wrong_one_is_401(app, make):
    body = _is_problem(Api(app.test_client(), None).get("/me"), 401)
    assert body["type"] == "urn:nominee:problem:unauthorized"
    _is_problem(Api(app.test_client(), "nmn_" + "x" * 43).get("/me"), 401)
    answer = app.test_client().get("/api/v1/me", headers={"Authorization": "Basic dTpw"})
    _is_problem(answer, 401)


def test_the_session_cookie_is_never_a_credential(app, make):
    """A logged-in browser gets 401 from the API: no cookie authenticates, so no CSRF."""
    client = client_for(app, make.user())
    assert client.get("/account/tokens").status_code == 200
    _is_problem(client.get("/api/v1/me"), 401)
    _is_problem(client.post("/api/v1/contributions", json={}), 401)


def test_unknown_routes_and_methods_answer_problems(api_as, make):
    api = api_as(make.user())
    _is_problem(api.get("/nothing-here"), 404)
    _is_problem(api.get("/contributions/2147483648"), 404)
    answer = api.client.put("/api/v1/me", headers=api._headers(None))
    assert answer.status_code == 405


def test_no_cors_headers_by_default(api_as, make):
    api = api_as(make.user())
    answer = api.get("/me", headers={"Origin": "https://elsewhere.example"})
    assert answer.status_code == 200
    assert not any(h.lower().startswith("access-control-") for h in answer.headers.keys())


@pytest.fixture
def limited_app(app, database_url, connection):
    """Made after ``app``: the limiter is one object, enabled by the last app made."""
    app = create_app(
        {
            **BASE_CONFIG,
            "DATABASE_URL": database_url,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "API_RATELIMIT": "3 per minute",
        }
    )
    app.extensions["nominee.sessionmaker"] = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield app
    app.extensions["nominee.engine"].dispose()


def test_rate_limits_count_per_token_with_ratelimit_headers(limited_app, make, token_for):
    first, second = make.user(), make.user()
    api = Api(limited_app.test_client(), token_for(first, ["read"]))
    answers = [api.get("/me") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.headers["RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
    assert answers[0].headers["RateLimit-Limit"] == "3"
    assert 0 <= int(answers[0].headers["RateLimit-Reset"]) <= 60
    assert answers[0].headers["RateLimit-Policy"] == "3;w=60"
    refused = api.get("/me")
    body = _is_problem(refused, 429)
    assert body["type"] == "urn:nominee:problem:rate-limited"
    assert "Retry-After" in refused.headers and refused.headers["RateLimit-Remaining"] == "0"
    # Another token (another member's) has its own count.
    other = Api(limited_app.test_client(), token_for(second, ["read"]))
    assert other.get("/me").status_code == 200
