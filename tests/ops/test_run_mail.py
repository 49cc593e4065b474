"""``make run`` sends mail by itself: the app started as the Makefile starts it (``db
upgrade``, ``seed-types``, then ``flask --app nominee run``), with no job setting and no
other process, hands a registration's verification mail to ``MAIL_URL`` within seconds;
without ``MAIL_URL`` it writes the mail to the mail folder and logs its subject and link.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookiejar import CookieJar
from pathlib import Path

from benchmarks.load import free_port
from nominee import ROOT
from tests.smtp import SMTPServer

FLASK = [sys.executable, "-m", "flask", "--app", "nominee"]
DELIVERY_SECONDS = 5.0
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@contextmanager
def make_run(tmp_path: Path, **settings: str) -> Iterator[tuple[str, Path]]:
    """The app served as ``make run`` serves it, on a fresh SQLite file: its base URL and
    the path of its log. Only the database, the key and ``settings`` are set: no job
    setting, no Redis, no debug mode from the caller's environment."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("NOMINEE_", "FLASK_")) and key not in ("REDIS_URL", "MAIL_URL")
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'nominee.sqlite3'}",
        SECRET_KEY="run-mail-test-" + "k" * 40,
        **settings,
    )
    for command in (["db", "upgrade"], ["seed-types"]):
        subprocess.run([*FLASK, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    port = free_port()
    log_path = tmp_path / "run.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [*FLASK, "run", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _answers(base):
            assert server.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.1)
        yield base, log_path
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)


def _answers(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=2):
            return True
    except OSError:
        return False


def register(base: str, email: str) -> float:
    """Register through the form, as a browser does (its CSRF token, its cookie); the
    moment the answer came back (``time.monotonic()``)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    with opener.open(f"{base}/register", timeout=10) as answer:
        found = CSRF.search(answer.read().decode())
    assert found, "no CSRF token on /register"
    form = urllib.parse.urlencode(
        {
            "csrf_token": html.unescape(found.group(1)),
            "display_name": "Sam Newcomer",
            "email": email,
            "password": "a long and careful passphrase",
        }
    ).encode()
    with opener.open(f"{base}/register", data=form, timeout=10) as answer:
        assert answer.status == 200
        assert urllib.parse.urlsplit(answer.url).path == "/check-inbox", answer.url
    return time.monotonic()


def test_make_run_delivers_the_verification_mail_to_mail_url(tmp_path):
    with SMTPServer() as smtp, make_run(tmp_path, MAIL_URL=smtp.url()) as (base, log_path):
        started = time.monotonic()
        answered = register(base, "sam@example.org")
        while not smtp.received and time.monotonic() - started < DELIVERY_SECONDS + 5:
            time.sleep(0.01)
        elapsed = time.monotonic() - started
        after_answer = time.monotonic() - answered
        assert smtp.received, f"no mail after {elapsed:.2f} s:\n{log_path.read_text()}"
        assert elapsed <= DELIVERY_SECONDS, (
            f"the mail took {elapsed:.2f} s from the first request "
            f"({after_answer:.2f} s after the answer)"
        )
    (mail,) = smtp.received
    assert mail.recipients == ["sam@example.org"]
    assert mail.message["Subject"] == "Confirm your email address"
    assert re.search(r"http://127\.0\.0\.1:5000/verify/\S+", mail.text()), mail.text()
    assert "/verify/" in mail.html()
    print(f"verification mail at the SMTP server {elapsed:.3f} s after GET /register")


def test_make_run_without_mail_url_writes_the_mail_and_logs_its_link(tmp_path):
    folder = tmp_path / "mail"
    with make_run(tmp_path, NOMINEE_MAIL_FOLDER=str(folder)) as (base, log_path):
        register(base, "sam@example.org")
        deadline = time.monotonic() + DELIVERY_SECONDS
        logged = re.compile(
            r"mail to Sam Newcomer <sam@example\.org>: "
            r"Confirm your email address (\S+) \((.+\.eml)\)"
        )
        while not (line := logged.search(log_path.read_text())):
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.05)
    files = list(folder.glob("*.eml"))
    assert [str(path) for path in files] == [line.group(2)]
    assert b"Subject: Confirm your email address" in files[0].read_bytes()
    assert line.group(1).startswith("http://127.0.0.1:5000/verify/")
