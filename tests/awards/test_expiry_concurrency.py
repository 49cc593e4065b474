"""``expire-awards`` run on two hosts at once expires each award once (real commits)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nominee.audit import AuditEvent
from nominee.awards.models import Award, AwardStatus
from nominee.awards.services import expire_awards
from nominee.db import Base
from tests.factories import Factory


def test_two_expiry_runs_at_once_expire_each_award_once(engine):
    try:
        with Session(engine, expire_on_commit=False) as session:
            award = Factory(session).award()
            session.commit()
        day = award.ends_on + timedelta(days=1)
        first = Session(engine)
        assert expire_awards(first, day) == 1
        first.flush()  # the first run holds its change, not yet committed
        second_count: list[int] = []

        def second_run() -> None:
            with Session(engine) as second:
                second_count.append(expire_awards(second, day))
                second.commit()

        other = threading.Thread(target=second_run)
        other.start()
        time.sleep(0.5)  # the second run reaches the award while the first holds it
        first.commit()
        first.close()
        other.join(timeout=60)
        assert second_count == [0]
        with Session(engine) as session:
            assert session.get(Award, award.id).status is AwardStatus.EXPIRED
            assert (
                session.scalar(
                    select(func.count(AuditEvent.id)).where(AuditEvent.action == "award.expired")
                )
                == 1
            )
    finally:
        with engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
