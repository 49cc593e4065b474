"""The one clock: every domain asks here for "now" and "today", in UTC.

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

_as_of: ContextVar[datetime | None] = ContextVar("nominee_as_of", default=None)


def now() -> datetime:
    """The current time, timezone-aware UTC, or the moment set by ``as_of``."""
    return _as_of.get() or datetime.now(UTC)


def today() -> date:
    """Today in UTC, or the day set by ``as_of``."""
    return now().date()


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
