"""Two ticks at once (two hosts): each due moment runs once (real commits)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nominee.db import Base
from nominee.nominations.models import NominationKind, NominationStatus
from nominee.notifications.models import Notification
from nominee.schedule import services
from nominee.schedule.models import ScheduledRun
from tests.factories import Factory

DAY = date(2026, 1, 10)
NOW = datetime(2026, 1, 10, 9, tzinfo=UTC)


def test_two_ticks_at_once_run_each_moment_once(engine, committing_app):
    app = committing_app
    try:
        with Session(engine, expire_on_commit=False) as session:
            make = Factory(session)
            cycle = make.cycle(
                nominations_open_on=DAY - timedelta(days=20), nominations_close_on=DAY
            )
            for _ in range(3):
                make.nomination(
                    cycle, kind=NominationKind.PEER, status=NominationStatus.AWAITING_ACCEPTANCE
                )
            session.commit()
        with app.app_context():
            first = Session(engine)
            ran_first = services.tick(first, NOW)
            assert f"remind-nominees:{cycle.id}" in ran_first
            first.flush()  # the first tick holds its work, not yet committed
            ran_second: list[list[str]] = []

            def second_tick() -> None:
                with app.app_context(), Session(engine) as second:
                    ran_second.append(services.tick(second, NOW))
                    second.commit()

            other = threading.Thread(target=second_tick)
            other.start()
            time.sleep(0.5)  # the second tick reaches the lock while the first holds it
            first.commit()
            first.close()
            other.join(timeout=60)
        # PostgreSQL: the second did not get the lock; SQLite: it waited, then found
        # every key taken. Either way it ran nothing.
        assert ran_second == [[]]
        with Session(engine) as session:
            assert session.scalar(select(func.count(Notification.id))) == 3
            assert session.scalar(select(func.count(ScheduledRun.id))) == len(ran_first)
    finally:
        with engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
