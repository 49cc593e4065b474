"""``TRUSTED_PROXIES``: behind N proxies the client is the address they forwarded, so each
client has a rate-limit bucket of its own; with 0 a forged X-Forwarded-For changes nothing.
(tests/ops/test_shared_limits.py checks the same behind gunicorn and Redis.)"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import sessionmaker

from nominee import create_app
from nominee.config import ConfigError
from nominee.extensions import limiter
from tests.conftest import BASE_CONFIG

WRONG = {"email": "nobody@example.org", "password": "not the password"}


@pytest.fixture
def app_behind(database_url, connection):
    apps = []

    def make(hops):
        app = create_app(
            {
                **BASE_CONFIG,
                "DATABASE_URL": database_url,
                "RATELIMIT_ENABLED": True,
                "RATELIMIT_LOGIN": "1 per minute",
                "TRUSTED_PROXIES": hops,
            }
        )
        app.extensions["nominee.sessionmaker"] = sessionmaker(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        apps.append(app)
        return app

    yield make
    limiter.reset()
    for app in apps:
        app.extensions["nominee.engine"].dispose()


def _login(client, forwarded_for: str | None):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post("/login", data=WRONG, headers=headers).status_code


def test_behind_one_proxy_each_forwarded_client_has_its_own_bucket(app_behind):
    client = app_behind(1).test_client()
    assert _login(client, "203.0.113.1") == 400
    assert _login(client, "203.0.113.1") == 429
    assert _login(client, "203.0.113.2") == 400
    # The proxy appends the address it saw: what the client wrote before it is ignored.
    assert _login(client, "203.0.113.2, 203.0.113.1") == 429


def test_behind_one_proxy_the_forwarded_scheme_counts(app_behind):
    client = app_behind(1).test_client()
    page = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in page.headers


def test_without_trusted_proxies_forwarded_headers_are_ignored(app_behind):
    client = app_behind(0).test_client()
    assert _login(client, "203.0.113.1") == 400
    assert _login(client, "203.0.113.2") == 429
    assert _login(client, None) == 429
    page = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in page.headers


@pytest.mark.parametrize("hops", [-1, "two", 1.5, True])
def test_trusted_proxies_must_be_a_number_of_hops(database_url, hops):
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        create_app({**BASE_CONFIG, "DATABASE_URL": database_url, "TRUSTED_PROXIES": hops})
