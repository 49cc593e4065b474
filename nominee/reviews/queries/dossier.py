"""Everything a reviewer needs to judge one nomination, each part in one query.

The evidence, the endorsements the nominee received in the look-back window and from
whom (flagging endorsers the nominee endorsed back, the usual sign of a trading ring),
their other nominations and their awards. (Their activity over the window is their
member page's chart, ``contributions.queries.member_activity``: reviewers and organizers
see private contributions too, DESIGN: "seen only by its owner, reviewers and
organizers".)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, Select, bindparam, func, select
from sqlalchemy.orm import Session, joinedload

from nominee.accounts.models import User
from nominee.awards.models import Award
from nominee.cycles.models import Cycle, CycleStatus
from nominee.endorsements.models import Endorsement
from nominee.i18n import _
from nominee.nominations.models import Nomination
from nominee.nominations.queries import EvidenceItem, panel_evidence
from nominee.nominations.rules import DECISIONS, sees_decision
from nominee.reviews.queries.conflicts import active_in_window, conflicted_in_cycles, window
from nominee.sharedcache import SharedCache

ENDORSERS_SHOWN = 50
ENDORSEMENTS_SCANNED = 1000
# How long a tally is kept at most (as long as a member's figures): a change to the
# nominee's endorsements makes a new key at once.
TALLY_SECONDS = 600.0


def evidence(session: Session, nomination: Nomination) -> list[EvidenceItem]:
    """As the panel judges it: the copy taken as the nomination went into review."""
    return panel_evidence(session, nomination.id)


@dataclass(frozen=True)
class Endorser:
    user_id: int
    name: str
    endorsements: int
    last: datetime
    endorsed_back: bool  # the nominee endorsed this person too, inside the window
    name_holders: int = 1  # accounts bearing this name (see ``User.name_holders``)


@dataclass(frozen=True)
class Endorsements:
    endorsers: list[Endorser]  # the most frequent first, at most ENDORSERS_SHOWN
    distinct: int
    total: int

    @property
    def capped(self) -> bool:
        """Only the latest ENDORSEMENTS_SCANNED were summarised (there may be more)."""
        return self.total >= ENDORSEMENTS_SCANNED


def endorsements_received(
    session: Session, nominee: User, cycle: Cycle, cache: SharedCache | None = None
) -> Endorsements:
    """Active endorsements the nominee received inside the look-back window, by endorser.

    The most endorsed members take a handful of thousands of endorsements a year: the
    summary covers the latest ``ENDORSEMENTS_SCANNED`` of them (newest first along
    ``ix_endorsements_endorsee_created``), so the page costs the same for everybody.

    The tally (who, how many times, when last) changes only with the endorsements the
    nominee received, so ``cache`` keeps it under their ``activity_version``; the
    endorsers' names, and whether the nominee endorsed them back (the nominee's own
    endorsements, which leave their version alone), are read again every time: one
    query either way.
    """
    key = (
        f"endorsements-received:{nominee.id}:{nominee.activity_version}:"
        f"{cycle.lookback_start}:{cycle.nominations_close_on}"
    )
    kept = cache.get(key) if cache is not None else None
    if kept is not None:
        return _named(session, nominee.id, cycle, kept)
    found = _received(session, nominee.id, cycle)
    if cache is not None:
        cache.set(key, _tally(found), TALLY_SECONDS)
    return found


def _tally(found: Endorsements) -> list[Any]:
    """What is kept of a summary: its counts and, per endorser, id, times and last."""
    return [
        found.distinct,
        found.total,
        [[e.user_id, e.endorsements, e.last.isoformat()] for e in found.endorsers],
    ]


def _named(session: Session, nominee_id: int, cycle: Cycle, kept: list[Any]) -> Endorsements:
    """A kept tally with its endorsers' names and whether the nominee endorsed them back,
    in one query (an endorser whose account is gone since is left out)."""
    distinct, total, tally = kept
    start, end = window(cycle)
    people = {
        row.id: row
        for row in session.execute(
            _names(),
            {
                "ids": [user_id for user_id, _times, _last in tally],
                "nominee_id": nominee_id,
                "window_from": start,
                "window_until": end,
            },
        )
    }
    return Endorsements(
        [
            Endorser(
                user_id,
                people[user_id].display_name,
                times,
                datetime.fromisoformat(last),
                bool(people[user_id].endorsed_back),
                people[user_id].name_holders,
            )
            for user_id, times, last in tally
            if user_id in people
        ],
        distinct=distinct,
        total=total,
    )


@cache
def _names() -> Select[*tuple[Any, ...]]:
    """``_named``'s query, the endorsers, the nominee and the window as parameters: built
    once (a reviewer's page asks it every time; building it took longer than its answer).
    The window as ``active_in_window`` reads it."""
    ids = bindparam("ids", expanding=True, type_=Integer)
    given = select(Endorsement.endorsee_id).where(
        Endorsement.endorser_id == bindparam("nominee_id"),
        Endorsement.endorsee_id.in_(ids),
        Endorsement.withdrawn_at.is_(None),
        Endorsement.created_at >= bindparam("window_from"),
        Endorsement.created_at < bindparam("window_until"),
    )
    return select(
        User.id,
        User.display_name,
        User.name_holders,
        User.id.in_(given).label("endorsed_back"),
    ).where(User.id.in_(ids))


def _received(session: Session, nominee_id: int, cycle: Cycle) -> Endorsements:
    """The summary, names and all, in one query."""
    recent = (
        select(Endorsement.endorser_id, Endorsement.created_at)
        .where(Endorsement.endorsee_id == nominee_id, active_in_window(cycle))
        .order_by(Endorsement.created_at.desc())
        .limit(ENDORSEMENTS_SCANNED)
        .subquery("recent")
    )
    times = func.count()
    last = func.max(recent.c.created_at)
    top = (
        select(
            recent.c.endorser_id,
            times.label("times"),
            last.label("last"),
            func.count().over().label("distinct"),
            func.sum(times).over().label("total"),
        )
        .group_by(recent.c.endorser_id)
        .order_by(times.desc(), last.desc(), recent.c.endorser_id)
        .limit(ENDORSERS_SHOWN)
        .subquery("top")
    )
    given = (
        select(Endorsement.endorsee_id)
        .where(Endorsement.endorser_id == nominee_id, active_in_window(cycle))
        .group_by(Endorsement.endorsee_id)
        .subquery("given")
    )
    rows = session.execute(
        select(
            top.c.endorser_id,
            User.display_name,
            User.name_holders,
            top.c.times,
            top.c.last,
            top.c.distinct,
            top.c.total,
            given.c.endorsee_id.label("endorsed_back"),
        )
        .join(User, User.id == top.c.endorser_id)
        .outerjoin(given, given.c.endorsee_id == top.c.endorser_id)
        .order_by(top.c.times.desc(), top.c.last.desc(), top.c.endorser_id)
    ).all()
    if not rows:
        return Endorsements([], 0, 0)
    return Endorsements(
        [
            Endorser(
                row.endorser_id,
                row.display_name,
                row.times,
                row.last,
                row.endorsed_back is not None,
                row.name_holders,
            )
            for row in rows
        ],
        distinct=rows[0].distinct,
        total=int(rows[0].total),
    )


@dataclass(frozen=True)
class PastNomination:
    nomination: Nomination
    outcome: str  # the status, or "Decided, not yet published" for a reviewer
    feedback: str  # the decision's feedback for the nominee, once published


def other_nominations(
    session: Session, nomination: Nomination, viewer: User
) -> list[PastNomination]:
    """The nominee's other nominations; decisions only where the viewer may know them
    (``nominee.nominations.rules.sees_decision``: an organizer is asked, in one query,
    which of the undisclosed ones they are conflicted on)."""
    found = session.scalars(
        _other_nominations(),
        {"nominee_id": nomination.nominee_id, "nomination_id": nomination.id},
    ).all()
    undisclosed = {
        other.cycle_id: other.cycle
        for other in found
        if other.status in DECISIONS and other.cycle.status is not CycleStatus.PUBLISHED
    }
    conflicted: set[int] = set()
    if viewer.is_organizer and undisclosed:
        conflicted = set(conflicted_in_cycles(session, list(undisclosed.values()), viewer.id))
    past = []
    for other in found:
        decided = other.status in DECISIONS
        known = sees_decision(viewer, other, conflicted=other.id in conflicted)
        past.append(
            PastNomination(
                other,
                _("Decided, not yet published") if decided and not known else other.status.label,
                other.decision_feedback if decided and known else "",
            )
        )
    return past


@cache
def _other_nominations() -> Select[*tuple[Any, ...]]:
    """``other_nominations``' query, its ids as parameters: built once, as ``_names``."""
    return (
        select(Nomination)
        .where(
            Nomination.nominee_id == bindparam("nominee_id"),
            Nomination.id != bindparam("nomination_id"),
        )
        .options(joinedload(Nomination.cycle), joinedload(Nomination.category))
        .order_by(Nomination.created_at.desc(), Nomination.id.desc())
    )


def awards(session: Session, member_id: int) -> Sequence[Award]:
    return session.scalars(_awards(), {"member_id": member_id}).all()


@cache
def _awards() -> Select[*tuple[Any, ...]]:
    """``awards``' query, the member as a parameter: built once, as ``_names``."""
    return (
        select(Award)
        .where(Award.member_id == bindparam("member_id"))
        .options(joinedload(Award.category), joinedload(Award.cycle))
        .order_by(Award.starts_on.desc(), Award.id.desc())
    )
