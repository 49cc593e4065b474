"""Running the scheduler: one step (a unit of work around ``schedule.services.tick``), and
a loop of steps for ``flask worker`` and the in-process runner.

Any number of processes on any number of hosts may run the loop: ``tick`` takes the
database's lock and records each due moment once (see ``nominee.schedule.services``).
The daily digests go out through the outbox, as prepared messages written in the
tick's transaction: one that rolls back sends nothing.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from email.message import EmailMessage

from flask import Flask
from sqlalchemy.orm import Session

from nominee import clock, db
from nominee.jobs.handlers import PREPARED_TOPIC, mail_context
from nominee.mail import digest
from nominee.outbox import services as outbox
from nominee.programme import services as programme
from nominee.schedule import services
from nominee.uow import get_cache, unit_of_work

log = logging.getLogger("nominee.schedule")


def send_digests(session: Session, now: datetime) -> int:
    """The digests due at ``now``, each written to the outbox as a prepared message."""

    def hand_on(message: EmailMessage) -> None:
        outbox.put(session, PREPARED_TOPIC, {"to": str(message["To"]), "message": str(message)})

    return digest.send_digests(session, now, hand_on, context=mail_context())


def due_loop_step(app: Flask) -> list[str]:
    """Run what is due now, in a unit of work of its own; answers the keys that ran."""
    with app.app_context():
        # A writer: SQLite begins IMMEDIATE, which is the lock on that side.
        token = db.read_only.set(False)
        try:
            with unit_of_work() as session:
                # The programme's zone is the organizers' (stored): cycle days are its days.
                programme.current(session, get_cache())
                return services.tick(session, clock.now(), digest=send_digests)
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
