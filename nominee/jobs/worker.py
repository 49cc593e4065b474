"""``flask --app nominee worker``: run background jobs from Redis (``make worker``)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run jobs (sending mail, fan-out) from the Redis queue: one per host is plenty for
    thousands of mails an hour; start more for more throughput."""
    from nominee.jobs import backend, redisqueue

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if backend(app) != "rq":
        raise click.ClickException(
            "REDIS_URL is not set (or JOBS_BACKEND is not rq): without Redis the serving "
            "process runs the jobs itself, no worker needed"
        )
    redisqueue.work(app, burst=burst)
