"""``GET /healthz``: a real round trip to the database, and to Redis when configured."""

from __future__ import annotations

import socket

import pytest

from nominee import create_app
from tests.conftest import BASE_CONFIG

UNREACHABLE_PG = "postgresql+psycopg://postgres@127.0.0.1:1/nominee"


def redis_running(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        socket.create_connection((host, port), timeout=0.5).close()
    except OSError:
        return False
    return True


def test_healthz_ok_after_database_round_trip(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok"}}


def test_healthz_503_when_database_unreachable():
    app = create_app({**BASE_CONFIG, "DATABASE_URL": UNREACHABLE_PG})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["reason"] == "database unreachable"
    assert response.json["checks"] == {"database": "unreachable"}


def test_healthz_503_when_redis_unreachable(database_url):
    app = create_app(
        {**BASE_CONFIG, "DATABASE_URL": database_url, "REDIS_URL": "redis://127.0.0.1:1/0"}
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["reason"] == "redis unreachable"
    assert response.json["checks"] == {"database": "ok", "redis": "unreachable"}
    app.extensions["nominee.engine"].dispose()


@pytest.mark.skipif(not redis_running(), reason="no Redis on 127.0.0.1:6379")
def test_healthz_checks_redis_when_configured(database_url):
    app = create_app(
        {**BASE_CONFIG, "DATABASE_URL": database_url, "REDIS_URL": "redis://127.0.0.1:6379/0"}
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok", "redis": "ok"}
    app.extensions["nominee.engine"].dispose()
