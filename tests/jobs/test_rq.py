"""The RQ path with the real Redis of ``.ci/run`` and real ``flask --app nominee worker``
processes, on a SQLite file they share with the test: a committed message arrives; a
registration's verification mail, written by a real request, arrives once and its link
confirms the address; a worker killed with SIGKILL mid-batch (its work horse too, as
when a host dies) loses nothing, and the next worker sends the rest.

Each test uses a queue of its own, so runs and checkouts never take each other's jobs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
from rq import Queue
from sqlalchemy import func, select

from nominee import create_app
from nominee.accounts.models import User
from nominee.db import Base, make_engine
from nominee.mail.transport import first_link
from nominee.outbox import services as outbox
from nominee.outbox.models import OutboxMessage
from nominee.uow import unit_of_work
from tests.conftest import BASE_CONFIG
from tests.jobs.handlers import TOPIC

ROOT = Path(__file__).resolve().parent.parent.parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# The test's app and the workers share it, as the web and worker processes of a site do.
SECRET_KEY = "rq-test-secret-key-" + "x" * 32


def _redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


pytestmark = pytest.mark.skipif(not _redis_answers(), reason=f"no Redis at {REDIS_URL}")


class Workers:
    """Start ``flask --app nominee worker`` processes; kill them all at the end."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.started: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        with (self.logs / f"worker-{len(self.started)}.log").open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "nominee", "worker"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL the worker and its work horse (RQ forks one per job, in a process
        group of its own), as a host that dies would."""
        for pid in [*_children(process.pid), process.pid]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.wait(10)

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                self.kill(process)

    def log(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.logs.glob("*.log")))


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.fixture
def rq_setup(tmp_path, smtp_server):
    database_url = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    engine = make_engine(database_url)
    Base.metadata.create_all(engine)
    engine.dispose()
    queue_name = f"nominee-test-{uuid.uuid4().hex[:10]}"
    settings = {
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "MAIL_URL": smtp_server.url(),
        "JOBS_QUEUE": queue_name,
        # Short, so that a dead worker's messages come due again within the test.
        "OUTBOX_LEASE_SECONDS": 2,
        "OUTBOX_BATCH": 20,
        "JOBS_POLL_SECONDS": 0.3,
    }
    app = create_app({**BASE_CONFIG, **settings, "JOBS_BACKEND": "rq", "SECRET_KEY": SECRET_KEY})
    env = {
        **os.environ,
        **{f"NOMINEE_{key}": str(value) for key, value in settings.items()},
        "NOMINEE_SECRET_KEY": SECRET_KEY,
        "NOMINEE_JOBS_IMPORTS": '["tests.jobs.handlers"]',
        "NOMINEE_LOG_REQUESTS": "false",
    }
    logs = tmp_path / "logs"
    logs.mkdir()
    workers = Workers(env, logs)
    yield app, workers
    workers.stop_all()
    app.extensions["nominee.engine"].dispose()
    connection = redis.Redis.from_url(REDIS_URL)
    Queue(queue_name, connection=connection).delete(delete_jobs=True)
    for key in connection.scan_iter(f"*{queue_name}*"):
        connection.delete(key)


def commit_messages(app, count: int) -> None:
    with app.app_context(), unit_of_work() as session:
        for n in range(count):
            outbox.put(session, TOPIC, {"to": f"member{n}@example.org"})


def wait_for(condition, timeout: float, what: str, workers: Workers) -> None:
    # Generous: a worker process starts in about 4 s here, far slower on a loaded CI box;
    # a passing run waits only as long as the mail takes.
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}; worker logs:\n{workers.log()}")
        time.sleep(0.01)


def test_a_committed_message_arrives_through_the_worker(rq_setup, smtp_server):
    app, workers = rq_setup
    workers.start()
    commit_messages(app, 1)
    wait_for(lambda: smtp_server.received, 60, "the mail", workers)
    (received,) = smtp_server.received
    assert received.recipients == ["member0@example.org"]
    assert received.message["Message-ID"].startswith("<nominee.outbox.1.0.")


def test_a_registration_mail_arrives_through_the_worker_and_its_link_works(rq_setup, smtp_server):
    """The real account flow on the RQ path: the request writes the outbox message and
    asks Redis for a drain; the worker builds the mail with the app's handlers."""
    app, workers = rq_setup
    workers.start()
    client = app.test_client()
    answer = client.post(
        "/register",
        data={
            "display_name": "Sam Newcomer",
            "email": "sam@example.org",
            "password": "a long and careful passphrase",
        },
    )
    assert answer.status_code == 302 and "/check-inbox" in answer.location
    wait_for(lambda: smtp_server.received, 60, "the verification mail", workers)
    time.sleep(1)  # some polls more: it arrives once
    (received,) = smtp_server.received
    assert received.recipients == ["sam@example.org"]
    assert received.message["Subject"] == "Confirm your email address"
    assert received.message["List-Unsubscribe"] is None  # security mail: no opting out
    link = first_link(received.message)
    assert link and link.startswith("http://127.0.0.1:5000/verify/"), received.text()
    assert f'href="{link}"' in received.html()

    path = urlsplit(link).path
    assert b"Confirm my address" in client.get(path).data
    confirmed = client.post(path)
    assert confirmed.status_code == 302
    with app.app_context(), unit_of_work() as session:
        user = session.scalar(select(User).where(User.email == "sam@example.org"))
        assert user is not None and user.email_verified_at is not None


def test_a_worker_killed_mid_batch_loses_nothing(rq_setup, smtp_server):
    """100 messages; the first worker dies (SIGKILL) after some were sent, holding the
    leases of a batch; the second sends the rest once those leases run out. Each message
    arrives; the only one that may arrive twice is the one in flight at the kill (sent,
    not yet marked: SMTP has no idempotency), recognisable by its Message-ID."""
    app, workers = rq_setup
    count = 100
    first = workers.start()
    commit_messages(app, count)
    wait_for(lambda: len(smtp_server.received) >= 20, 60, "the first mails", workers)
    workers.kill(first)
    sent_by_first = len(smtp_server.received)
    assert sent_by_first < count, "the first worker finished before it was killed"

    workers.start()

    def every_message_arrived() -> bool:
        ids = {r.message["Message-ID"].split(".")[2] for r in list(smtp_server.received)}
        return len(ids) == count

    wait_for(every_message_arrived, 60, "every message", workers)
    time.sleep(2.5)  # a lease and some polls more: nothing else may arrive
    copies = Counter(r.message["Message-ID"] for r in smtp_server.received)
    assert len(copies) == count
    twice = [mid for mid, n in copies.items() if n > 1]
    assert len(twice) <= 1 and all(copies[mid] == 2 for mid in twice), twice
    with app.app_context(), unit_of_work() as session:
        pending = session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.dispatched_at.is_(None))
        )
    assert pending == 0
