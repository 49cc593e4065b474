"""Score aggregation: per-criterion mean and spread, weighted mean, never a sum."""

from __future__ import annotations

import pytest

from nominee.cycles.models import CycleStatus
from nominee.reviews import queries, rules, services
from nominee.reviews.models import Recommendation, ReviewStatus

WEIGHTED = [("Impact", "", 3.0), ("Consistency", "", 1.0)]


@pytest.fixture
def weighted_cycle(make, cycle):
    return make.cycle(
        status=CycleStatus.IN_REVIEW,
        nominations_open_on=cycle.nominations_open_on,
        nominations_close_on=cycle.nominations_close_on,
        review_close_on=cycle.review_close_on,
        criteria=WEIGHTED,
    )


def test_weighted_mean_of_criterion_means_over_submitted_reviews(make, db, weighted_cycle):
    from nominee.nominations.models import NominationStatus

    nomination = make.nomination(weighted_cycle, status=NominationStatus.IN_REVIEW)
    make.review(nomination, make.reviewer(), scores=[5, 1])
    make.review(nomination, make.reviewer(), scores=[3, 3])
    make.review(nomination, make.reviewer(), scores=[1, 1], status=ReviewStatus.DRAFT)
    services.refresh_scores(db, nomination)
    # Impact mean 4 (weight 3), Consistency mean 2 (weight 1): (3*4 + 1*2) / 4
    assert nomination.score_mean == pytest.approx(3.5)
    assert nomination.reviews_submitted == 2
    assert nomination.disagreement is True  # Impact spread 5 - 3 = 2
    stats = {s.criterion.name: s for s in queries.criterion_stats(db, nomination)}
    assert (stats["Impact"].mean, stats["Impact"].spread, stats["Impact"].count) == (4, 2, 2)
    assert (stats["Consistency"].mean, stats["Consistency"].spread) == (2, 2)
    assert queries.criterion_means_for_cycle(db, weighted_cycle.id) == {
        nomination.id: {s.criterion.id: s.mean for s in stats.values()}
    }


def test_missing_reviews_and_abstentions_never_penalise(make, db, cycle, in_review):
    """Three reviewers were needed; one never reviewed, one abstained without scores."""
    nomination = in_review()
    make.review(nomination, make.reviewer(), scores=[4, 4, 4, 4])
    make.review(nomination, make.reviewer(), recommendation=Recommendation.ABSTAIN)
    services.refresh_scores(db, nomination)
    assert nomination.score_mean == 4  # not (4 + 0 + 0) / 3, not a sum
    assert (nomination.recommend_award, nomination.recommend_abstain) == (1, 1)
    assert nomination.reviews_submitted == 2
    assert nomination.disagreement is False


def test_scores_an_abstaining_reviewer_gave_still_count(make, db, cycle, in_review):
    nomination = in_review()
    make.review(nomination, make.reviewer(), scores=[4, 4, 4, 4])
    make.review(
        nomination, make.reviewer(), scores=[2, 2, 2, 2], recommendation=Recommendation.ABSTAIN
    )
    services.refresh_scores(db, nomination)
    assert nomination.score_mean == 3
    assert nomination.disagreement is True


def test_a_criterion_nobody_scored_is_left_out_of_the_weighted_mean(make, db, cycle, in_review):
    nomination = in_review()
    make.review(
        nomination, make.reviewer(), scores=[5, None, 3], recommendation=Recommendation.ABSTAIN
    )
    services.refresh_scores(db, nomination)
    assert nomination.score_mean == 4
    stats = queries.criterion_stats(db, nomination)
    assert [s.count for s in stats] == [1, 0, 1, 0]
    assert stats[1].mean is None and stats[1].spread is None


def test_recommendations_are_counted_and_no_review_means_no_score(make, db, cycle, in_review):
    nomination = in_review()
    services.refresh_scores(db, nomination)
    assert nomination.score_mean is None and nomination.reviews_submitted == 0
    for recommendation in (Recommendation.AWARD, Recommendation.DECLINE, Recommendation.DECLINE):
        make.review(nomination, make.reviewer(), scores=[3, 3, 3, 3], recommendation=recommendation)
    services.refresh_scores(db, nomination)
    assert (nomination.recommend_award, nomination.recommend_decline) == (1, 2)
    assert nomination.recommend_abstain == 0


def test_refreshing_scores_does_not_touch_the_nominations_lock(make, db, cycle, in_review):
    """Concurrent submissions must not fail each other's (or a decision's) version check."""
    nomination = in_review()
    version = nomination.version
    make.review(nomination, make.reviewer(), scores=[3, 3, 3, 3])
    services.refresh_scores(db, nomination)
    db.flush()
    db.refresh(nomination)
    assert nomination.version == version
    assert nomination.score_mean == 3


def test_weighted_mean_helper():
    class Criterion:
        def __init__(self, id, weight):
            self.id, self.weight = id, weight

    criteria = [Criterion(1, 2.0), Criterion(2, 1.0), Criterion(3, 5.0)]
    assert rules.weighted_mean(criteria, {1: 5.0, 2: 2.0}) == 4
    assert rules.weighted_mean(criteria, {}) is None
