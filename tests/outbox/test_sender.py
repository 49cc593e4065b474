"""The sender: claims due messages, sends them once, retries with backoff, gives up and
shows it, survives a worker killed mid-send, and never lets two workers send one
message. Against the real SMTP server of ``tests/smtp.py``."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from nominee import clock
from nominee.audit import AuditEvent
from nominee.mail.settings import MailSettings
from nominee.outbox import sender
from nominee.outbox import services as outbox
from nominee.outbox.models import OutboxMessage
from nominee.uow import get_session
from tests.jobs.handlers import TOPIC
from tests.security.helpers import client_for


@pytest.fixture
def mail_app(app, smtp_server):
    app.config["MAIL_URL"] = smtp_server.url()
    app.config["MAIL_FROM"] = "Nominee <nominee@nominee.example>"
    return app


def drain(app, worker: str | None = None, **policy) -> sender.Report:
    with app.app_context():
        return sender.drain(
            app.extensions["nominee.sessionmaker"],
            MailSettings.from_config(app.config),
            sender.Policy(**policy),
            worker=worker,
        )


def put(db, payload=None, topic: str = TOPIC) -> int:
    message = outbox.put(db, topic, payload or {"to": "ada@example.org"})
    db.commit()
    return message.id


def reload(db, message_id: int) -> OutboxMessage:
    db.expire_all()
    message = db.get(OutboxMessage, message_id)
    assert message is not None
    return message


def message_ids(smtp_server) -> list[str]:
    return [r.message["Message-ID"] for r in smtp_server.received]


def test_a_committed_message_arrives_once(mail_app, db, smtp_server):
    message_id = put(db)
    report = drain(mail_app)
    assert (report.dispatched, report.mails) == (1, 1)
    (received,) = smtp_server.received
    assert received.recipients == ["ada@example.org"]
    assert "http://127.0.0.1:5000/verify/t" in received.text()
    assert 'href="http://127.0.0.1:5000/verify/t"' in received.html()
    message = reload(db, message_id)
    assert message.dispatched_at is not None and message.attempts == 1
    assert (message.locked_by, message.locked_until, message.recipients) == (
        None,
        None,
        "ada@example.org",
    )
    assert received.message["Message-ID"].startswith(f"<nominee.outbox.{message_id}.0.")
    assert drain(mail_app).mails == 0  # sent is sent
    assert len(smtp_server.received) == 1


def test_a_message_not_yet_committed_is_not_sent(mail_app, db, smtp_server):
    outbox.put(db, TOPIC, {"to": "ada@example.org"})
    # Another connection would not see it; here the sender's sessions share the test's
    # connection, so roll back to show that only what is committed goes.
    db.rollback()
    assert drain(mail_app).mails == 0 and smtp_server.received == []


def test_a_temporary_refusal_is_retried_with_backoff_then_sent(mail_app, db, smtp_server):
    message_id = put(db)
    smtp_server.answer = "451 4.3.0 Try again later"
    start = clock.now()
    with clock.as_of(start):
        report = drain(mail_app)
    assert (report.retrying, report.dispatched) == (1, 0)
    message = reload(db, message_id)
    assert message.attempts == 1 and "451" in (message.last_error or "")
    assert message.available_at == start + timedelta(minutes=1)
    assert message.failed_at is None and message.locked_by is None

    smtp_server.answer = None
    with clock.as_of(start + timedelta(seconds=30)):
        assert drain(mail_app).mails == 0  # not due yet
    with clock.as_of(start + timedelta(seconds=61)):
        assert drain(mail_app).dispatched == 1
    message = reload(db, message_id)
    assert message.dispatched_at is not None and message.attempts == 2
    assert len(smtp_server.received) == 1


def test_backoff_grows_then_the_last_attempt_gives_up(mail_app, db, smtp_server):
    message_id = put(db)
    smtp_server.answer = "451 4.3.0 Try again later"
    moment = clock.now()
    waits = []
    for _ in range(3):
        with clock.as_of(moment):
            drain(mail_app, max_attempts=3)
        message = reload(db, message_id)
        waits.append(message.available_at - moment)
        moment = message.available_at
    assert waits[:2] == [timedelta(minutes=1), timedelta(minutes=5)]
    assert message.attempts == 3 and message.failed_at is not None
    with clock.as_of(moment + timedelta(days=1)):
        assert drain(mail_app, max_attempts=3).mails == 0  # given up is given up


def test_a_permanent_refusal_fails_at_once_and_shows_on_the_organizers_page(
    mail_app, db, make, smtp_server
):
    message_id = put(db, {"to": "nobody@example.org"})
    smtp_server.answer_to_rcpt = "550 5.1.1 No such user"
    report = drain(mail_app)
    assert (report.failed, report.retrying) == (1, 0)
    message = reload(db, message_id)
    assert message.failed_at is not None and message.attempts == 1
    assert "550" in (message.last_error or "")

    organizer = make.organizer()
    db.commit()
    page = client_for(mail_app, organizer).get("/admin/mail/")
    assert page.status_code == 200
    assert TOPIC in page.text and "nobody@example.org" in page.text
    assert "550 5.1.1 No such user" in page.text and "Failed" in page.text
    assert f"/admin/mail/{message_id}/retry" in page.text


def test_the_retry_button_sends_it_again_and_is_audited(mail_app, db, make, smtp_server):
    message_id = put(db)
    smtp_server.answer = "554 5.7.1 Rejected"
    drain(mail_app)
    assert reload(db, message_id).failed_at is not None
    smtp_server.answer = None

    organizer = make.organizer()
    db.commit()
    response = client_for(mail_app, organizer).post(f"/admin/mail/{message_id}/retry")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/mail/")
    message = reload(db, message_id)
    assert (message.failed_at, message.attempts) == (None, 0)
    (event,) = db.scalars(select(AuditEvent).where(AuditEvent.action == "outbox.retried")).all()
    assert (event.actor_id, event.object_type, event.object_id) == (
        organizer.id,
        "outbox",
        message_id,
    )
    assert event.before["attempts"] == 1 and "554" in event.before["last_error"]

    assert drain(mail_app).dispatched == 1
    assert len(smtp_server.received) == 1
    assert reload(db, message_id).dispatched_at is not None
    # Sent: nothing left to retry, and the page says so.
    page = client_for(mail_app, organizer).get("/admin/mail/")
    assert "No mail failed" in page.text
    again = client_for(mail_app, organizer).post(f"/admin/mail/{message_id}/retry")
    assert again.status_code == 302
    assert reload(db, message_id).attempts == 1


def test_a_retry_of_a_message_that_does_not_exist_is_refused(mail_app, db, make):
    organizer = make.organizer()
    db.commit()
    client = client_for(mail_app, organizer)
    assert client.post("/admin/mail/999999/retry").status_code == 302
    assert "No such message." in client.get("/admin/mail/").text


def test_members_neither_see_nor_retry(mail_app, db, make):
    message_id = put(db)
    member = make.user()
    db.commit()
    client = client_for(mail_app, member)
    assert client.get("/admin/mail/").status_code == 403
    assert client.post(f"/admin/mail/{message_id}/retry").status_code == 403
    with pytest.raises(outbox.PermissionDenied), mail_app.app_context():
        outbox.retry(get_session(), member, message_id)


def test_topics_without_a_handler_are_marked_dispatched_unsent(mail_app, db, smtp_server):
    award = put(db, {"award_id": 1}, topic="award.granted")
    nothing = put(db, {"none": True})
    report = drain(mail_app)
    assert (report.skipped, report.mails) == (2, 0) and smtp_server.received == []
    assert reload(db, award).dispatched_at is not None
    assert reload(db, nothing).dispatched_at is not None


def test_a_handler_that_raises_is_retried_like_a_temporary_error(mail_app, db, smtp_server):
    message_id = put(db, {"boom": True})
    assert drain(mail_app).retrying == 1
    message = reload(db, message_id)
    assert message.last_error == "RuntimeError: the handler broke"
    assert message.dispatched_at is None and message.failed_at is None


def test_several_mails_of_one_message_get_their_own_message_ids(mail_app, db, smtp_server):
    message_id = put(db, {"to": ["ada@example.org", "bob@example.org"]})
    assert drain(mail_app).mails == 2
    ids = message_ids(smtp_server)
    assert [i.split(".")[2:4] for i in ids] == [[str(message_id), "0"], [str(message_id), "1"]]
    assert reload(db, message_id).recipients == "ada@example.org, bob@example.org"


def test_a_worker_killed_mid_send_loses_nothing(mail_app, db, smtp_server):
    """It claimed the message and died before marking it: the lease runs out and another
    worker sends it, once; the dead worker's late mark changes nothing."""
    message_id = put(db)
    start = clock.now()
    policy = sender.Policy()
    with clock.as_of(start):
        (claimed,) = sender.claim(mail_app.extensions["nominee.sessionmaker"], "dead", policy)
        assert claimed.id == message_id
        assert drain(mail_app).mails == 0  # leased to the dead worker
    with clock.as_of(start + policy.lease - timedelta(seconds=1)):
        assert drain(mail_app).mails == 0
    with clock.as_of(start + policy.lease + timedelta(seconds=1)):
        assert drain(mail_app, worker="alive").dispatched == 1
    assert len(smtp_server.received) == 1
    message = reload(db, message_id)
    assert message.attempts == 2 and message.dispatched_at is not None
    assert not sender._finish(
        mail_app.extensions["nominee.sessionmaker"], "dead", message_id, {"last_error": "late"}
    )
    assert reload(db, message_id).last_error is None


def test_a_long_batch_renews_its_leases(mail_app, db, smtp_server, monkeypatch):
    """Each mail takes 50 s to send, the lease is 2 minutes: the worker renews the rest
    of its batch before the leases run short, so another worker cannot take them."""
    ids = [put(db, {"to": f"m{n}@example.org"}) for n in range(4)]
    sessions = mail_app.extensions["nominee.sessionmaker"]
    start = clock.now()
    sent = itertools.count(1)
    taken_over: list[list[sender.Claimed]] = []
    original = sender.transport.send

    def send_slowly(settings, mail, **options):
        original(settings, mail, **options)
        clock._as_of.set(start + timedelta(seconds=50 * next(sent)))
        taken_over.append(sender.claim(sessions, "other", sender.Policy()))

    monkeypatch.setattr(sender.transport, "send", send_slowly)
    token = clock._as_of.set(start)
    try:
        report = drain(mail_app)
    finally:
        clock._as_of.reset(token)
    assert (report.dispatched, report.lost) == (4, 0)
    assert taken_over == [[], [], [], []]
    assert len(smtp_server.received) == 4
    assert all(reload(db, i).dispatched_at is not None for i in ids)


@pytest.mark.parametrize("workers", [2, 4])
def test_racing_drainers_send_each_message_exactly_once(
    committing_app, smtp_server, workers, database_url
):
    """Drainers in threads, each with sessions of its own on real connections (PostgreSQL:
    FOR UPDATE SKIP LOCKED; SQLite: BEGIN IMMEDIATE), take disjoint messages."""
    app = committing_app
    app.config["MAIL_URL"] = smtp_server.url()
    count = 60
    with app.app_context():
        session = get_session()
        for n in range(count):
            outbox.put(session, TOPIC, {"to": f"member{n}@example.org"})
        session.commit()
    barrier = threading.Barrier(workers)
    reports: list[sender.Report] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            reports.append(drain(app, batch=5))
        except BaseException as exc:  # noqa: BLE001  (reported by the test)
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    ids = message_ids(smtp_server)
    assert len(ids) == count and len(set(ids)) == count
    assert sum(r.dispatched for r in reports) == count
    assert sum(r.lost for r in reports) == 0
    with app.app_context():
        session = get_session()
        left = session.scalars(
            select(OutboxMessage).where(OutboxMessage.dispatched_at.is_(None))
        ).all()
        assert left == []
        attempts = set(session.scalars(select(OutboxMessage.attempts)))
        assert attempts == {1}


def test_worker_ids_are_unique_and_name_the_host_and_process():
    import os

    first, second = sender.worker_id(), sender.worker_id()
    assert first != second and f":{os.getpid()}:" in first
