"""Publishing fans out in batches after the request; a batch run again tells nobody twice."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from nominee.awards import services
from nominee.cycles.models import CycleStatus
from nominee.nominations.models import Decision, NominationStatus
from nominee.notifications.models import Notification
from nominee.outbox.models import OutboxMessage
from tests.awards.helpers import move
from tests.fanout import run_fanout

pytestmark = pytest.mark.usefixtures("app_context")


def told(db) -> int:
    return db.scalar(select(func.count(Notification.id)))


def test_publishing_writes_one_message_and_the_batches_tell_everyone_once(make, db):
    cycle = make.cycle(status=CycleStatus.DECIDED)
    for _ in range(5):
        make.nomination(cycle, status=NominationStatus.AWARDED, decision=Decision.AWARD)
    move(db, cycle, CycleStatus.PUBLISHED)
    assert told(db) == 0
    [message] = db.scalars(
        select(OutboxMessage).where(OutboxMessage.topic == services.RESULTS_TOPIC)
    ).all()
    assert message.payload == {"cycle_id": cycle.id}
    after = services.notify_results(db, cycle.id, 0, limit=2)
    assert told(db) == 2
    # The same batch again (a retried job): recorded, so nobody is told twice.
    assert services.notify_results(db, cycle.id, 0, limit=2) == after
    assert told(db) == 2
    after = services.notify_results(db, cycle.id, after, limit=2)
    after = services.notify_results(db, cycle.id, after, limit=2)
    assert told(db) == 5
    assert services.notify_results(db, cycle.id, after, limit=2) is None
    # Each notification has its own outbox message, for its mail.
    assert (
        db.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.topic == "notification.created"
            )
        )
        == 5
    )


def test_the_inline_runner_fans_out_what_waits(make, db):
    cycle = make.cycle(status=CycleStatus.DECIDED)
    make.nomination(cycle, status=NominationStatus.DECLINED, decision=Decision.DECLINE)
    move(db, cycle, CycleStatus.PUBLISHED)
    assert run_fanout(db) == 1
    assert told(db) == 1
    assert run_fanout(db) == 0
