"""The outbox: written in the transaction of the change it announces, handed on only
after that transaction commits, never after a rollback."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, select, text
from sqlalchemy import event as sa_event

from nominee import audit, events
from nominee.db import batched_writes
from nominee.errors import DomainError
from nominee.notifications import services as notifications
from nominee.notifications.models import Notification
from nominee.outbox import services as outbox
from nominee.outbox.models import OutboxMessage
from nominee.uow import get_session
from tests import factories


@pytest.fixture
def dispatched():
    """The ids each call of a dispatcher registered for the test was given."""
    calls: list[list[int]] = []

    def dispatcher(ids):
        calls.append(list(ids))

    outbox.add_dispatcher(dispatcher)
    yield calls
    outbox.remove_dispatcher(dispatcher)


def messages(db) -> list[OutboxMessage]:
    return db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def endorse(app, endorser, contribution):
    client = app.test_client()
    client.post("/login", data={"email": endorser.email, "password": factories.PASSWORD})
    return client.post(f"/contributions/{contribution.id}/endorse", data={"comment": "Great"})


def test_a_committed_request_leaves_one_message_per_notification(app, make, db, dispatched):
    owner = make.user()
    contribution = make.contribution(owner=owner)
    assert endorse(app, make.user(), contribution).status_code == 302
    (note,) = db.scalars(select(Notification).where(Notification.user_id == owner.id)).all()
    # The endorsement also asks for an integrity rescan (nominee.integrity).
    message, rescan = messages(db)
    assert (message.topic, message.payload) == (
        "notification.created",
        {"notification_id": note.id},
    )
    assert rescan.topic == "integrity.scan"
    assert (message.attempts, message.dispatched_at, message.last_error) == (0, None, None)
    assert dispatched == [[message.id, rescan.id]]


def test_a_refused_request_leaves_no_message_and_hands_on_nothing(
    app, make, db, dispatched, monkeypatch
):
    """The endorsement notifies its owner, then a rule refuses: the notification and its
    outbox message roll back with the endorsement."""
    from nominee.endorsements import services as endorsements

    def notify_then_refuse(*args, **kwargs):
        notifications.notify(*args, **kwargs)
        raise DomainError("Refused after the notification.")

    monkeypatch.setattr(endorsements, "notify", notify_then_refuse)
    owner = make.user()
    contribution = make.contribution(owner=owner)
    response = endorse(app, make.user(), contribution)
    assert response.status_code == 400 and "Refused after the notification." in response.text
    assert messages(db) == []
    assert db.scalars(select(Notification)).all() == []
    assert dispatched == []


def test_a_request_that_fails_leaves_no_message(app, make, db, dispatched, monkeypatch):
    from nominee.endorsements import services as endorsements

    def notify_then_fail(*args, **kwargs):
        notifications.notify(*args, **kwargs)
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(endorsements, "notify", notify_then_fail)
    contribution = make.contribution(owner=make.user())
    assert endorse(app, make.user(), contribution).status_code == 500
    assert messages(db) == []
    assert dispatched == []


def test_a_savepoint_rolled_back_takes_its_messages_with_it(db, dispatched):
    kept = outbox.put(db, "test.kept", {"n": 1})
    with pytest.raises(RuntimeError), db.begin_nested():
        outbox.put(db, "test.dropped", {"n": 2})
        raise RuntimeError
    assert dispatched == []  # a savepoint's release is no commit
    db.commit()
    assert dispatched == [[kept.id]]
    assert [m.topic for m in messages(db)] == ["test.kept"]


def test_batched_writes_flush_their_rows_once_at_the_end(db, dispatched):
    flushes: list[int] = []

    def counted(session, _context):
        flushes.append(1)

    sa_event.listen(db, "after_flush", counted)
    try:
        with batched_writes(db):
            with batched_writes(db):  # nested: only the outermost flushes
                first = outbox.put(db, "test.batched", {"n": 1})
            second = outbox.put(db, "test.batched", {"n": 2})
            event = audit.record(db, None, "test.batched", object_type="test", object_id=1)
            assert (first.id, second.id, event.id) == (None, None, None) and not flushes
        assert len(flushes) == 1 and None not in (first.id, second.id, event.id)
        outbox.put(db, "test.alone", {})  # outside: flushed at once again
        assert len(flushes) == 2
    finally:
        sa_event.remove(db, "after_flush", counted)
    db.commit()
    assert dispatched == [[first.id, second.id, messages(db)[-1].id]]


def test_batched_writes_flush_nothing_on_an_exception(db):
    with pytest.raises(RuntimeError), batched_writes(db):
        message = outbox.put(db, "test.batched", {})
        raise RuntimeError
    assert message.id is None
    outbox.put(db, "test.alone", {})  # no longer batched
    assert "nominee.batched_writes" not in db.info


def test_a_rollback_hands_on_nothing_and_forgets(db, dispatched):
    outbox.put(db, "test.dropped", {})
    db.rollback()
    db.commit()
    assert dispatched == [] and messages(db) == []


def test_a_failing_dispatcher_neither_fails_the_request_nor_stops_the_others(app, make, db, caplog):
    calls: list[list[int]] = []

    def broken(ids):
        raise ConnectionError("the mail relay is down")

    outbox.add_dispatcher(broken)
    outbox.add_dispatcher(calls.append)
    try:
        contribution = make.contribution(owner=make.user())
        assert endorse(app, make.user(), contribution).status_code == 302
    finally:
        outbox.remove_dispatcher(broken)
        outbox.remove_dispatcher(calls.append)
    message, rescan = messages(db)
    assert calls == [[message.id, rescan.id]]
    assert "outbox dispatcher" in caplog.text and "the mail relay is down" in caplog.text


@pytest.mark.parametrize(
    ("event", "topic"),
    [
        (events.award_granted, "award.granted"),
        (events.award_revoked, "award.revoked"),
        (events.award_expired, "award.expired"),
    ],
)
def test_award_events_leave_through_the_outbox(app, make, db, event, topic):
    award = make.award()
    event.send(award, session=db, actor=None)
    (message,) = messages(db)
    assert message.topic == topic
    assert message.payload == {
        "award_id": award.id,
        "verification_id": award.verification_id,
        "member_id": award.member_id,
    }


def test_messages_are_handed_on_once_committed_for_real(committing_app, engine):
    """With real commits: when the dispatcher is called, another connection already
    sees the message."""
    seen: list[list[int]] = []

    def dispatcher(ids):
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT id FROM outbox WHERE id IN :ids").bindparams(
                    bindparam("ids", expanding=True)
                ),
                {"ids": list(ids)},
            )
            seen.append([row[0] for row in found])

    with committing_app.app_context():
        session = get_session()
        make = factories.Factory(session)
        endorser = make.user()
        contribution = make.contribution(owner=make.user())
        session.commit()
    outbox.add_dispatcher(dispatcher)
    try:
        assert endorse(committing_app, endorser, contribution).status_code == 302
    finally:
        outbox.remove_dispatcher(dispatcher)
    with engine.connect() as conn:
        ids = [row[0] for row in conn.execute(text("SELECT id FROM outbox"))]
    assert len(ids) == 2 and seen == [ids]  # the notification's and the rescan's
