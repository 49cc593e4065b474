"""The scheduler's step as the worker and ``make run`` run it: a unit of work around the
tick, the daily digests written to the outbox whole and mailed by its sender."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from nominee import clock
from nominee.jobs.handlers import PREPARED_TOPIC, prepared_mail
from nominee.jobs.schedule import due_loop_step
from nominee.notifications.services import notify
from nominee.outbox.models import OutboxMessage
from nominee.schedule.services import DIGEST_HOUR

MORNING = datetime(2031, 3, 2, DIGEST_HOUR, 5, tzinfo=UTC)


def test_the_step_writes_the_digest_to_the_outbox_once_a_day(app, db, make, freeze_clock):
    member = make.user(display_name="Nina")
    talk = make.contribution(member, title="Window functions")
    with clock.as_of(MORNING - timedelta(hours=3)):
        notify(
            db, member.id, "endorsed",
            contribution_id=talk.id, title=talk.title, endorser="Bo",
        )  # fmt: skip
    db.commit()
    freeze_clock(MORNING)

    ran = due_loop_step(app)

    assert "digest:2031-03-02" in ran
    [row] = db.scalars(select(OutboxMessage).where(OutboxMessage.topic == PREPARED_TOPIC)).all()
    [message] = prepared_mail(db, row.payload)
    assert message["To"].addresses[0].addr_spec == member.email
    assert message["Subject"] == "Your Nominee digest: 1 new notification"
    assert "Bo endorsed" in message.get_body(preferencelist=("plain",)).get_content()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    freeze_clock(MORNING + timedelta(hours=2))
    assert not any(key.startswith("digest:") for key in due_loop_step(app))
    assert (
        len(db.scalars(select(OutboxMessage).where(OutboxMessage.topic == PREPARED_TOPIC)).all())
        == 1
    )
