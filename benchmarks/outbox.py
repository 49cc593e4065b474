"""The outbox's throughput: ``make bench-outbox`` (``--messages``, ``--workers``).

Writes N outbox messages in one transaction to a scratch SQLite file, then measures
messages/s until the last one is handed to an SMTP server (aiosmtpd, in a process of
its own, accepting and discarding) and marked dispatched:

1. in process: ``nominee.outbox.sender.drain`` in 1 thread, then in 2 (what ``make run``
   and each ``make serve`` process do without Redis);
2. with ``flask --app nominee worker`` processes on a Redis queue (when Redis answers at
   ``REDIS_URL``, default ``redis://127.0.0.1:6379/0``): the clock starts at the commit,
   the workers are already listening, as in production.

Each mail is the verification mail, rendered from its templates (both parts), as a
handler would build it. Run as a module by the workers too, for that handler.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import current_app  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from nominee.mail.messages import build  # noqa: E402
from nominee.mail.settings import MailSettings  # noqa: E402
from nominee.outbox import sender  # noqa: E402

TOPIC = "bench.mail"


@sender.handle(TOPIC)
def bench_mail(session: Session, payload: dict[str, Any]) -> list[EmailMessage]:
    settings = MailSettings.from_config(current_app.config)
    context = {"name": "Ada", "link": "/verify/token", "expires_in": timedelta(days=2)}
    return [build(settings, "verify_email", payload["to"], context)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_smtp(port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c",
         "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the SMTP server did not start")


def pending(app: Any) -> int:
    from nominee.outbox.models import OutboxMessage

    with app.app_context():
        session = app.extensions["nominee.sessionmaker"]()
        try:
            return int(
                session.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.dispatched_at.is_(None))
                )
                or 0
            )
        finally:
            session.close()


def write_messages(app: Any, count: int) -> None:
    from nominee.outbox import services as outbox
    from nominee.uow import unit_of_work

    with app.app_context(), unit_of_work() as session:
        for n in range(count):
            outbox.put(session, TOPIC, {"to": f"member{n}@example.org"})


def in_process(app: Any, count: int, threads: int) -> float:
    write_messages(app, count)
    sessions = app.extensions["nominee.sessionmaker"]

    def drain() -> None:
        with app.app_context():
            sender.drain(sessions, MailSettings.from_config(app.config))

    started = time.perf_counter()
    workers = [threading.Thread(target=drain) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    assert pending(app) == 0, "messages left undispatched"
    return count / elapsed


def with_rq(app: Any, count: int, workers: int, env: dict[str, str]) -> float:
    import redis
    from rq import Queue, Worker

    connection = redis.Redis.from_url(app.config["REDIS_URL"])
    queue = Queue(app.config["JOBS_QUEUE"], connection=connection)
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "nominee", "worker"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    try:
        deadline = time.monotonic() + 60
        while len(Worker.all(queue=queue)) < workers:
            if time.monotonic() > deadline:
                raise SystemExit("the workers did not start")
            time.sleep(0.1)
        time.sleep(0.5)  # their first drains (nothing due) are over
        started = time.perf_counter()
        write_messages(app, count)  # the commit asks for a drain
        while pending(app):
            time.sleep(0.02)
        return count / (time.perf_counter() - started)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)
        queue.delete(delete_jobs=True)
        for key in connection.scan_iter(f"{app.config['JOBS_QUEUE']}:*"):
            connection.delete(key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    args = parser.parse_args()

    import nominee.models  # noqa: F401  (every table on Base.metadata)
    from nominee import create_app
    from nominee.db import Base, make_engine

    folder = Path(tempfile.mkdtemp(prefix="nominee-bench-outbox-"))
    database_url = f"sqlite:///{folder / 'outbox.sqlite3'}"
    engine = make_engine(database_url)
    Base.metadata.create_all(engine)
    engine.dispose()
    port = free_port()
    smtp = start_smtp(port)
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    settings: dict[str, Any] = {
        "DATABASE_URL": database_url,
        "MAIL_URL": f"smtp://127.0.0.1:{port}",
        "REDIS_URL": redis_url,
        "JOBS_QUEUE": f"nominee-bench-{uuid.uuid4().hex[:8]}",
        "SECRET_KEY": "bench-" + "x" * 40,
        "LOG_REQUESTS": False,
        "JOBS_IN_PROCESS": False,
    }
    app = create_app({**settings, "JOBS_BACKEND": "inline"})
    print(f"{args.messages} messages, SQLite, SMTP at 127.0.0.1:{port} (aiosmtpd, discarding)")
    try:
        for threads in (1, 2):
            rate = in_process(app, args.messages, threads)
            print(f"in process, {threads} thread{'s' if threads > 1 else ''}: {rate:8.1f} msg/s")
        if not _redis_answers(redis_url):
            print(f"RQ: skipped, no Redis at {redis_url}")
            return
        rq_app = create_app({**settings, "JOBS_BACKEND": "rq"})
        env = {
            **os.environ,
            **{f"NOMINEE_{k}": str(v) for k, v in settings.items() if k != "JOBS_IN_PROCESS"},
            "PYTHONPATH": os.pathsep.join(
                [str(ROOT / "benchmarks"), *filter(None, [os.environ.get("PYTHONPATH")])]
            ),
            "NOMINEE_JOBS_IMPORTS": '["outbox"]',
        }
        for workers in args.workers:
            rate = with_rq(rq_app, args.messages, workers, env)
            print(f"RQ, {workers} worker{'s' if workers > 1 else ''}:        {rate:8.1f} msg/s")
    finally:
        smtp.terminate()
        smtp.wait(10)


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


if __name__ == "__main__":
    main()
