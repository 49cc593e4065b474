"""Write messages to the outbox in the current transaction; hand them on after commit.

``put`` adds a message and flushes, never commits: the message is written, or rolled
back, with the change it announces. When the session's outermost transaction commits
(the request's one commit, or ``unit_of_work``'s), the ids of the messages it wrote
are given to every registered dispatcher; a rollback (the request failed or was
refused, a savepoint the message was written in rolled back) hands on nothing.

A dispatcher must be quick and must not use the session (it has just committed): it
wakes a sender, which reads the rows itself. A dispatcher that fails is logged; its
messages stay in the table, undispatched, for the sender's next pass. The sender is
``nominee.outbox.sender``; ``nominee.jobs`` registers the dispatcher that wakes it.

``retry`` gives a message the sender gave up on (or is still retrying) a new start, for
the organizers' page of failures.

Topics written today (by ``nominee.receivers``):

- ``notification.created``: ``{"notification_id"}``, for email to follow.
- ``award.granted``, ``award.revoked``, ``award.expired``: ``{"award_id",
  "verification_id", "member_id"}``, for webhooks.
- ``integrity.scan``: ``{"cycle_id"}`` (None: the default window), the integrity scan
  as a job (``nominee.integrity.services.request_rescan``).
- ``feeds.poll``: ``{"feed_id"}`` (None: every feed due), polling members' feeds
  (``nominee.imports.services.request_poll``).
- ``imports.csv``: ``{"batch_id"}``, a large CSV file's import
  (``nominee.imports.services.start_import``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, event, inspect, update
from sqlalchemy.orm import Session, SessionTransaction

from nominee import audit, clock
from nominee.accounts.models import User
from nominee.db import flush_row
from nominee.errors import Conflict, NotFound, PermissionDenied
from nominee.i18n import _
from nominee.outbox import rules
from nominee.outbox.models import OutboxMessage

Dispatcher = Callable[[Sequence[int]], None]

_PENDING = "outbox_pending"
_dispatchers: list[Dispatcher] = []

log = logging.getLogger("nominee.outbox")


def put(session: Session, topic: str, payload: dict[str, Any]) -> OutboxMessage:
    """Write a message for ``topic`` in the current transaction (flushed, not committed;
    flushed later inside ``db.batched_writes``)."""
    message = OutboxMessage(topic=topic, payload=payload)
    session.add(message)
    flush_row(session)
    session.info.setdefault(_PENDING, []).append(message)
    return message


def settle(session: Session, topic: str | None = None) -> int:
    """Mark the messages still waiting (of ``topic``, or all) as handed on, sending
    nothing: for history written after the fact, such as the demo's past cycles, whose
    mail was "sent" when it happened. How many there were."""
    stmt = (
        update(OutboxMessage)
        .where(OutboxMessage.dispatched_at.is_(None), OutboxMessage.failed_at.is_(None))
        .values(dispatched_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    if topic is not None:
        stmt = stmt.where(OutboxMessage.topic == topic)
    return cast("CursorResult[Any]", session.execute(stmt)).rowcount


def retry(session: Session, actor: User, message_id: int) -> OutboxMessage:
    """Send ``message_id`` again now, with a full set of attempts (the count starts over
    at 0; the last error stays shown until it is sent). Audited as ``outbox.retried``
    with the attempts and error it had; handed on to the dispatchers after commit."""
    if not rules.can_retry(actor):
        raise PermissionDenied(_("Only organizers retry mail."))
    message = session.get(OutboxMessage, message_id, with_for_update=True)
    if message is None:
        raise NotFound(_("No such message."))
    if message.dispatched_at is not None:
        raise Conflict(_("This message has been sent in the meantime."))
    before = {
        "attempts": message.attempts,
        "failed_at": message.failed_at,
        "last_error": message.last_error,
    }
    message.failed_at = None
    message.attempts = 0
    message.available_at = clock.now()
    message.locked_by = None
    message.locked_until = None
    session.flush()
    audit.record(
        session,
        actor,
        "outbox.retried",
        message,
        before=before,
        after={"attempts": 0, "topic": message.topic},
    )
    session.info.setdefault(_PENDING, []).append(message)
    return message


def add_dispatcher(dispatcher: Dispatcher) -> None:
    """Call ``dispatcher(ids)`` after every commit that wrote outbox messages."""
    if dispatcher not in _dispatchers:
        _dispatchers.append(dispatcher)


def remove_dispatcher(dispatcher: Dispatcher) -> None:
    if dispatcher in _dispatchers:
        _dispatchers.remove(dispatcher)


def _committed_ids(session: Session) -> list[int]:
    """The ids of the messages this transaction wrote and kept: a message written in a
    savepoint that rolled back was expunged (or lost its identity) with it."""
    ids = []
    for message in session.info.pop(_PENDING, []):
        state = inspect(message)
        if state.persistent and state.session is session and state.identity is not None:
            ids.append(state.identity[0])
    return ids


@event.listens_for(Session, "after_commit")
def _hand_on(session: Session) -> None:
    # A savepoint's release is a commit for SQLAlchemy too: only the outermost counts.
    if session.in_nested_transaction() or not session.info.get(_PENDING):
        return
    ids = _committed_ids(session)
    if not ids:
        return
    for dispatcher in list(_dispatchers):
        try:
            dispatcher(ids)
        except Exception:
            log.exception("outbox dispatcher %r failed; messages %s stay due", dispatcher, ids)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    # The outermost transaction ended: committed (handed on above) or rolled back.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
