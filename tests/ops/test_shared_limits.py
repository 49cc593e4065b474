"""Rate limits under gunicorn with several workers: counted once, in Redis, for all of them.

Each test starts gunicorn the way ``make serve`` does, on a fresh SQLite database, with
its own Redis key prefix (in a Redis database of its own) and deletes only its own keys.
"""

from __future__ import annotations

import secrets
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import pytest

from benchmarks.load import free_port
from tests.ops.gunicorn import serve
from tests.ops.redisserver import redis_or_fail

REDIS = "redis://127.0.0.1:6379/14"
WORKERS = 3
LIMIT = 5
# The requests below post no CSRF token: the limits are what is tested.
gunicorn = partial(serve, workers=WORKERS, NOMINEE_WTF_CSRF_ENABLED="false")


def _send(url: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None):
    """Status, headers and body of one request (errors included)."""
    body = "&".join(f"{k}={urllib.request.quote(v)}" for k, v in data.items()) if data else None
    request = urllib.request.Request(
        url, data=body.encode() if body is not None else None, headers=headers or {}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode()


WRONG_LOGIN = {"email": "nobody@example.org", "password": "not the password"}


@pytest.fixture
def redis_prefix():
    client = redis_or_fail(REDIS)
    prefix = f"nominee-test-{secrets.token_hex(6)}"
    yield prefix
    for key in client.scan_iter(match=f"*{prefix}*"):
        client.delete(key)
    client.close()


def test_login_limit_counts_across_workers_in_redis(tmp_path, redis_prefix):
    """Three workers, five wrong logins a minute: the sixth answer is 429, whichever worker
    serves it (each worker counting on its own let up to fifteen passwords be checked)."""
    with gunicorn(
        tmp_path,
        REDIS_URL=REDIS,
        NOMINEE_RATELIMIT_KEY_PREFIX=redis_prefix,
        NOMINEE_RATELIMIT_LOGIN=f"{LIMIT} per minute",
        NOMINEE_TRUSTED_PROXIES="1",
    ) as (base, _log):
        client = {"X-Forwarded-For": "198.51.100.7"}
        # Concurrent requests, so that every worker serves some of them.
        with ThreadPoolExecutor(max_workers=6) as pool:
            answers = list(
                pool.map(lambda _: _send(f"{base}/login", WRONG_LOGIN, client)[0], range(LIMIT * 3))
            )
        assert Counter(answers) == {400: LIMIT, 429: LIMIT * 2}
        # In order now: still limited, on every worker.
        assert [_send(f"{base}/login", WRONG_LOGIN, client)[0] for _ in range(4)] == [429] * 4
        # Behind one trusted proxy another client has a bucket of its own.
        other = {"X-Forwarded-For": "198.51.100.8"}
        assert _send(f"{base}/login", WRONG_LOGIN, other)[0] == 400


def test_redis_down_logins_keep_working_with_a_limit_per_worker(tmp_path):
    """Redis unreachable, by default: pages and logins are served, each worker counting
    the attempts in its own memory (limited, never unlimited), never a 500 or a 503."""
    closed = f"redis://127.0.0.1:{free_port()}/0"
    with gunicorn(tmp_path, REDIS_URL=closed, NOMINEE_RATELIMIT_LOGIN=f"{LIMIT} per minute") as (
        base,
        log_path,
    ):
        assert _send(f"{base}/")[0] == 200
        answers = [_send(f"{base}/login", WRONG_LOGIN)[0] for _ in range(LIMIT * WORKERS + 3)]
    assert answers[0] == 400
    assert set(answers) <= {400, 429}
    # At most the limit per worker got a password checked.
    assert answers.count(400) <= LIMIT * WORKERS
    assert 429 in answers
    log = log_path.read_text()
    assert "status=500" not in log
    assert "status=503" not in log


def test_redis_down_page_views_answer_and_credentials_get_503_when_failing_closed(tmp_path):
    """Redis unreachable with RATELIMIT_FAIL_CLOSED: pages are served (fail open),
    logins, registrations and password changes answer 503 with Retry-After, never 500;
    the fallback is logged once per worker, not once per request."""
    closed = f"redis://127.0.0.1:{free_port()}/0"
    with gunicorn(tmp_path, REDIS_URL=closed, NOMINEE_RATELIMIT_FAIL_CLOSED="true") as (
        base,
        log_path,
    ):
        for path in ("/", "/login", "/register"):
            status, _headers, _body = _send(f"{base}{path}")
            assert status == 200, path
        for _ in range(3 * WORKERS):
            status, headers, body = _send(f"{base}/login", WRONG_LOGIN)
            assert status == 503
            assert int(headers["Retry-After"]) > 0
            assert "Temporarily unavailable" in body
        registration = {
            "display_name": "Ada",
            "email": "ada@example.org",
            "password": "a long enough phrase",
        }
        status, headers, body = _send(f"{base}/register", registration)
        assert status == 503
        assert "Retry-After" in headers
        # Nothing was registered: pages still answer, and the login page asks again.
        assert _send(f"{base}/")[0] == 200
    log = log_path.read_text()
    assert "status=500" not in log
    assert "Traceback" not in log
    fallbacks = log.count("Rate limit storage unreachable")
    assert 1 <= fallbacks <= WORKERS, log
