"""Calibration on constructed panels whose right answers are known (pure functions)."""

from __future__ import annotations

import math

import pytest

from nominee.reviews.calibration import (
    ScoredReview,
    agreement_text,
    calibrate,
    leniency_text,
    majority,
    mean_and_spread,
    shrink_weight,
    weight_text,
)
from nominee.reviews.models import Confidence, Recommendation

AWARD, DECLINE, ABSTAIN = Recommendation.AWARD, Recommendation.DECLINE, Recommendation.ABSTAIN
HARSH, LENIENT, THIRD = 1, 2, 3


def split_panel() -> list[ScoredReview]:
    """Eight nominations of four quality levels, each level twice: the harsh reviewer
    scores nominations 1-4 one point below their level, the lenient one 5-8 at it."""
    reviews = []
    for level in range(4):
        reviews.append(ScoredReview(1 + level, HARSH, float(1 + level)))
        reviews.append(ScoredReview(5 + level, LENIENT, float(2 + level)))
    return reviews


def test_harsh_and_lenient_reviewers_of_alike_nominations_agree_once_calibrated():
    # Fully calibrated (no shrinkage): the same level gets the same calibrated score.
    full = calibrate(split_panel(), prior_reviews=0)
    for level in range(4):
        harsh, lenient = full.of(1 + level), full.of(5 + level)
        assert harsh.raw == lenient.raw - 1
        assert harsh.calibrated == pytest.approx(lenient.calibrated)
        assert harsh.rank == lenient.rank
    # Raw, a lenient nomination one level lower ties with a harsh one (7 and 4 both
    # score 4, 6 and 3 both 3...). With the default shrinkage (4 reviews each, so 4/7
    # calibrated) every level comes before the level below, each pair side by side.
    shrunk = calibrate(split_panel())
    assert shrunk.of(7).raw == shrunk.of(4).raw
    assert shrunk.of(4).rank < shrunk.of(7).rank
    assert shrunk.order() == [8, 4, 7, 3, 6, 2, 5, 1]


def test_harsh_and_lenient_reviewers_of_the_same_nominations():
    reviews = []
    for nomination, level in enumerate([2, 3, 4], start=1):
        reviews.append(ScoredReview(nomination, HARSH, float(level - 1), recommendation=DECLINE))
        reviews.append(ScoredReview(nomination, LENIENT, float(level + 1), recommendation=AWARD))
    calibration = calibrate(reviews)
    harsh, lenient = calibration.reviewers[HARSH], calibration.reviewers[LENIENT]
    assert harsh.leniency == pytest.approx(-2) and lenient.leniency == pytest.approx(2)
    assert (harsh.mean, lenient.mean) == (pytest.approx(2), pytest.approx(4))
    assert harsh.spread == pytest.approx(lenient.spread) == pytest.approx(math.sqrt(2 / 3))
    assert (harsh.agreements, harsh.comparable) == (0, 3)
    assert leniency_text(harsh) == "Scores 2.0 points below the panel on average."
    assert leniency_text(lenient) == "Scores 2.0 points above the panel on average."
    assert agreement_text(harsh) == "Agrees with the panel on 0 of 3 recommendations."
    # Both see the nominations in the same order: the calibrated order is the levels'.
    assert calibration.order() == [3, 2, 1]
    assert [calibration.of(n).rank for n in (1, 2, 3)] == [3, 2, 1]


def test_a_reviewer_with_one_review_is_shrunk_toward_their_raw_score():
    reviews = [
        ScoredReview(n, r, float(score))
        for n, scores in enumerate([(2, 3), (3, 4), (4, 5), (2, 2)], start=1)
        for r, score in zip((HARSH, LENIENT), scores, strict=True)
    ]
    reviews.append(ScoredReview(9, THIRD, 5.0))  # their only review
    calibration = calibrate(reviews)
    panel, third = calibration.panel, calibration.reviewers[THIRD]
    assert third.scored == 1 and third.spread is None
    assert third.weight == shrink_weight(1) == pytest.approx(1 / 4)
    # z is 0 without a spread: fully calibrated it would be the panel mean; shrunk, a
    # quarter of the way there from the raw 5.
    expected = 0.25 * panel.mean + 0.75 * 5.0
    assert calibration.of(9).calibrated == pytest.approx(expected)
    assert abs(calibration.of(9).calibrated - 5.0) < abs(panel.mean - 5.0) / 2
    assert (
        weight_text(third)
        == "1 scored review: their scores are 25% calibrated, 75% taken as given."
    )


def test_a_unanimous_panel_keeps_its_raw_order_and_narrow_bands():
    levels = {1: 4.5, 2: 3.0, 3: 2.0, 4: 4.0}
    reviews = [
        ScoredReview(n, r, score, recommendation=AWARD if score >= 3 else DECLINE)
        for n, score in levels.items()
        for r in (HARSH, LENIENT, THIRD)
    ]
    calibration = calibrate(reviews)
    assert calibration.order() == [1, 4, 2, 3]
    for figures in calibration.reviewers.values():
        assert figures.leniency == pytest.approx(0)
        assert (figures.agreements, figures.comparable) == (4, 4)
        assert leniency_text(figures) == "Scores in line with the panel on average."
    for n in levels:
        found = calibration.of(n)
        # Every reviewer scores alike, so the calibrated score is the raw one, and no
        # resample moves a nomination.
        assert found.calibrated == pytest.approx(found.raw)
        assert found.rank_low == found.rank == found.rank_high
        assert found.band == str(found.rank)


def test_confidence_weights_the_calibrated_score():
    reviews = [
        ScoredReview(1, HARSH, 2.0, Confidence.LOW),
        ScoredReview(1, LENIENT, 4.0, Confidence.HIGH),
        ScoredReview(2, HARSH, 2.0, Confidence.HIGH),
        ScoredReview(2, LENIENT, 4.0, Confidence.LOW),
    ]
    calibration = calibrate(reviews, prior_reviews=10**6)  # no calibration: raw values
    assert calibration.of(1).calibrated == pytest.approx((2 * 1 + 4 * 2) / 3)
    assert calibration.of(2).calibrated == pytest.approx((2 * 2 + 4 * 1) / 3)
    assert calibration.of(1).raw == calibration.of(2).raw == 3


def test_split_reviews_widen_the_rank_band_and_resampling_is_repeatable():
    reviews = []
    # Nomination 1: the panel is split (1 and 5); 2-5 are scored alike by both reviewers.
    reviews += [ScoredReview(1, HARSH, 1.0), ScoredReview(1, LENIENT, 5.0)]
    for n, score in zip(range(2, 6), (4.5, 3.5, 2.5, 1.5), strict=True):
        reviews += [ScoredReview(n, HARSH, score), ScoredReview(n, LENIENT, score)]
    first, again = calibrate(reviews), calibrate(reviews)
    assert first == again
    split = first.of(1)
    assert split.rank_high - split.rank_low >= 3
    assert first.of(2).rank_low <= 2


def test_abstentions_without_scores_count_for_agreement_only():
    reviews = [
        ScoredReview(1, HARSH, 4.0, recommendation=AWARD),
        ScoredReview(1, LENIENT, 4.0, recommendation=AWARD),
        ScoredReview(1, THIRD, None, recommendation=ABSTAIN),
    ]
    calibration = calibrate(reviews)
    third = calibration.reviewers[THIRD]
    assert (third.reviews, third.scored, third.mean) == (1, 0, None)
    assert (third.agreements, third.comparable) == (0, 1)
    assert calibration.of(1).reviews == 2
    assert calibration.panel.reviews == 2


def test_nothing_to_calibrate():
    calibration = calibrate([])
    assert calibration.nominations == {} and calibration.reviewers == {}
    assert calibration.panel.mean is None


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], (None, None)),
        ([3.0], (3.0, None)),
        ([1.0, 3.0], (2.0, 1.0)),
        ([1.0, 2.0, 6.0], (3.0, math.sqrt(14 / 3))),
    ],
)
def test_mean_and_spread(values, expected):
    assert mean_and_spread(values) == pytest.approx(expected) if expected[1] else expected


def test_majority_needs_a_clear_first():
    assert majority([AWARD, AWARD, DECLINE]) is AWARD
    assert majority([AWARD, DECLINE]) is None
    assert majority([]) is None


def test_words_for_a_reviewer():
    reviews = [
        ScoredReview(n, HARSH, s, recommendation=r)
        for n, s, r in [(1, 2.2, AWARD), (2, 3.2, DECLINE)]
    ] + [
        ScoredReview(n, LENIENT, s, recommendation=AWARD)
        for n, s in [
            (
                1,
                3.0,
            ),
            (2, 4.0),
        ]
    ]
    harsh = calibrate(reviews).reviewers[HARSH]
    assert leniency_text(harsh) == "Scores 0.8 points below the panel on average."
    assert agreement_text(harsh) == "Agrees with the panel on 1 of 2 recommendations."
