"""Running the scheduler: one step (a unit of work around ``services.tick``), and a loop
of steps for a worker or the in-process runner.

Any number of processes on any number of hosts may run the loop: ``tick`` takes the
database's lock and records each due moment once (see ``services``).
"""

from __future__ import annotations

import functools
import logging
import threading

from flask import Flask

from nominee import clock, db
from nominee.mail import transport
from nominee.mail.settings import MailSettings
from nominee.schedule import services
from nominee.uow import unit_of_work

log = logging.getLogger("nominee.schedule")


def due_loop_step(app: Flask) -> list[str]:
    """Run what is due now, in a unit of work of its own; answers the keys that ran."""
    with app.app_context():
        # A writer: SQLite begins IMMEDIATE, which is the lock on that side.
        token = db.read_only.set(False)
        try:
            send = functools.partial(transport.send, MailSettings.from_config(app.config))
            with unit_of_work() as session:
                return services.tick(session, clock.now(), send=send)
        finally:
            db.read_only.reset(token)


def run_forever(app: Flask, every: float = 60, stop: threading.Event | None = None) -> None:
    """Step every ``every`` seconds until ``stop`` is set; a failed step is logged and the
    next one tries again."""
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            ran = due_loop_step(app)
        except Exception:
            log.exception("the scheduler's step failed; trying again in %ss", every)
        else:
            if ran:
                log.info("scheduler ran %s", ", ".join(ran))
        stop.wait(every)
