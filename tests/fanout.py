"""Run publishing's fan-out inline: the ``cycle.published`` messages waiting in the
outbox, in the test's session (the worker runs them after commit in production)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from nominee import clock
from nominee.awards.services import RESULTS_TOPIC, fan_out_results
from nominee.outbox.models import OutboxMessage


def run_fanout(session: Session) -> int:
    """Fan out every waiting publication; how many there were."""
    waiting = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.topic == RESULTS_TOPIC, OutboxMessage.dispatched_at.is_(None))
        .order_by(OutboxMessage.id)
    ).all()
    for message in waiting:
        fan_out_results(session, message.payload["cycle_id"])
        message.dispatched_at = clock.now()
    session.flush()
    return len(waiting)
