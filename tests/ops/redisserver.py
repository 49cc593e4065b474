"""The local Redis server the multi-process tests share (each in a database of its own)."""

from __future__ import annotations

import pytest


def redis_or_fail(url: str):
    """A client of the Redis at ``url``; the test fails (never skips) when it does not answer."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"these tests need the Redis server at {url}: {exc}")
    return client
