"""Health for load balancers and orchestrators.

- ``GET /healthz``, liveness: the process answers. It touches no dependency, so a
  database or Redis outage never makes every host look dead at once.
- ``GET /readyz``, readiness: a round trip to the database (required) and to Redis when
  configured (reported; required only with ``RATELIMIT_FAIL_CLOSED``, which refuses
  logins without it: otherwise pages, logins and endorsements work without Redis).
  JSON with each dependency's state and latency; 503 when a required one fails.
"""

from __future__ import annotations

import time

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from nominee.resilience import describe
from nominee.uow import discard_session, get_session

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    checks = {"database": _check_database()}
    required = ["database"]
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        checks["redis"] = _check_redis(redis_url)
        if current_app.config["RATELIMIT_FAIL_CLOSED"]:
            required.append("redis")
    failing = [name for name in required if checks[name]["status"] != "ok"]
    response = jsonify(
        status="unavailable" if failing else "ok",
        checks=checks,
        **({"reason": ", ".join(f"{name} unreachable" for name in failing)} if failing else {}),
    )
    response.status_code = 503 if failing else 200
    return response


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:  # any driver error means "not reachable"
        current_app.logger.warning("readyz: %s", describe(exc))
        status = "unreachable"
    else:
        status = "ok"
    return {"status": status, "latency_ms": round((time.perf_counter() - started) * 1000, 1)}


def _check_database() -> dict:
    def check() -> None:
        try:
            get_session().execute(text("SELECT 1"))
        finally:
            discard_session()

    return _timed(check)


def _check_redis(url: str) -> dict:
    from nominee.redisclient import client_for

    return _timed(lambda: client_for(url).ping())
