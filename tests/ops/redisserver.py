"""The local Redis server the multi-process tests share (each in a database of its own)."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from nominee import create_app
from nominee.db import Base
from tests.conftest import BASE_CONFIG

HOSTS_REDIS = "redis://127.0.0.1:6379/13"


def redis_or_fail(url: str):
    """A client of the Redis at ``url``; the test fails (never skips) when it does not answer."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"these tests need the Redis server at {url}: {exc}")
    return client


@contextlib.contextmanager
def two_hosts(database_url: str, engine, **config: Any) -> Iterator[tuple[Flask, Flask]]:
    """Two app instances ("hosts") on one database and one Redis, really committing, as
    in the README's production section; their Redis keys and the tables are emptied
    after. ``config``: more settings for both."""
    client = redis_or_fail(HOSTS_REDIS)
    prefix = f"nominee-test-{secrets.token_hex(6)}"
    settings = {
        **BASE_CONFIG,
        "DATABASE_URL": database_url,
        "REDIS_URL": HOSTS_REDIS,
        "CACHE_PREFIX": f"{prefix}:cache:",
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": HOSTS_REDIS,
        "RATELIMIT_KEY_PREFIX": prefix,
        "RATELIMIT_LOGIN_ACCOUNT": "3 per minute",
        "JOBS_BACKEND": "inline",
        **config,
    }
    first, second = create_app(dict(settings)), create_app(dict(settings))
    try:
        yield first, second
    finally:
        for app in (first, second):
            app.extensions["nominee.engine"].dispose()
        for key in client.scan_iter(match=f"*{prefix}*"):
            client.delete(key)
        with engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
