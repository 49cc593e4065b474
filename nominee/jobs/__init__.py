"""Background jobs: work that runs outside the request (sending mail, fan-out).

Two backends, chosen by ``JOBS_BACKEND`` (``auto``: ``rq`` when ``REDIS_URL`` is set,
outside tests; ``thread`` otherwise):

- ``rq``: jobs go on the RQ queue ``JOBS_QUEUE`` in Redis; ``flask --app nominee
  worker`` (``make worker``) runs them, each in an app context of its own.
- ``thread``: jobs run in a background thread of the serving process, started by the
  first request (``JOBS_IN_PROCESS``: None starts it outside tests, True in tests too,
  False never). Where no such thread runs (a command, a test), ``enqueue`` runs the job
  at once, in an app context of its own. ``inline`` always runs jobs at once.

The outbox (``nominee.outbox``) hands its messages on through a dispatcher registered
here: it asks for a drain job (``rq``, at most one waiting at a time) or wakes the
thread, which also drains every ``JOBS_POLL_SECONDS`` anyway, for messages whose retry
came due. Without either (a command, a test) messages wait for the next drain.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from flask import Flask, current_app, has_app_context

from nominee.outbox import services as outbox

log = logging.getLogger("nominee.jobs")

# The modules that give the outbox its handlers: each has a ``register()`` that calls
# ``sender.handle`` (or registers on import, as test and benchmark handlers do).
HANDLER_MODULES: tuple[str, ...] = ("nominee.jobs.handlers",)

BACKENDS = ("auto", "rq", "thread", "inline")
Job = str | Callable[..., Any]


def register_handlers(extra: Iterable[str] = ()) -> None:
    """Import the handler modules (and ``extra`` ones: ``JOBS_IMPORTS``)."""
    for name in (*HANDLER_MODULES, *extra):
        module = importlib.import_module(name)
        if callable(register := getattr(module, "register", None)):
            register()


def backend(app: Flask) -> str:
    chosen = app.config.get("JOBS_BACKEND", "auto")
    if chosen != "auto":
        return str(chosen)
    return "rq" if app.config.get("REDIS_URL") and not app.testing else "thread"


def init_app(app: Flask) -> None:
    from nominee.jobs import runner

    chosen = app.config.get("JOBS_BACKEND", "auto")
    if chosen not in BACKENDS:
        from nominee.config import ConfigError

        raise ConfigError(f"JOBS_BACKEND must be one of {', '.join(BACKENDS)}: {chosen!r}")
    register_handlers(app.config.get("JOBS_IMPORTS") or ())
    outbox.add_dispatcher(dispatch)
    runner.init_app(app)
    if backend(app) == "rq" and not app.testing:
        # REDIS_URL in a developer's environment would otherwise leave mail waiting quietly.
        log.warning(
            "jobs (mail, fan-out, the scheduler) go to the Redis queue %r: they run only "
            "while a worker runs (make worker)",
            app.config.get("JOBS_QUEUE", "nominee"),
        )


def dispatch(ids: Sequence[int]) -> None:
    """The outbox's dispatcher: messages ``ids`` were committed; have them sent."""
    if not has_app_context():
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    chosen = backend(app)
    if chosen == "rq":
        from nominee.jobs import redisqueue

        redisqueue.request_drain(app)
    elif chosen == "thread":
        from nominee.jobs import runner

        runner.wake(app)


def enqueue(job: Job, *args: Any) -> None:
    """Run ``job`` (a callable or its dotted path) with ``args`` in the background.

    The job runs in an app context of its own and opens its own unit of work
    (``uow.unit_of_work()``). Enqueue after the commit whose data the job reads: a
    worker may start it at once.
    """
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    chosen = backend(app)
    if chosen == "rq":
        from nominee.jobs import redisqueue

        redisqueue.enqueue(app, job, *args)
        return
    if chosen == "thread":
        from nominee.jobs import runner

        if runner.submit(app, job, args):
            return
    run(app, job, *args)


def resolve(job: Job) -> Callable[..., Any]:
    if callable(job):
        return job
    module, _, name = job.rpartition(".")
    found: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return found


def run(app: Flask, job: Job, *args: Any) -> Any:
    """Run ``job`` now, in an app context of its own (its own ``g``, its own session)."""
    with app.app_context():
        return resolve(job)(*args)
