"""``make serve``'s gunicorn settings: HOST, PORT and WORKERS, a preloaded app, /healthz."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

from benchmarks.load import child_pids, free_port
from nominee import ROOT
from nominee.migrate import upgrade


def test_gunicorn_serves_with_the_configured_workers(tmp_path):
    url = f"sqlite:///{tmp_path / 'nominee.sqlite3'}"
    upgrade(url)
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NOMINEE_")},
        "DATABASE_URL": url,
        "SECRET_KEY": "s" * 48,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WORKERS": "2",
    }
    env.pop("REDIS_URL", None)
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        body = None
        while body is None and time.monotonic() < deadline:
            assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as r:
                    body = json.load(r)
            except OSError:
                time.sleep(0.2)
        assert body["status"] == "ok"
        assert body["checks"]["database"]["status"] == "ok"
        while len(child_pids(server.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(child_pids(server.pid)) == 2
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    assert server.returncode == 0
    log_text = (tmp_path / "gunicorn.log").read_text()
    assert 'method=GET path="/readyz" status=200' in log_text
