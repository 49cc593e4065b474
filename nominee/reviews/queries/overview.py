"""A cycle's review at a glance, for the organizers' cycle page: how many reviews are in
of those needed, and how the weighted mean scores are spread. One grouped query on the
nominations' stored counters, whatever the number of nominations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import cast

from sqlalchemy import Integer, Select, bindparam, case, func, literal, literal_column, select
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
    values: dict[str, object] = {"overview_cycle": cycle.id, "overview_k": k}
    if conflicted:
        values["overview_conflicted"] = list(conflicted)
    rows = session.execute(_overview(bool(conflicted)), values).all()
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


@cache
def _overview(conflicted: bool) -> Select:
    """``review_overview``'s query (the cycle, K and the conflicted ids as parameters),
    built once per process for each shape: building its cases took longer than the
    database answering it."""
    k = bindparam("overview_k", type_=Integer)
    capped = case((Nomination.reviews_submitted > k, k), else_=Nomination.reviews_submitted)
    score = Nomination.score_mean
    # Bins by comparison, not floor() or a cast: portable across SQLite and PostgreSQL.
    band = case(
        *((score < high, index) for index, (_low, high) in enumerate(SCORE_BINS[:-1])),
        else_=len(SCORE_BINS) - 1,
    )
    band = case((score.is_(None), literal(None)), else_=band)
    stmt = select(band.label("band"), func.count(Nomination.id), func.sum(capped)).where(
        Nomination.cycle_id == bindparam("overview_cycle"), Nomination.status.in_(QUEUE_STATUSES)
    )
    if conflicted:
        stmt = stmt.where(Nomination.id.not_in(bindparam("overview_conflicted", expanding=True)))
    # By the label: PostgreSQL would see the bound thresholds twice as different.
    return stmt.group_by(literal_column("band"))
