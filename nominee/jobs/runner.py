"""Jobs in the serving process, for an installation without Redis: one background
thread per process that runs submitted jobs and drains the outbox when woken (after a
commit wrote outbox messages) and every ``JOBS_POLL_SECONDS`` anyway.

It starts with the first request a process serves, so neither commands nor tests (unless
``JOBS_IN_PROCESS`` is True) nor gunicorn's master, which forks its workers, get one;
several processes each running one is safe (the sender's claims). Jobs still queued when
the process ends are lost: the outbox is not, its messages stay due in the database.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

log = logging.getLogger("nominee.jobs")

EXTENSION = "nominee.jobs.runner"


@dataclass
class Runner:
    app: Flask
    poll: float
    jobs: queue.SimpleQueue[tuple[Any, Sequence[Any]]] = field(default_factory=queue.SimpleQueue)
    woken: threading.Event = field(default_factory=threading.Event)
    stopping: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def alive(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def start(self) -> None:
        with self.lock:
            if self.alive:
                return
            # A forked child inherits a dead Thread object and maybe set events.
            self.stopping.clear()
            self.thread = threading.Thread(target=self._loop, name="nominee-jobs", daemon=True)
            self.thread.start()
        self.woken.set()  # drain what waited while no thread ran

    def stop(self, timeout: float = 5) -> None:
        self.stopping.set()
        self.woken.set()
        if self.thread is not None:
            self.thread.join(timeout)

    def _loop(self) -> None:
        from nominee.jobs import run, schedule
        from nominee.jobs.tasks import drain_outbox

        every = float(self.app.config.get("SCHEDULE_SECONDS", 60))
        next_step = time.monotonic()
        while not self.stopping.is_set():
            self.woken.wait(min(self.poll, max(0.0, next_step - time.monotonic())))
            self.woken.clear()
            if self.stopping.is_set():
                return
            if time.monotonic() >= next_step:
                # The scheduler's step, as a worker would run it (see jobs.schedule).
                next_step = time.monotonic() + every
                try:
                    schedule.due_loop_step(self.app)
                except Exception:
                    log.exception("the scheduler's step failed; trying again in %ss", every)
            while True:
                try:
                    job, args = self.jobs.get_nowait()
                except queue.Empty:
                    break
                try:
                    run(self.app, job, *args)
                except Exception:
                    log.exception("job %r failed", job)
            try:
                run(self.app, drain_outbox)
            except Exception:
                log.exception("draining the outbox failed; trying again in %ss", self.poll)


def init_app(app: Flask) -> None:
    setting = app.config.get("JOBS_IN_PROCESS")
    wanted = (not app.testing) if setting is None else bool(setting)
    if not wanted:
        return
    app.extensions[EXTENSION] = Runner(app, poll=float(app.config.get("JOBS_POLL_SECONDS", 30)))

    @app.before_request
    def start_jobs() -> None:
        from nominee.jobs import backend

        runner: Runner = app.extensions[EXTENSION]
        if not runner.alive and backend(app) == "thread":
            runner.start()


def _running(app: Flask) -> Runner | None:
    runner: Runner | None = app.extensions.get(EXTENSION)
    return runner if runner is not None and runner.alive else None


def wake(app: Flask) -> None:
    runner = _running(app)
    if runner is not None:
        runner.woken.set()


def submit(app: Flask, job: Any, args: Sequence[Any]) -> bool:
    """Queue ``job`` for the thread; False when no thread runs in this process."""
    runner = _running(app)
    if runner is None:
        return False
    runner.jobs.put((job, args))
    runner.woken.set()
    return True
