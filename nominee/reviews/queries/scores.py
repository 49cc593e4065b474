"""The panel's scores of a nomination, and of a whole cycle, as the score rule
(``nominee.reviews.rules``: weighted mean of the criterion means) reads them."""

from __future__ import annotations

from collections import defaultdict
from typing import cast

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from nominee.cycles.models import RubricCriterion
from nominee.nominations.models import Nomination
from nominee.reviews.models import Review, ReviewScore, ReviewStatus
from nominee.reviews.rules import CriterionStat, stats_by_criterion


def criterion_stats(session: Session, nomination: Nomination) -> list[CriterionStat]:
    """Per rubric criterion of the nomination's cycle, over submitted reviews: number of
    scores, mean, lowest and highest. One query (the criteria with their scores)."""
    scores = (
        select(ReviewScore.criterion_id, ReviewScore.score)
        .join(Review, Review.id == ReviewScore.review_id)
        .where(Review.nomination_id == nomination.id, Review.status == ReviewStatus.SUBMITTED)
        .subquery()
    )
    criteria: dict[int, RubricCriterion] = {}
    given: dict[int, list[int]] = defaultdict(list)
    score_column = cast("ColumnElement[int | None]", scores.c.score)
    for criterion, score in session.execute(
        select(RubricCriterion, score_column)
        .outerjoin(scores, scores.c.criterion_id == RubricCriterion.id)
        .where(RubricCriterion.cycle_id == nomination.cycle_id)
        .order_by(RubricCriterion.position, RubricCriterion.id)
    ):
        criteria.setdefault(criterion.id, criterion)
        if score is not None:
            given[criterion.id].append(score)
    return stats_by_criterion(criteria.values(), given)


def criterion_means_for_cycle(session: Session, cycle_id: int) -> dict[int, dict[int, float]]:
    """Mean submitted score by nomination id, then criterion id, for a whole cycle (one query)."""
    means: dict[int, dict[int, float]] = defaultdict(dict)
    mean_score = cast("ColumnElement[float]", func.avg(ReviewScore.score))
    for nomination_id, criterion_id, mean in session.execute(
        select(Review.nomination_id, ReviewScore.criterion_id, mean_score)
        .join(ReviewScore, ReviewScore.review_id == Review.id)
        .join(Nomination, Nomination.id == Review.nomination_id)
        .where(Nomination.cycle_id == cycle_id, Review.status == ReviewStatus.SUBMITTED)
        .group_by(Review.nomination_id, ReviewScore.criterion_id)
    ):
        means[nomination_id][criterion_id] = float(mean)
    return dict(means)
