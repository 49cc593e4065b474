"""``make serve``'s gunicorn settings: HOST, PORT and WORKERS, a preloaded app, /readyz,
the collector settled before the workers fork."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

from nominee.collector import YOUNG_THRESHOLD
from tests.ops.gunicorn import serve

ROOT = Path(__file__).resolve().parents[2]


def test_gunicorn_serves_with_the_configured_workers(tmp_path):
    # ``serve`` waits for the two workers, and checks a clean exit on SIGTERM.
    with serve(tmp_path, workers=2) as (base, log_path):
        with urllib.request.urlopen(f"{base}/readyz", timeout=10) as answer:
            body = json.load(answer)
        assert body["status"] == "ok"
        assert body["checks"]["database"]["status"] == "ok"
    assert 'method=GET path="/readyz" status=200' in log_path.read_text()


def test_the_master_settles_the_collector_before_the_workers_fork():
    # gunicorn calls ``when_ready`` once the preloaded app is loaded, before any fork: run
    # it as gunicorn does, in a process of its own (the suite's collector stays as it is).
    script = (
        "import gc, runpy\n"
        "settings = runpy.run_path('gunicorn.conf.py')\n"
        "assert settings['preload_app']\n"
        "before = gc.get_threshold()\n"
        "settings['when_ready'](None)\n"
        "print(before[0], gc.get_threshold()[0], gc.get_threshold()[1:] == before[1:],"
        " gc.get_freeze_count() > 0)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["700", str(YOUNG_THRESHOLD), "True", "True"]
