"""Test helpers of the awards domain: reviews with scores, and cycle moves by signal."""

from __future__ import annotations

from sqlalchemy.orm import Session

from nominee import clock, events
from nominee.accounts.models import User
from nominee.cycles.models import Cycle, CycleStatus
from nominee.nominations.models import Nomination
from nominee.reviews.models import Recommendation, Review, ReviewScore, ReviewStatus


def review(
    db: Session,
    nomination: Nomination,
    reviewer: User,
    scores: list[int],
    recommendation: Recommendation | None = Recommendation.AWARD,
    status: ReviewStatus = ReviewStatus.SUBMITTED,
) -> Review:
    """A review scoring the cycle's criteria in order."""
    criteria = nomination.cycle.criteria
    review = Review(
        nomination=nomination,
        reviewer=reviewer,
        status=status,
        recommendation=recommendation,
        submitted_at=clock.now() if status is ReviewStatus.SUBMITTED else None,
        panel_comment=f"Comment by {reviewer.display_name}",
        scores=[
            ReviewScore(criterion_id=criterion.id, score=score)
            for criterion, score in zip(criteria, scores, strict=False)
        ],
    )
    db.add(review)
    db.flush()
    return review


def move(db: Session, cycle: Cycle, new: CycleStatus, actor: User | None = None) -> None:
    """What the cycles service does around a status move: ask, move, announce."""
    old = cycle.status
    events.cycle_moving.send(cycle, session=db, actor=actor, old=old, new=new)
    cycle.status = new
    db.flush()
    events.cycle_moved.send(cycle, session=db, actor=actor, old=old, new=new)
    db.flush()
