"""Jobs without Redis: run at once where no thread runs, in the serving process's thread
otherwise; absolute links outside requests."""

from __future__ import annotations

import time

import pytest
from flask import g

from nominee import create_app, jobs
from nominee.jobs import links, runner
from nominee.outbox import services as outbox
from nominee.uow import get_session, unit_of_work
from tests.conftest import BASE_CONFIG
from tests.jobs.handlers import TOPIC

calls: list[tuple] = []


def record(*args):
    calls.append((*args, "db_session" in g))
    g.db_session = "the job's own"


def test_links_are_absolute_under_base_url(app):
    app.config["BASE_URL"] = "https://nominee.example/prefix"
    with app.app_context():
        assert links.url("accounts.login") == "https://nominee.example/prefix/login"
        assert (
            links.url("contributions.member", user_id=7)
            == "https://nominee.example/prefix/members/7"
        )
    with app.test_request_context("/", base_url="http://elsewhere:8000"):
        assert links.url("accounts.login") == "https://nominee.example/prefix/login"


def test_without_a_thread_a_job_runs_at_once_in_a_context_of_its_own(app):
    calls.clear()
    with app.app_context():
        g.db_session = "the caller's"
        jobs.enqueue("tests.jobs.test_jobs.record", 1, "two")
        jobs.enqueue(record, 3)
        assert g.db_session == "the caller's"
    assert calls == [(1, "two", False), (3, False)]


def test_the_backend_follows_the_settings(app):
    assert jobs.backend(app) == "thread"
    app.config["REDIS_URL"] = "redis://127.0.0.1:6379/0"
    assert jobs.backend(app) == "thread"  # tests never reach Redis unless asked
    app.config["JOBS_BACKEND"] = "rq"
    assert jobs.backend(app) == "rq"


def test_an_unknown_backend_is_refused(database_url):
    from nominee.config import ConfigError

    with pytest.raises(ConfigError, match="JOBS_BACKEND"):
        create_app({**BASE_CONFIG, "DATABASE_URL": database_url, "JOBS_BACKEND": "celery"})


def test_no_thread_in_tests_or_commands_unless_asked(app):
    assert runner.EXTENSION not in app.extensions
    app.test_client().get("/healthz")
    assert runner._running(app) is None


def test_the_serving_thread_sends_what_a_commit_wrote(database_url, engine, smtp_server):
    """``make run`` without Redis: the first request starts the thread; a commit that
    writes outbox messages wakes it, and the mail arrives within a moment."""
    app = create_app(
        {
            **BASE_CONFIG,
            "DATABASE_URL": database_url,
            "MAIL_URL": smtp_server.url(),
            "JOBS_IN_PROCESS": True,
            "JOBS_POLL_SECONDS": 60,  # so only the wake-up can explain a quick delivery
        }
    )
    try:
        assert app.test_client().get("/healthz").status_code == 200
        the_runner = runner._running(app)
        assert the_runner is not None
        time.sleep(0.2)  # its first pass (nothing due) is over
        with app.app_context(), unit_of_work() as session:
            outbox.put(session, TOPIC, {"to": "ada@example.org"})
        deadline = time.monotonic() + 5
        while not smtp_server.received and time.monotonic() < deadline:
            time.sleep(0.02)
        assert [r.recipients for r in smtp_server.received] == [["ada@example.org"]]

        calls.clear()
        with app.app_context():
            jobs.enqueue("tests.jobs.test_jobs.record", "in the thread")
        deadline = time.monotonic() + 5
        while not calls and time.monotonic() < deadline:
            time.sleep(0.02)
        assert calls == [("in the thread", False)]
    finally:
        runner_ = app.extensions[runner.EXTENSION]
        runner_.stop()
        with app.app_context():
            session = get_session()
            session.execute(outbox.OutboxMessage.__table__.delete())
            session.commit()
        # Last: a session after it would open a connection nobody closes.
        app.extensions["nominee.engine"].dispose()
