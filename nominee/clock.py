"""The one clock: every domain asks here for "now" and "today", in UTC.

Tests freeze it (``freeze``) instead of patching functions module by module; the
programme's own time zone for dates shown to people is a display matter.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

_frozen: datetime | None = None


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def today() -> date:
    """Today's date in UTC."""
    return now().date()


@contextmanager
def freeze(moment: datetime | date) -> Iterator[None]:
    """Stop the clock at ``moment`` (a date means its midnight UTC) for the block."""
    global _frozen
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    elif moment.tzinfo is None:
        raise ValueError("freeze() needs a timezone-aware datetime")
    previous, _frozen = _frozen, moment.astimezone(UTC)
    try:
        yield
    finally:
        _frozen = previous
