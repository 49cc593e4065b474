"""A gunicorn started the way ``make serve`` does, on a fresh SQLite database, for tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.load import child_pids, free_port
from nominee import ROOT
from nominee.migrate import upgrade


@contextmanager
def serve(tmp_path: Path, workers: int, **settings: str) -> Iterator[tuple[str, Path]]:
    """A running gunicorn with ``workers`` workers, its base URL and the path of its log;
    stopped with SIGTERM after the block, which must then have exited cleanly."""
    url = f"sqlite:///{tmp_path / 'nominee.sqlite3'}"
    upgrade(url)
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NOMINEE_")},
        "DATABASE_URL": url,
        "SECRET_KEY": "s" * 48,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WORKERS": str(workers),
    }
    env.pop("REDIS_URL", None)
    env.update(settings)
    log_path = tmp_path / "gunicorn.log"
    log = log_path.open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while len(child_pids(server.pid)) < workers or not _answers(port):
            assert server.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", log_path
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    assert server.returncode == 0, log_path.read_text()


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
            return True
    except OSError:
        return False
