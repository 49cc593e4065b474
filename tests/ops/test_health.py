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


def test_healthz_is_liveness_and_touches_no_dependency():
    # Neither the database nor Redis answers: the process does, and says so.
    app = create_app(
        {**BASE_CONFIG, "DATABASE_URL": UNREACHABLE_PG, "REDIS_URL": "redis://127.0.0.1:1/0"}
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_ok_after_database_round_trip(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["checks"]["database"]["status"] == "ok"
    assert response.json["checks"]["database"]["latency_ms"] >= 0
    assert "redis" not in response.json["checks"]


def test_readyz_503_when_database_unreachable():
    app = create_app({**BASE_CONFIG, "DATABASE_URL": UNREACHABLE_PG})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["reason"] == "database unreachable"
    assert response.json["checks"]["database"]["status"] == "unreachable"


def test_readyz_reports_redis_down_without_failing_by_default(database_url):
    app = create_app(
        {**BASE_CONFIG, "DATABASE_URL": database_url, "REDIS_URL": "redis://127.0.0.1:1/0"}
    )
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["checks"]["database"]["status"] == "ok"
    assert response.json["checks"]["redis"]["status"] == "unreachable"
    app.extensions["nominee.engine"].dispose()


def test_readyz_503_without_redis_when_logins_fail_closed(database_url):
    app = create_app(
        {
            **BASE_CONFIG,
            "DATABASE_URL": database_url,
            "REDIS_URL": "redis://127.0.0.1:1/0",
            "RATELIMIT_FAIL_CLOSED": True,
        }
    )
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["reason"] == "redis unreachable"
    assert response.json["checks"]["redis"]["status"] == "unreachable"
    app.extensions["nominee.engine"].dispose()


@pytest.mark.skipif(not redis_running(), reason="no Redis on 127.0.0.1:6379")
def test_readyz_checks_redis_on_one_pooled_connection(database_url):
    import redis

    app = create_app(
        {**BASE_CONFIG, "DATABASE_URL": database_url, "REDIS_URL": "redis://127.0.0.1:6379/0"}
    )
    probe = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    before = probe.info("stats")["total_connections_received"]
    client = app.test_client()
    for _ in range(20):
        response = client.get("/readyz")
        assert response.status_code == 200
        assert response.json["checks"]["redis"]["status"] == "ok"
    # Twenty checks, one connection (not one per check, each left in TIME_WAIT).
    assert probe.info("stats")["total_connections_received"] - before <= 2
    probe.close()
    app.extensions["nominee.engine"].dispose()
