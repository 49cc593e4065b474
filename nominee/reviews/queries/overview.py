"""A cycle's review at a glance, for the organizers' cycle page: how many reviews are in
of those needed, and how the weighted mean scores are spread. One grouped query on the
nominations' stored counters, whatever the number of nominations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import case, func, literal, literal_column, select
from sqlalchemy.orm import Session

from nominee.charts import SCORE_BINS, Histogram, score_histogram
from nominee.cycles.models import Cycle
from nominee.nominations.models import Nomination
from nominee.reviews.rules import QUEUE_STATUSES


@dataclass(frozen=True)
class ReviewOverview:
    nominations: int
    reviews_needed: int
    reviews_submitted: int
    scores: Histogram


def review_overview(
    session: Session, cycle: Cycle, conflicted: Sequence[int] = ()
) -> ReviewOverview:
    """Like the organizer's dashboard, it leaves out the nominations the organizer is
    conflicted on (``conflicted``, their own among them: rule 9)."""
    k = cycle.reviewers_per_nomination
    capped = case(
        (Nomination.reviews_submitted > k, literal(k)), else_=Nomination.reviews_submitted
    )
    score = Nomination.score_mean
    # Bins by comparison, not floor() or a cast: portable across SQLite and PostgreSQL.
    band = case(
        *((score < high, index) for index, (_low, high) in enumerate(SCORE_BINS[:-1])),
        else_=len(SCORE_BINS) - 1,
    )
    band = case((score.is_(None), literal(None)), else_=band)
    stmt = select(band.label("band"), func.count(Nomination.id), func.sum(capped)).where(
        Nomination.cycle_id == cycle.id, Nomination.status.in_(QUEUE_STATUSES)
    )
    if conflicted:
        stmt = stmt.where(Nomination.id.not_in(conflicted))
    rows = session.execute(
        stmt
        # By the label: PostgreSQL would see the bound thresholds twice as different.
        .group_by(literal_column("band"))
    ).all()
    counts = [0] * len(SCORE_BINS)
    unscored = nominations = submitted = 0
    for row in rows:
        band_index, count, reviews = cast("tuple[int | None, int, int | None]", tuple(row))
        nominations += count
        submitted += int(reviews or 0)
        if band_index is None:
            unscored += count
        else:
            counts[band_index] += count
    return ReviewOverview(
        nominations, nominations * k, submitted, score_histogram(counts, unscored)
    )
