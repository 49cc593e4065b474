"""The one clock: every domain asks here for "now" and "today", in UTC.

A cycle's dates are the programme's calendar days, in its time zone
(``PROGRAMME_TIME_ZONE``): ``programme_today()`` is the day it is there, which decides
when nominations open and close, reviews close, and cycles move.

``as_of(moment)`` stops it for the code inside (per thread and task, a context
variable): seeding history (the demo builds cycles that ran weeks ago) goes through the
same rules as a member on that day would, and tests freeze it instead of patching
functions module by module.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime

from nominee import i18n

_as_of: ContextVar[datetime | None] = ContextVar("nominee_as_of", default=None)


def now() -> datetime:
    """The current time, timezone-aware UTC, or the moment set by ``as_of``."""
    return _as_of.get() or datetime.now(UTC)


def today() -> date:
    """Today in UTC, or the day set by ``as_of``."""
    return now().date()


def programme_day(moment: datetime) -> date:
    """The programme's calendar day at ``moment`` (a naive moment is UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(i18n.zone(i18n.programme_time_zone())).date()


def programme_today() -> date:
    """Today in the programme's time zone (``PROGRAMME_TIME_ZONE``), or on the moment
    set by ``as_of``: the day a cycle's dates are read against."""
    return programme_day(now())


@contextmanager
def as_of(moment: date | datetime) -> Iterator[None]:
    """Stop the clock at ``moment`` (a date means its midnight UTC) for the block."""
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    elif moment.tzinfo is None:
        raise ValueError("as_of() needs a timezone-aware datetime")
    token = _as_of.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _as_of.reset(token)
