"""Conflicts of interest between reviewers and nominations: detected, not only declared.

A reviewer is conflicted on a nomination when they are its nominee or its nominator,
when they endorsed the nominee or were endorsed by the nominee inside the cycle's
look-back window (active endorsements, dated by ``Endorsement.created_at``), or when
they declared a conflict with a reason.

The rule has two forms, kept side by side so they cannot drift apart:

- ``find_conflicts`` gives the causes in words for many nominations times many
  reviewers in three queries (assignment pages, auto-assignment, refusals);
- ``visible_to`` is a SQL condition on ``Nomination`` for one reviewer, so the review
  queue and its counts leave conflicted rows out without loading them. Its endorsement
  tests are uncorrelated ``NOT IN`` subqueries: the database builds the set of people
  the reviewer endorsed (``ix_endorsements_endorser_created``) or was endorsed by
  (``ix_endorsements_endorsee_created``) once per query, instead of probing per row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from nominee.cycles.models import Cycle
from nominee.endorsements.models import Endorsement
from nominee.nominations.models import Nomination
from nominee.reviews.models import ConflictDeclaration
from nominee.templating import format_date


@dataclass(frozen=True)
class Cause:
    kind: str  # nominee, nominator, endorsed, endorsed_by, declared
    text: str

    def __str__(self) -> str:
        return self.text


Conflicts = dict[tuple[int, int], list[Cause]]
"""Causes by ``(nomination_id, reviewer_id)``; a pair that is absent is not conflicted."""


def window(cycle: Cycle) -> tuple[datetime, datetime]:
    """The look-back window as a half-open UTC interval: whole days, both ends included."""
    start = datetime.combine(cycle.lookback_start, time.min, UTC)
    end = datetime.combine(cycle.nominations_close_on + timedelta(days=1), time.min, UTC)
    return start, end


def active_in_window(cycle: Cycle) -> ColumnElement[bool]:
    start, end = window(cycle)
    return and_(
        Endorsement.withdrawn_at.is_(None),
        Endorsement.created_at >= start,
        Endorsement.created_at < end,
    )


def visible_to(cycle: Cycle, reviewer_id: int) -> ColumnElement[bool]:
    """True for the nominations of ``cycle`` that ``reviewer_id`` is not conflicted on."""
    in_window = active_in_window(cycle)
    endorsed = select(Endorsement.endorsee_id).where(
        Endorsement.endorser_id == reviewer_id, in_window
    )
    endorsed_by = select(Endorsement.endorser_id).where(
        Endorsement.endorsee_id == reviewer_id, in_window
    )
    declared = select(ConflictDeclaration.nomination_id).where(
        ConflictDeclaration.reviewer_id == reviewer_id
    )
    return and_(
        Nomination.nominee_id != reviewer_id,
        or_(Nomination.nominator_id.is_(None), Nomination.nominator_id != reviewer_id),
        Nomination.id.not_in(declared),
        Nomination.nominee_id.not_in(endorsed),
        Nomination.nominee_id.not_in(endorsed_by),
    )


def _times(count: int, last: datetime) -> str:
    when = format_date(last)
    return f"on {when}" if count == 1 else f"{count} times, most recently on {when}"


def find_conflicts(
    session: Session,
    cycle: Cycle,
    reviewer_ids: Iterable[int],
    nomination_ids: Iterable[int] | None = None,
) -> Conflicts:
    """Every conflict between these reviewers and the cycle's nominations (or those given)."""
    reviewers = set(reviewer_ids)
    nominations = select(Nomination.id, Nomination.nominee_id, Nomination.nominator_id).where(
        Nomination.cycle_id == cycle.id
    )
    if nomination_ids is not None:
        nominations = nominations.where(Nomination.id.in_(list(nomination_ids)))
    if not reviewers:
        return {}
    conflicts: Conflicts = defaultdict(list)
    by_nominee: dict[int, list[int]] = defaultdict(list)
    for row in session.execute(nominations):
        by_nominee[row.nominee_id].append(row.id)
        if row.nominee_id in reviewers:
            conflicts[row.id, row.nominee_id].append(Cause("nominee", "is the nominee"))
        if row.nominator_id in reviewers and row.nominator_id != row.nominee_id:
            conflicts[row.id, row.nominator_id].append(Cause("nominator", "nominated the nominee"))
    if not by_nominee:
        return {}

    nominees = nominations.with_only_columns(Nomination.nominee_id)
    endorsements = session.execute(
        select(
            Endorsement.endorser_id,
            Endorsement.endorsee_id,
            func.count().label("times"),
            func.max(Endorsement.created_at).label("last"),
        )
        .where(
            active_in_window(cycle),
            or_(
                and_(Endorsement.endorser_id.in_(reviewers), Endorsement.endorsee_id.in_(nominees)),
                and_(Endorsement.endorsee_id.in_(reviewers), Endorsement.endorser_id.in_(nominees)),
            ),
        )
        .group_by(Endorsement.endorser_id, Endorsement.endorsee_id)
        .order_by(Endorsement.endorser_id, Endorsement.endorsee_id)
    )
    for row in endorsements:
        last = row.last if row.last.tzinfo else row.last.replace(tzinfo=UTC)
        if row.endorser_id in reviewers:
            cause = Cause("endorsed", f"endorsed the nominee {_times(row.times, last)}")
            for nomination_id in by_nominee.get(row.endorsee_id, ()):
                conflicts[nomination_id, row.endorser_id].append(cause)
        if row.endorsee_id in reviewers:
            cause = Cause("endorsed_by", f"was endorsed by the nominee {_times(row.times, last)}")
            for nomination_id in by_nominee.get(row.endorser_id, ()):
                conflicts[nomination_id, row.endorsee_id].append(cause)

    declarations = session.execute(
        select(
            ConflictDeclaration.nomination_id,
            ConflictDeclaration.reviewer_id,
            ConflictDeclaration.reason,
        ).where(
            ConflictDeclaration.reviewer_id.in_(reviewers),
            ConflictDeclaration.nomination_id.in_(nominations.with_only_columns(Nomination.id)),
        )
    )
    for row in declarations:
        conflicts[row.nomination_id, row.reviewer_id].append(
            Cause("declared", f"declared a conflict: {row.reason}")
        )
    return dict(conflicts)


def causes(session: Session, nomination: Nomination, reviewer_id: int) -> list[Cause]:
    """Why ``reviewer_id`` is conflicted on ``nomination`` (empty when they are not)."""
    found = find_conflicts(session, nomination.cycle, [reviewer_id], [nomination.id])
    return found.get((nomination.id, reviewer_id), [])
