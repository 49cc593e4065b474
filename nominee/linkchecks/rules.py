"""When a link is broken, and who may ask for a check. Pure."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from nominee.accounts.models import User
from nominee.contributions.models import Contribution

GONE = frozenset({404, 410})
# A failure (no answer, a 5xx) breaks a link when it comes again this long after the first.
FAILING_APART = timedelta(days=1)
# The daily run checks a link again once its last check is this old.
RECHECK_AFTER = timedelta(hours=20)


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


def can_request_check(user: User, contribution: Contribution) -> bool:
    """The owner asks for their contribution's link to be checked now."""
    return contribution.owner_id == user.id and bool(contribution.url)


@dataclass(frozen=True)
class Outcome:
    """What a check got: a status code, or an error (no answer)."""

    status_code: int | None
    error: str | None = None

    @property
    def gone(self) -> bool:
        return self.status_code in GONE

    @property
    def failed(self) -> bool:
        """No answer, or a server error: maybe passing; broken when it lasts a day."""
        return self.status_code is None or self.status_code >= 500

    @property
    def good(self) -> bool:
        """The page answered: 2xx and 3xx, and 4xx other than 404 and 410 (401, 403 or
        429 say the page is there but keeps robots out)."""
        return not self.gone and not self.failed


@dataclass(frozen=True)
class State:
    failing_since: datetime | None
    failures: int
    broken_since: datetime | None


def judge(before: State, outcome: Outcome, now: datetime) -> State:
    """The link's state after ``outcome`` at ``now``."""
    if outcome.good:
        return State(None, 0, None)
    failing_since = before.failing_since or now
    failures = before.failures + 1
    broken_since = before.broken_since
    if broken_since is None:
        if outcome.gone:
            broken_since = now
        elif failures >= 2 and now - failing_since >= FAILING_APART:
            broken_since = failing_since
    return State(failing_since, failures, broken_since)
