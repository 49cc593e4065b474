"""A cycle's calibration (``nominee.reviews.calibration``), read from its submitted reviews.

The figures depend on every submitted review of the cycle, so they are computed from one
query of those reviews with their scores and the criteria's weights, and kept per process
until a review changes (and in the shared cache, so that with Redis one worker of one
host computes it for all): each call first asks the database for a fingerprint of the
cycle's submitted reviews (their number, the sum of their ids, the last submission
time), one small aggregate query, and computes again only when it moved; the dashboard
passes a fingerprint of the nominations' stored counters instead, read by the query of
its progress table (``counters_fingerprint``). A page showing calibrated scores thus
costs at most one query (one more when the reviews changed) whatever the size of the
cycle.

Rule 9: an organizer conflicted on nominations sees figures computed without them
(``excluded``), as if those nominations were not in the cycle.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import astuple
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from nominee import sharedcache
from nominee.accounts.models import User
from nominee.cycles.models import RubricCriterion
from nominee.nominations.models import Nomination
from nominee.reviews.calibration import (
    CalibratedScore,
    Calibration,
    Panel,
    ReviewerFigures,
    ScoredReview,
    calibrate,
)
from nominee.reviews.models import Review, ReviewScore, ReviewStatus
from nominee.reviews.rules import QUEUE_STATUSES, weighted_mean

CACHE_SIZE = 32
# A computed calibration is also kept in the shared cache (Redis), under its fingerprint:
# a change of the reviews is a new key, never a stale value.
SHARED_SECONDS = 3600
_cache: OrderedDict[tuple[Any, ...], Calibration] = OrderedDict()
_lock = threading.Lock()


def clear_cache() -> None:
    """Forget every computed calibration (tests, whose databases reuse ids, call it)."""
    with _lock:
        _cache.clear()


def _where(stmt: Select, cycle_id: int, excluded: Collection[int]) -> Select:
    stmt = stmt.where(
        Nomination.cycle_id == cycle_id,
        Nomination.status.in_(QUEUE_STATUSES),
        Review.status == ReviewStatus.SUBMITTED,
    )
    if excluded:
        stmt = stmt.where(Nomination.id.not_in(sorted(excluded)))
    return stmt


def fingerprint(session: Session, cycle_id: int, excluded: Collection[int] = ()) -> tuple:
    """What changes whenever a submitted review of the cycle appears or goes (a submitted
    review is final: its scores never change), read off the reviews alone."""
    row = session.execute(
        _where(
            select(
                func.count(Review.id),
                func.coalesce(func.sum(Review.id), 0),
                func.max(Review.submitted_at),
            )
            .select_from(Review)
            .join(Nomination, Nomination.id == Review.nomination_id),
            cycle_id,
            excluded,
        )
    ).one()
    return tuple(str(value) for value in row)


def scored_reviews(
    session: Session, cycle_id: int, excluded: Collection[int] = ()
) -> list[ScoredReview]:
    """The cycle's submitted reviews, each with its weighted score (one query)."""
    rows: Sequence[Any] = session.execute(
        _where(
            select(
                Review.id,
                Review.nomination_id,
                Review.reviewer_id,
                Review.confidence,
                Review.recommendation,
                RubricCriterion.id,
                RubricCriterion.weight,
                ReviewScore.score,
            )
            .select_from(Review)
            .join(Nomination, Nomination.id == Review.nomination_id)
            .outerjoin(ReviewScore, ReviewScore.review_id == Review.id)
            .outerjoin(RubricCriterion, RubricCriterion.id == ReviewScore.criterion_id),
            cycle_id,
            excluded,
        ).order_by(Review.id)
    ).all()
    heads: dict[int, tuple] = {}
    weights: dict[int, float] = {}
    scores: dict[int, dict[int, float | None]] = defaultdict(dict)
    for review_id, nomination_id, reviewer_id, confidence, recommendation, cid, w, score in rows:
        heads[review_id] = (nomination_id, reviewer_id, confidence, recommendation)
        if cid is not None and score is not None:
            weights[cid] = float(w)
            scores[review_id][cid] = float(score)
    criteria = [_Criterion(cid, weight) for cid, weight in weights.items()]
    return [
        ScoredReview(
            nomination_id=nomination_id,
            reviewer_id=reviewer_id,
            score=weighted_mean(criteria, scores[review_id]) if scores[review_id] else None,
            confidence=confidence,
            recommendation=recommendation,
        )
        for review_id, (nomination_id, reviewer_id, confidence, recommendation) in heads.items()
    ]


class _Criterion:
    """A criterion as the score rule reads it (``rules.Weighted``)."""

    __slots__ = ("id", "weight")

    def __init__(self, criterion_id: int, weight: float):
        self.id = criterion_id
        self.weight = weight


def counters_fingerprint(nominations: int, reviews: int, weighted: int) -> tuple:
    """A fingerprint read off the nominations' stored counters instead of the reviews
    (the dashboard's progress query sums them anyway, so it costs no query): the
    nominations in the queue, their submitted reviews (``Nomination.reviews_submitted``,
    kept by the services), and those counts weighted by nomination id. A review submitted
    anywhere, or a nomination leaving the queue with its reviews, moves it."""
    return ("counters", str(nominations), str(reviews), str(weighted))


def cycle_calibration(
    session: Session, cycle_id: int, excluded: Collection[int] = (), known: tuple | None = None
) -> Calibration:
    """The calibration of the cycle's submitted reviews, leaving out the nominations in
    ``excluded``; computed again only when the reviews changed (see the module docstring).
    ``known``: a fingerprint the caller read already (``counters_fingerprint``), over the
    same nominations (the cycle's in the queue, less ``excluded``)."""
    key = (cycle_id, frozenset(excluded), known or fingerprint(session, cycle_id, excluded))
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    # Then the other workers' and hosts' (Redis): a calibration takes a second or more
    # to compute at a few thousand nominations, once for all of them.
    shared = session.info.get(sharedcache.CACHE)
    if shared is not None and not shared.shared:
        shared = None
    shared_key = _shared_key(key)
    kept = shared.get(shared_key) if shared is not None else None
    if kept is not None:
        result = _load(kept)
    else:
        result = calibrate(scored_reviews(session, cycle_id, excluded))
        if shared is not None:
            shared.set(shared_key, _dump(result), SHARED_SECONDS)
    with _lock:
        _cache[key] = result
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return result


def _shared_key(key: tuple[Any, ...]) -> str:
    cycle_id, excluded, found = key
    digest = hashlib.sha256(repr((sorted(excluded), found)).encode()).hexdigest()[:32]
    return f"calibration:{cycle_id}:{digest}"


def _dump(found: Calibration) -> dict[str, Any]:
    return {
        "panel": astuple(found.panel),
        "reviewers": [astuple(r) for r in found.reviewers.values()],
        "nominations": [astuple(n) for n in found.nominations.values()],
        "prior_reviews": found.prior_reviews,
    }


def _load(kept: dict[str, Any]) -> Calibration:
    reviewers = (ReviewerFigures(*fields) for fields in kept["reviewers"])
    nominations = (CalibratedScore(*fields) for fields in kept["nominations"])
    return Calibration(
        panel=Panel(*kept["panel"]),
        reviewers={r.reviewer_id: r for r in reviewers},
        nominations={n.nomination_id: n for n in nominations},
        prior_reviews=kept["prior_reviews"],
    )


def reviewer_rows(session: Session, reviewer_ids: Collection[int]) -> list[Any]:
    """The reviewers' names (``id``, ``display_name``, ``name_holders``), by name."""
    if not reviewer_ids:
        return []
    return list(
        session.execute(
            select(User.id, User.display_name, User.name_holders)
            .where(User.id.in_(sorted(reviewer_ids)))
            .order_by(func.lower(User.display_name), User.id)
        )
    )
