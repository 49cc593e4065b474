"""One clock for every domain, frozen by a fixture instead of patched function by function."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from nominee import clock
from nominee.cycles.models import CycleStatus


def test_the_clock_is_utc_and_freezes(freeze_clock):
    assert clock.now().tzinfo is UTC
    freeze_clock(datetime(2027, 1, 10, 23, 30, tzinfo=UTC))
    assert clock.now() == datetime(2027, 1, 10, 23, 30, tzinfo=UTC)
    assert clock.today() == date(2027, 1, 10)
    freeze_clock(date(2027, 2, 1))
    assert clock.now() == datetime(2027, 2, 1, tzinfo=UTC)


def test_a_page_follows_the_frozen_clock(client, auth, db, make, freeze_clock):
    """A draft cycle can be opened up to its nominations close date, not a day later:
    the same cycle and the same page, the clock a day apart."""
    organizer = make.organizer()
    close = date(2027, 3, 31)
    cycle = make.cycle(
        status=CycleStatus.DRAFT,
        nominations_open_on=close - timedelta(days=30),
        nominations_close_on=close,
        review_close_on=close + timedelta(days=30),
    )
    auth.login(organizer)
    url = f"/cycles/{cycle.id}/status/open"
    freeze_clock(close + timedelta(days=1))
    late = client.post(url, data={"version": cycle.version})
    assert late.status_code == 400
    assert "Its nominations closed on 31 Mar 2027" in late.get_data(as_text=True)
    freeze_clock(close)
    assert client.post(url, data={"version": cycle.version}).status_code == 302
    db.refresh(cycle)
    assert cycle.status is CycleStatus.OPEN
