"""``GET /healthz``: a real round trip to the database (and Redis when configured)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from nominee.db import get_session

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    checks: dict[str, str] = {}
    try:
        get_session().execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means "not reachable"
        get_session().rollback()
        return _unhealthy("database", exc, checks)
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        import redis

        try:
            client = redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)
            client.ping()
            checks["redis"] = "ok"
        except redis.RedisError as exc:
            return _unhealthy("redis", exc, checks)
    return jsonify(status="ok", checks=checks)


def _unhealthy(name: str, exc: Exception, checks: dict[str, str]):
    current_app.logger.warning("healthz: %s unreachable: %s", name, exc)
    checks[name] = "unreachable"
    response = jsonify(status="unavailable", reason=f"{name} unreachable", checks=checks)
    response.status_code = 503
    return response
