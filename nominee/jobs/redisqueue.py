"""The ``rq`` backend: jobs on an RQ queue in Redis, run by ``flask --app nominee worker``.

The outbox asks for a drain after each commit that wrote messages; a Redis key set
with NX (``<queue>:drain-requested``, cleared when a drain starts) keeps at most one
drain waiting however many requests commit, and each worker process asks again every
``JOBS_POLL_SECONDS`` for messages whose retry came due or whose worker died.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import redis
from flask import Flask, current_app
from rq import Queue, SimpleWorker
from rq.job import Job as RQJob

from nominee.jobs import schedule
from nominee.redisclient import client_for

log = logging.getLogger("nominee.jobs")

DRAIN = "nominee.jobs.redisqueue.drain"
# The flag expires on its own, should its drain job be lost (Redis flushed, say).
DRAIN_FLAG_SECONDS = 60
JOB_TIMEOUT = 600  # seconds; a drain stops claiming after 2 minutes (tasks.DRAIN_BUDGET)
RESULT_TTL = 60


def queue(app: Flask, connection: redis.Redis | None = None) -> Queue:
    return Queue(
        app.config["JOBS_QUEUE"],
        connection=connection or client_for(app.config["REDIS_URL"]),
        default_timeout=JOB_TIMEOUT,
    )


def enqueue(app: Flask, job: Any, *args: Any) -> RQJob:
    return queue(app).enqueue(job, *args, result_ttl=RESULT_TTL, failure_ttl=7 * 86400)


def _flag(app: Flask) -> str:
    return f"{app.config['JOBS_QUEUE']}:drain-requested"


def request_drain(app: Flask, connection: redis.Redis | None = None) -> bool:
    """Queue a drain unless one waits already; True when this call queued it."""
    connection = connection or client_for(app.config["REDIS_URL"])
    if not connection.set(_flag(app), "1", nx=True, ex=DRAIN_FLAG_SECONDS):
        return False
    queue(app, connection).enqueue(DRAIN, result_ttl=RESULT_TTL, failure_ttl=86400)
    return True


def drain() -> None:
    """The drain job: clear the flag first, so that a commit from now on asks again."""
    from nominee.jobs.tasks import drain_outbox

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    client_for(app.config["REDIS_URL"]).delete(_flag(app))

    def ask_for_another() -> None:
        request_drain(app)

    report = drain_outbox(on_full_batch=ask_for_another)
    log.info(
        "outbox drained: %s sent, %s skipped, %s retrying, %s failed",
        report.dispatched,
        report.skipped,
        report.retrying,
        report.failed,
    )


class AppWorker(SimpleWorker):
    """An RQ worker whose every job runs in an app context of its own.

    It runs jobs in its own process rather than forking one per job: its poller and
    scheduler threads hold database and Redis connections, and a child forked while a
    thread holds a lock (SQLite's, the allocator's) hangs for good (the publish
    benchmark caught it). A job that kills the worker loses no mail: the outbox lease
    runs out and another worker, or this one restarted by its supervisor, sends it."""

    def __init__(self, *args: Any, app: Flask, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.app = app

    def perform_job(self, job: RQJob, queue: Queue) -> bool:
        with self.app.app_context():
            return super().perform_job(job, queue)


def poll(app: Flask, connection: redis.Redis, every: float, stop: threading.Event) -> None:
    """Ask for a drain every ``every`` seconds until ``stop`` (a daemon thread's loop)."""
    while not stop.wait(every):
        try:
            request_drain(app, connection)
        except redis.RedisError:
            log.warning("asking for an outbox drain failed; trying again", exc_info=True)


def work(app: Flask, *, burst: bool = False) -> None:
    """Run a worker on ``JOBS_QUEUE`` until stopped (or, ``burst``, until it is empty)."""
    # No socket timeout: the worker blocks on Redis for minutes waiting for jobs.
    connection = redis.Redis.from_url(app.config["REDIS_URL"])
    worker = AppWorker([queue(app, connection)], connection=connection, app=app)
    stop = threading.Event()
    every = float(app.config.get("JOBS_POLL_SECONDS", 30))
    poller = threading.Thread(
        target=poll, args=(app, connection, every, stop), name="nominee-poll", daemon=True
    )
    request_drain(app, connection)  # what waited while no worker ran
    poller.start()
    if not burst:
        # The scheduler's step every minute: safe on every worker of every host (its lock
        # and keys in the database), so no cron job and no single "scheduler host".
        threading.Thread(
            target=schedule.run_forever,
            args=(app, float(app.config.get("SCHEDULE_SECONDS", 60)), stop),
            name="nominee-schedule",
            daemon=True,
        ).start()
    try:
        worker.work(burst=burst, logging_level="INFO")
    finally:
        stop.set()
