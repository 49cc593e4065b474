"""A cycle's dates are days of the programme's time zone (PROGRAMME_TIME_ZONE): "today"
for opening and closing nominations is the programme's local date, and pages name the
zone next to the dates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from nominee import clock, i18n
from nominee.cycles import rules as cycle_rules
from nominee.cycles.models import CycleStatus
from nominee.nominations import rules as nomination_rules
from nominee.schedule import services as schedule

CLOSE = date(2026, 12, 31)
# Madrid is UTC+1 in winter: its midnight ending 31 Dec is 23:00 UTC.
LAST_MINUTE = datetime(2026, 12, 31, 22, 59, tzinfo=UTC)
MIDNIGHT_MADRID = datetime(2026, 12, 31, 23, 0, tzinfo=UTC)


@pytest.fixture
def madrid(app) -> Iterator[str]:
    i18n.set_programme_time_zone("Europe/Madrid")
    yield "Europe/Madrid"
    i18n.set_programme_time_zone(app.config["PROGRAMME_TIME_ZONE"])


def test_programme_today_is_the_local_date(madrid):
    with clock.as_of(LAST_MINUTE):
        assert clock.today() == CLOSE
        assert clock.programme_today() == CLOSE
    with clock.as_of(MIDNIGHT_MADRID):
        assert clock.today() == CLOSE  # still 31 Dec in UTC...
        assert clock.programme_today() == date(2027, 1, 1)  # ...but 1 Jan in Madrid


def test_programme_today_follows_the_setting(app):
    with clock.as_of(MIDNIGHT_MADRID):
        assert i18n.programme_time_zone() == "UTC"
        assert clock.programme_today() == CLOSE
    i18n.set_programme_time_zone("Pacific/Auckland")  # UTC+13 in December
    try:
        with clock.as_of(datetime(2026, 12, 30, 11, 0, tzinfo=UTC)):
            assert clock.programme_today() == CLOSE
    finally:
        i18n.set_programme_time_zone("UTC")


def test_a_cycle_closes_at_midnight_madrid_time(madrid, make):
    cycle = make.cycle(
        status=CycleStatus.OPEN,
        nominations_open_on=date(2026, 12, 1),
        nominations_close_on=CLOSE,
        review_close_on=date(2027, 1, 31),
    )
    with clock.as_of(LAST_MINUTE):
        assert nomination_rules.why_not_nominate(cycle) is None
        assert cycle_rules.scheduled_move(cycle, clock.programme_today()) is None
    with clock.as_of(MIDNIGHT_MADRID):
        refusal = nomination_rules.why_not_nominate(cycle)
        assert refusal is not None
        assert refusal.message == (
            "Nominations can only be made from 1 Dec 2026 to 31 Dec 2026 (Europe/Madrid)."
        )
        assert cycle_rules.scheduled_move(cycle, clock.programme_today()) is CycleStatus.IN_REVIEW


def test_the_scheduler_moves_the_cycle_on_the_programme_s_day(madrid, make, db):
    cycle = make.cycle(
        status=CycleStatus.OPEN,
        moves_automatically=True,
        nominations_open_on=date(2026, 12, 1),
        nominations_close_on=CLOSE,
        review_close_on=date(2027, 1, 31),
    )
    schedule.tick(db, now=LAST_MINUTE)
    assert cycle.status is CycleStatus.OPEN
    schedule.tick(db, now=MIDNIGHT_MADRID)
    assert cycle.status is CycleStatus.IN_REVIEW


def test_the_cycle_page_names_the_programme_zone(madrid, make, auth, client):
    organizer = make.organizer()
    cycle = make.cycle(
        status=CycleStatus.OPEN,
        nominations_open_on=date(2026, 12, 1),
        nominations_close_on=CLOSE,
        review_close_on=date(2027, 1, 31),
    )
    auth.login(organizer)
    page = client.get(f"/cycles/{cycle.id}").text
    assert "1 Dec 2026 – 31 Dec 2026 (Europe/Madrid)" in page
    assert "31 Jan 2027 (Europe/Madrid)" in page
