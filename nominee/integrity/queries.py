"""Reads for the integrity scan (lean: plain columns into arrays, no ORM objects) and
for the pages (the stored results only)."""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Integer, cast, func, select
from sqlalchemy.orm import Session

from nominee import clock
from nominee.accounts.models import User
from nominee.contributions.models import Contribution, Visibility
from nominee.cycles.models import Cycle, CycleStatus, add_months
from nominee.endorsements.models import Endorsement
from nominee.integrity import rules
from nominee.integrity.models import IntegrityResult, IntegrityReview, IntegrityScan

CHUNK = 50_000


@dataclass(frozen=True)
class ScanWindow:
    since: date
    until: date  # inclusive
    cycle_id: int | None = None

    @property
    def start(self) -> datetime:
        return datetime.combine(self.since, time.min, UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.until + timedelta(days=1), time.min, UTC)

    def as_dict(self) -> dict[str, object]:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "cycle_id": self.cycle_id,
        }


def cycle_window(cycle: Cycle) -> ScanWindow:
    return ScanWindow(cycle.lookback_start, cycle.nominations_close_on, cycle.id)


def default_window(session: Session) -> ScanWindow:
    """The window of the cycle in review that closed its nominations last; without one,
    the 12 months up to today."""
    cycle = session.scalars(
        select(Cycle)
        .where(Cycle.status == CycleStatus.IN_REVIEW)
        .order_by(Cycle.nominations_close_on.desc(), Cycle.id.desc())
        .limit(1)
    ).first()
    if cycle is not None:
        return cycle_window(cycle)
    today = clock.today()
    return ScanWindow(add_months(today, -12), today)


def _epoch(session: Session, column: Any) -> ColumnElement[int]:
    if session.get_bind().dialect.name == "sqlite":
        return cast(func.strftime("%s", column), Integer)
    return cast(func.extract("epoch", column), BigInteger)


def _seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def load_graph(session: Session, window: ScanWindow) -> rules.Graph:
    """The window's active endorsements, sorted by recipient and time, in three arrays
    (one SELECT, read in chunks)."""
    endorser, recipient, at = array("q"), array("q"), array("q")
    stmt = (
        select(
            Endorsement.endorser_id,
            Endorsement.endorsee_id,
            _epoch(session, Endorsement.created_at),
        )
        .where(
            Endorsement.withdrawn_at.is_(None),
            Endorsement.created_at >= window.start,
            Endorsement.created_at < window.end,
        )
        .order_by(Endorsement.endorsee_id, Endorsement.created_at)
        .execution_options(yield_per=CHUNK)
    )
    # Core rows, not the ORM's: a third of the time for a million and a half of them.
    result = session.connection().execute(stmt)
    for rows in result.partitions():
        for e, r, t in rows:
            endorser.append(e)
            recipient.append(r)
            at.append(int(t))
    return rules.Graph(endorser, recipient, at)


def load_accounts(session: Session, ids: Iterable[int]) -> dict[int, rules.Account]:
    wanted = set(ids)
    contributing = set(
        session.scalars(
            select(Contribution.owner_id)
            .where(Contribution.visibility == Visibility.PUBLIC)
            .distinct()
        )
    )
    accounts = {}
    rows = session.execute(
        select(
            User.id,
            _epoch(session, User.created_at),
            User.email_verified_at.is_not(None),
            User.display_name,
        )
    )
    for uid, created, verified, name in rows:
        if uid in wanted:
            accounts[uid] = rules.Account(int(created), bool(verified), uid in contributing, name)
    return accounts


def closes_in(session: Session, window: ScanWindow) -> list[int]:
    """The moments nominations closed (the end of each close day) inside the window."""
    days = session.scalars(
        select(Cycle.nominations_close_on).where(
            Cycle.nominations_close_on >= window.since,
            Cycle.nominations_close_on <= window.until,
        )
    )
    return sorted(
        _seconds(datetime.combine(day + timedelta(days=1), time.min, UTC)) for day in days
    )


def standing_reviews(session: Session) -> dict[int, IntegrityReview]:
    """The latest review per member."""
    reviews: dict[int, IntegrityReview] = {}
    for review in session.scalars(
        select(IntegrityReview).order_by(
            IntegrityReview.member_id, IntegrityReview.created_at, IntegrityReview.id
        )
    ):
        reviews[review.member_id] = review
    return reviews


# ---- pages -------------------------------------------------------------------------


def latest_scan(session: Session) -> IntegrityScan | None:
    return session.scalars(
        select(IntegrityScan)
        .where(IntegrityScan.finished_at.is_not(None))
        .order_by(IntegrityScan.id.desc())
        .limit(1)
    ).first()


def result_for(session: Session, user_id: int) -> IntegrityResult | None:
    return session.get(IntegrityResult, user_id)


def latest_review(session: Session, user_id: int) -> IntegrityReview | None:
    return session.scalars(
        select(IntegrityReview)
        .where(IntegrityReview.member_id == user_id)
        .order_by(IntegrityReview.created_at.desc(), IntegrityReview.id.desc())
        .limit(1)
    ).first()


def flagged_members(session: Session) -> list[tuple[IntegrityResult, User]]:
    """Members flagged by the latest scan, and members whose flag an organizer reviewed,
    highest score first, with their accounts (one query)."""
    rows = session.execute(
        select(IntegrityResult, User)
        .join(User, User.id == IntegrityResult.user_id)
        .where(IntegrityResult.flagged.is_(True) | IntegrityResult.verdict.is_not(None))
        .order_by(IntegrityResult.score.desc(), IntegrityResult.user_id)
    )
    return [(result, user) for result, user in rows]
