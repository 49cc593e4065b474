"""What the landing page shows a member, and the to-do of reviewers and organizers.

A few cheap queries whatever the size of the programme (the page is benchmarked): the
open cycles, the nominations waiting for the member's answer, and the latest public
contributions of other members (newest ids first, so the primary key serves the order).
A reviewer's to-do is one grouped query over their own assignments; an organizer's is
four (the open cycles' nominations, the cycles whose dates have passed, failed mail,
open appeals).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    Integer,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, joinedload

from nominee.accounts.models import User
from nominee.appeals.queries import OpenAppeals, open_appeals_select
from nominee.contributions.models import Contribution, Visibility
from nominee.cycles import rules as cycle_rules
from nominee.cycles.models import Cycle, CycleStatus
from nominee.nominations.models import Nomination, NominationKind, NominationStatus
from nominee.outbox.models import OutboxMessage
from nominee.reviews.models import Assignment
from nominee.reviews.queries import submitted_review

RECENT_SHOWN = 6
OPEN_CYCLES_SHOWN = 5


@dataclass(frozen=True)
class Landing:
    open_cycles: Sequence[Cycle]
    awaiting: int  # nominations of the member waiting for their answer
    recent: Sequence[Contribution]  # other members' latest public contributions


def landing(session: Session, member: User) -> Landing:
    open_cycles = session.scalars(
        select(Cycle)
        .where(Cycle.status == CycleStatus.OPEN)
        .order_by(Cycle.nominations_close_on, Cycle.id)
        .limit(OPEN_CYCLES_SHOWN)
    ).all()
    awaiting = session.scalar(
        select(func.count(Nomination.id)).where(
            Nomination.nominee_id == member.id,
            Nomination.status == NominationStatus.AWAITING_ACCEPTANCE,
        )
    )
    # The owner's account is checked row by row (EXISTS), newest first, until six are
    # found: joined instead, SQLite first builds a Bloom filter over every account (3 to
    # 50 ms at 20,000 members, against 0.05).
    recent = session.scalars(
        select(Contribution)
        .where(
            Contribution.visibility == Visibility.PUBLIC,
            Contribution.owner_id != member.id,
            exists().where(User.id == Contribution.owner_id, User.is_active_account.is_(True)),
        )
        .options(joinedload(Contribution.owner), joinedload(Contribution.type))
        .order_by(Contribution.id.desc())
        .limit(RECENT_SHOWN)
    ).all()
    return Landing(open_cycles=open_cycles, awaiting=awaiting or 0, recent=recent)


@dataclass(frozen=True)
class ReviewsDue:
    """A reviewer's unfinished assigned reviews in one cycle in review."""

    cycle_id: int
    cycle: str
    count: int
    due_on: date
    next_nomination_id: int  # the first one received that they have not submitted


def reviews_due(session: Session, reviewer: User) -> list[ReviewsDue]:
    """Per cycle in review, the reviewer's assigned nominations still in review without
    their submitted review, soonest deadline first. One query over their assignments."""
    rows = session.execute(
        select(
            Cycle.id,
            Cycle.name,
            Cycle.review_close_on,
            func.count().label("due"),
            func.min(Nomination.id).label("next_id"),
        )
        .select_from(Assignment)
        .join(Nomination, Nomination.id == Assignment.nomination_id)
        .join(Cycle, Cycle.id == Nomination.cycle_id)
        .where(
            Assignment.reviewer_id == reviewer.id,
            Cycle.status == CycleStatus.IN_REVIEW,
            Nomination.status == NominationStatus.IN_REVIEW,
            ~submitted_review(Assignment.nomination_id, Assignment.reviewer_id),
        )
        .group_by(Cycle.id, Cycle.name, Cycle.review_close_on)
        .order_by(Cycle.review_close_on, Cycle.id)
    ).all()
    return [
        ReviewsDue(
            cycle_id=row.id,
            cycle=row.name,
            count=row.due,
            due_on=row.review_close_on,
            next_nomination_id=row.next_id,
        )
        for row in rows
    ]


@dataclass(frozen=True)
class OpenCycleWork:
    """What waits on organizers in an open cycle."""

    cycle_id: int
    cycle: str
    awaiting_acceptance: int  # peer nominations the nominee has not answered
    idle_renewals: int  # renewals flagged "No activity"


@dataclass(frozen=True)
class OverdueCycle:
    """A cycle whose dates have passed and that waits for an organizer."""

    cycle: Cycle
    days: int  # since the date that passed
    next_status: CycleStatus  # the move it waits for


@dataclass(frozen=True)
class OrganizerTodo:
    open_cycles: Sequence[OpenCycleWork]
    overdue: Sequence[OverdueCycle]
    failed_mail: int
    appeals: Sequence[OpenAppeals] = ()  # appeals waiting for an answer, per cycle

    def __bool__(self) -> bool:
        return bool(self.open_cycles or self.overdue or self.failed_mail or self.appeals)


def organizer_todo(session: Session, today: date) -> OrganizerTodo:
    awaiting = func.sum(
        case((Nomination.status == NominationStatus.AWAITING_ACCEPTANCE, 1), else_=0)
    )
    idle = func.sum(
        case(
            (
                and_(
                    Nomination.kind == NominationKind.RENEWAL,
                    Nomination.no_activity.is_(True),
                    Nomination.status == NominationStatus.SUBMITTED,
                ),
                1,
            ),
            else_=0,
        )
    )
    open_rows = session.execute(
        select(Cycle.id, Cycle.name, awaiting.label("awaiting"), idle.label("idle"))
        .join(Nomination, Nomination.cycle_id == Cycle.id)
        .where(
            Cycle.status == CycleStatus.OPEN,
            Nomination.status.in_(
                (NominationStatus.AWAITING_ACCEPTANCE, NominationStatus.SUBMITTED)
            ),
        )
        .group_by(Cycle.id, Cycle.name)
        .order_by(Cycle.nominations_close_on, Cycle.id)
    ).all()
    open_cycles = [
        OpenCycleWork(row.id, row.name, int(row.awaiting or 0), int(row.idle or 0))
        for row in open_rows
        if row.awaiting or row.idle
    ]
    passed = session.scalars(
        select(Cycle)
        .where(
            or_(
                and_(Cycle.status == CycleStatus.DRAFT, Cycle.nominations_open_on <= today),
                and_(Cycle.status == CycleStatus.OPEN, Cycle.nominations_close_on < today),
                and_(
                    Cycle.status.in_((CycleStatus.IN_REVIEW, CycleStatus.DECIDED)),
                    Cycle.review_close_on < today,
                ),
            )
        )
        .order_by(Cycle.id)
    ).all()
    overdue = [o for cycle in passed if (o := _overdue(cycle, today)) is not None]
    appeals, failed_mail = _appeals_and_failed_mail(session)
    return OrganizerTodo(open_cycles, overdue, failed_mail, appeals)


def _overdue(cycle: Cycle, today: date) -> OverdueCycle | None:
    # A cycle that moves by itself and is due a move gets it at the scheduler's next tick.
    if cycle.moves_automatically and cycle_rules.scheduled_move(cycle, today) is not None:
        return None
    if cycle.status is CycleStatus.DRAFT:
        return OverdueCycle(cycle, (today - cycle.nominations_open_on).days, CycleStatus.OPEN)
    if cycle.status is CycleStatus.OPEN:
        days = (today - cycle.nominations_close_on).days
        return OverdueCycle(cycle, days, CycleStatus.IN_REVIEW)
    days = (today - cycle.review_close_on).days
    following = (
        CycleStatus.DECIDED if cycle.status is CycleStatus.IN_REVIEW else CycleStatus.PUBLISHED
    )
    return OverdueCycle(cycle, days, following)


def _appeals_and_failed_mail(session: Session) -> tuple[list[OpenAppeals], int]:
    """The open appeals per cycle and the outbox messages given up on (the sender's
    ``failed_at``), in one statement: a row per cycle with appeals, then the mail's."""
    failed = select(
        cast(null(), Integer), cast(null(), String), func.count(OutboxMessage.id)
    ).where(OutboxMessage.failed_at.is_not(None))
    rows: list[tuple[int | None, str, int]] = [
        (row[0], row[1], row[2])
        for row in session.execute(union_all(open_appeals_select(), failed))
    ]
    appeals = sorted(
        (OpenAppeals(cycle_id, name, count) for cycle_id, name, count in rows if cycle_id),
        key=lambda found: found.cycle_id,
    )
    return appeals, next((count for cycle_id, _, count in rows if cycle_id is None), 0)
