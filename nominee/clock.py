"""The programme's one clock for "today": the UTC date, which the date rules read.

``as_of(day)`` sets it for the code inside, so that seeding history (the demo builds
cycles that ran weeks ago) goes through the same rules as a member on that day would.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date

from nominee.db import utcnow

_as_of: ContextVar[date | None] = ContextVar("nominee_as_of", default=None)


def today() -> date:
    """Today in UTC, or the day set by ``as_of``."""
    return _as_of.get() or utcnow().date()


@contextmanager
def as_of(day: date) -> Iterator[None]:
    token = _as_of.set(day)
    try:
        yield
    finally:
        _as_of.reset(token)
