"""Publishing's fan-out: the ``cycle.published`` outbox message's handler tells every
nominee and nominator of the cycle, in batches (``services.notify_results``).

The publish request only creates the awards and writes the one message; this runs
after its commit, in the worker (``flask worker``) or the in-process runner. Each batch
commits on its own, with its notifications and their ``notification.created`` messages
(whose mail follows), and is recorded with them: a worker killed midway leaves the
message due, and the next claim goes on from the first batch not recorded.

The sender gives a handler a session whose writes are rolled back (the sender's
handlers only build mail), so the batches use sessions of their own on its connection
pool and return no mail.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

from sqlalchemy.orm import Session

from nominee import db
from nominee.awards import services
from nominee.awards.services import RESULTS_TOPIC

Handler = Callable[[Session, dict[str, Any]], list[EmailMessage]]


def handle(topic: str) -> Callable[[Handler], Handler]:
    """``nominee.outbox.sender.handle``; a no-op in a checkout without the sender yet
    (merge: import it directly)."""
    try:
        sender = importlib.import_module("nominee.outbox.sender")
    except ModuleNotFoundError:
        return lambda handler: handler
    register: Callable[[Handler], Handler] = sender.handle(topic)
    return register


def fan_out(session: Session, payload: dict[str, Any]) -> None:
    """Every batch of ``payload``'s cycle, in ``session`` (flushed, not committed)."""
    after: int | None = 0
    while after is not None:
        after = services.notify_results(session, payload["cycle_id"], after)


@handle(RESULTS_TOPIC)
def on_cycle_published(session: Session, payload: dict[str, Any]) -> list[EmailMessage]:
    """The handler: each batch in a transaction of its own, committed; no mail itself."""
    token = db.read_only.set(False)  # the batches write: SQLite begins IMMEDIATE
    try:
        after: int | None = 0
        while after is not None:
            with Session(bind=session.get_bind(), expire_on_commit=False) as batch:
                after = services.notify_results(batch, payload["cycle_id"], after)
                batch.commit()
    finally:
        db.read_only.reset(token)
    return []
