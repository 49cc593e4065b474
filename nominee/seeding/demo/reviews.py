"""Demo data for seed-demo: the in-review cycle's panel at work.

Reviewers are appointed (one of them for a single category, to show the difference),
assigned automatically, and most reviews are in: each nomination has a quality, each
reviewer a leniency, so the scores look like a real panel's, and a few nominations get
one reviewer who sees it very differently (the dashboard's disagreement flag).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from nominee import clock
from nominee.accounts.models import User
from nominee.cycles.models import Cycle, CycleStatus
from nominee.nominations.models import Nomination, NominationStatus
from nominee.reviews.models import (
    Assignment,
    Confidence,
    Recommendation,
    Review,
    ReviewerAppointment,
    ReviewScore,
    ReviewStatus,
)
from nominee.reviews.services import auto_assign, refresh_scores

SUBMITTED_SHARE = 0.8
DRAFT_SHARE = 0.08
DISAGREEMENTS = 3

PANEL_COMMENTS = (
    "Sustained, visible work across the whole window; the endorsements come from many "
    "different people.",
    "Strong evidence, but most of it is the nominee's own projects rather than work for others.",
    "Good talks; I would like to see more written material that outlives the events.",
    "Very active on the forum, with careful, correct answers.",
    "Most of the activity is in the last two months; hard to call it consistent.",
    "Endorsements are mostly from the same small group, who the nominee endorses back.",
)
NOMINEE_FEEDBACK = (
    "Your answers on the forum help a lot of newcomers: thank you.",
    "Consider writing up your talks as articles so they reach people who missed them.",
    "Mentoring others would round off an already impressive year.",
)


@dataclass
class ReviewSeed:
    appointments: int
    assignments: int
    submitted: int
    drafts: int
    disagreements: int


def _moment(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + (end - start) * rng.random()


def _appoint(session: Session, cycle: Cycle, reviewers: Sequence[User]) -> int:
    """Everybody for the whole cycle, except one reviewer for a single category."""
    single = reviewers[-1] if len(reviewers) >= 4 and len(cycle.categories) >= 2 else None
    for reviewer in reviewers:
        category = cycle.categories[0] if reviewer is single else None
        session.add(ReviewerAppointment(cycle=cycle, reviewer=reviewer, category=category))
    session.flush()
    return len(reviewers)


def seed_reviews(
    session: Session, rng: random.Random, cycle: Cycle, reviewers: Sequence[User]
) -> ReviewSeed:
    """Appoint ``reviewers`` to ``cycle`` (in review), assign them, and write the reviews.

    Flushes, never commits. The reviews are dated between the close of nominations and
    now.
    """
    if cycle.status is not CycleStatus.IN_REVIEW:
        raise ValueError("seed_reviews needs a cycle in review")
    appointments = _appoint(session, cycle, reviewers)
    auto_assign(session, None, cycle)
    assignments = session.execute(
        select(Assignment.nomination_id, Assignment.reviewer_id)
        .join(Nomination, Nomination.id == Assignment.nomination_id)
        .where(Nomination.cycle_id == cycle.id, Nomination.status == NominationStatus.IN_REVIEW)
    ).all()
    nominations = {
        n.id: n
        for n in session.scalars(
            select(Nomination).where(Nomination.id.in_({n for n, _ in assignments}))
        )
    }
    criteria = cycle.criteria
    quality = {n: rng.uniform(1.8, 4.7) for n in nominations}
    leniency = {r.id: rng.uniform(-0.6, 0.6) for r in reviewers}
    split = set(rng.sample(sorted(nominations), min(DISAGREEMENTS, len(nominations))))
    start = datetime.combine(cycle.nominations_close_on + timedelta(days=1), time(9), UTC)
    end = max(start + timedelta(hours=1), clock.now())

    reviewers_of: dict[int, list[int]] = defaultdict(list)
    for nomination_id, reviewer_id in assignments:
        reviewers_of[nomination_id].append(reviewer_id)
    submitted = drafts = 0
    for nomination_id, assigned in sorted(reviewers_of.items()):
        for position, reviewer_id in enumerate(sorted(assigned)):
            dissent = nomination_id in split and position == 0
            roll = 0.0 if dissent else rng.random()
            if roll >= SUBMITTED_SHARE + DRAFT_SHARE:
                continue
            status = ReviewStatus.SUBMITTED if roll < SUBMITTED_SHARE else ReviewStatus.DRAFT
            level = quality[nomination_id] + leniency[reviewer_id]
            if dissent:
                level += -2.5 if level >= 3 else 2.5
            scores = [min(5, max(1, round(rng.gauss(level, 0.45)))) for _ in criteria]
            mean = sum(scores) / len(scores)
            if rng.random() < 0.08:
                recommendation, confidence = Recommendation.ABSTAIN, Confidence.LOW
            else:
                recommendation = (
                    Recommendation.AWARD
                    if mean >= 3.5 or (mean >= 3 and rng.random() < 0.5)
                    else Recommendation.DECLINE
                )
                confidence = rng.choice((Confidence.MEDIUM, Confidence.HIGH))
            written = _moment(rng, start, end)
            session.add(
                Review(
                    nomination_id=nomination_id,
                    reviewer_id=reviewer_id,
                    status=status,
                    confidence=confidence,
                    recommendation=recommendation,
                    panel_comment=rng.choice(PANEL_COMMENTS),
                    nominee_feedback=rng.choice(NOMINEE_FEEDBACK) if rng.random() < 0.4 else "",
                    created_at=written,
                    updated_at=written,
                    submitted_at=written if status is ReviewStatus.SUBMITTED else None,
                    reads_others=status is ReviewStatus.SUBMITTED,  # every criterion scored
                    scores=[
                        ReviewScore(criterion_id=criterion.id, score=score)
                        for criterion, score in zip(criteria, scores, strict=True)
                    ],
                )
            )
            if status is ReviewStatus.SUBMITTED:
                submitted += 1
            else:
                drafts += 1
    session.flush()
    disagreements = 0
    for nomination in nominations.values():
        refresh_scores(session, nomination)
        disagreements += nomination.disagreement
    return ReviewSeed(appointments, len(assignments), submitted, drafts, disagreements)
