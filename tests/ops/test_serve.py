"""``make serve``'s gunicorn settings: HOST, PORT and WORKERS, a preloaded app, /readyz."""

from __future__ import annotations

import json
import urllib.request

from tests.ops.gunicorn import serve


def test_gunicorn_serves_with_the_configured_workers(tmp_path):
    # ``serve`` waits for the two workers, and checks a clean exit on SIGTERM.
    with serve(tmp_path, workers=2) as (base, log_path):
        with urllib.request.urlopen(f"{base}/readyz", timeout=10) as answer:
            body = json.load(answer)
        assert body["status"] == "ok"
        assert body["checks"]["database"]["status"] == "ok"
    assert 'method=GET path="/readyz" status=200' in log_path.read_text()
