"""Calibration: how each reviewer scores compared with the panel, and a calibrated score
and rank for each nomination. Pure functions over plain records (no database, no Flask);
``nominee.reviews.queries.calibration`` reads the records in one query.

The README explains the figures in words; in short, for a cycle's submitted reviews:

- a review's *weighted score* is the weighted mean of its criterion scores (the score rule,
  ``rules.weighted_mean``); the *panel* mean M and spread S (standard deviation) are taken
  over every scored review of the cycle;
- a reviewer's *mean* and *spread* are those of their own weighted scores; their
  *leniency* is the mean, over the nominations they share with other reviewers, of their
  score minus the others' mean score there; their *agreement* counts the recommendations
  that match the majority recommendation of the other reviewers of the same nomination
  (nominations where the others are split evenly are not counted);
- a review's *calibrated value*: the reviewer's z-score z = (score - their mean) / their
  spread (0 when they have one scored review or never vary), mapped back to the panel's
  scale as M + z * S, then shrunk toward the raw score by the weight n / (n + K), n being
  the reviewer's number of scored reviews and K = ``PRIOR_REVIEWS``: a reviewer with few
  reviews is mostly taken at their word, one with many is mostly calibrated;
- a nomination's *calibrated score*: the mean of its reviews' calibrated values, weighted
  by the confidence each reviewer stated (``CONFIDENCE_WEIGHTS``);
- its *rank* (1 is best, ties share a rank) and *rank band*: the nomination's reviews are
  resampled with replacement ``RESAMPLES`` times (a seeded generator, so a page shows
  the same band every time), every nomination is ranked in each resample, and the band
  runs from the 10th to the 90th percentile of its ranks. Two nominations whose bands
  overlap are not really separated by the panel.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from babel import numbers

from nominee import i18n
from nominee.i18n import _, ngettext
from nominee.reviews.models import Confidence, Recommendation

# The shrinkage prior, in reviews: a reviewer with K scored reviews is calibrated half way.
PRIOR_REVIEWS = 3
# How much a review counts in the calibrated score, by the reviewer's stated confidence
# (none stated counts as medium).
CONFIDENCE_WEIGHTS = {Confidence.LOW: 1.0, Confidence.MEDIUM: 1.5, Confidence.HIGH: 2.0}
RESAMPLES = 200
BAND = (0.1, 0.9)
SEED = 15


@dataclass(frozen=True)
class ScoredReview:
    """One submitted review as calibration reads it. ``score`` is its weighted score
    (None: an abstention without scores, which still counts for agreement)."""

    nomination_id: int
    reviewer_id: int
    score: float | None
    confidence: Confidence | None = None
    recommendation: Recommendation | None = None


@dataclass(frozen=True)
class Panel:
    reviews: int  # scored reviews in the cycle
    mean: float | None
    spread: float | None  # standard deviation


@dataclass(frozen=True)
class ReviewerFigures:
    reviewer_id: int
    reviews: int  # submitted
    scored: int  # with a weighted score
    mean: float | None
    spread: float | None  # None below two scored reviews
    leniency: float | None  # their score minus the others', on average; None: never shared
    shared: int  # scored nominations they share with other reviewers
    agreements: int
    comparable: int  # recommendations the others' majority could be compared with
    weight: float  # how far their scores are calibrated: n / (n + K)

    @property
    def agreement(self) -> float | None:
        return self.agreements / self.comparable if self.comparable else None


@dataclass(frozen=True)
class CalibratedScore:
    nomination_id: int
    raw: float  # the confidence-blind mean of its reviews' weighted scores
    calibrated: float
    rank: int
    rank_low: int  # best place in the band (a smaller number)
    rank_high: int
    reviews: int

    @property
    def band(self) -> str:
        if self.rank_low == self.rank_high:
            return str(self.rank_low)
        return f"{self.rank_low}–{self.rank_high}"


@dataclass(frozen=True)
class Calibration:
    panel: Panel
    reviewers: dict[int, ReviewerFigures]
    nominations: dict[int, CalibratedScore]
    prior_reviews: int

    def of(self, nomination_id: int) -> CalibratedScore | None:
        return self.nominations.get(nomination_id)

    def order(self) -> list[int]:
        """Nomination ids, best calibrated score first (ties: lower id first)."""
        return [
            c.nomination_id
            for c in sorted(
                self.nominations.values(), key=lambda c: (-c.calibrated, c.nomination_id)
            )
        ]

    @cached_property
    def ascending(self) -> list[int]:
        """Nomination ids by calibrated score, lowest first (ties: lower id first); sorted
        once per calibration (a cached calibration serves many pages), so a page sorted by
        calibrated score picks its rows out of this order instead of sorting them."""
        return [
            c.nomination_id
            for c in sorted(
                self.nominations.values(), key=lambda c: (c.calibrated, c.nomination_id)
            )
        ]


def mean_and_spread(values: Sequence[float]) -> tuple[float | None, float | None]:
    """The mean and the (population) standard deviation, None below two values. The
    same formula for a reviewer and the panel: a reviewer who scores exactly like the
    panel gets z-scores that map back to their own scores."""
    if not values:
        return None, None
    mean = math.fsum(values) / len(values)
    if len(values) < 2:
        return mean, None
    variance = math.fsum((v - mean) ** 2 for v in values) / len(values)
    return mean, math.sqrt(variance)


def shrink_weight(scored: int, prior_reviews: int = PRIOR_REVIEWS) -> float:
    """The empirical-Bayes weight of a reviewer's calibration: n / (n + K)."""
    return scored / (scored + prior_reviews) if scored + prior_reviews else 0.0


def majority(recommendations: Iterable[Recommendation]) -> Recommendation | None:
    """The most frequent recommendation, or None when there is none or a tie for first."""
    counts = Counter(recommendations).most_common()
    if not counts or (len(counts) > 1 and counts[0][1] == counts[1][1]):
        return None
    return counts[0][0]


def _reviewer_figures(
    reviews: Sequence[ScoredReview], prior_reviews: int
) -> dict[int, ReviewerFigures]:
    by_nomination: dict[int, list[ScoredReview]] = defaultdict(list)
    by_reviewer: dict[int, list[ScoredReview]] = defaultdict(list)
    for review in reviews:
        by_nomination[review.nomination_id].append(review)
        by_reviewer[review.reviewer_id].append(review)
    figures = {}
    for reviewer_id, own in by_reviewer.items():
        scores = [r.score for r in own if r.score is not None]
        mean, spread = mean_and_spread(scores)
        differences = []
        agreements = comparable = 0
        for review in own:
            others = [
                r for r in by_nomination[review.nomination_id] if r.reviewer_id != reviewer_id
            ]
            other_scores = [r.score for r in others if r.score is not None]
            if review.score is not None and other_scores:
                differences.append(review.score - math.fsum(other_scores) / len(other_scores))
            if review.recommendation is not None:
                panel = majority(r.recommendation for r in others if r.recommendation is not None)
                if panel is not None:
                    comparable += 1
                    agreements += panel is review.recommendation
        figures[reviewer_id] = ReviewerFigures(
            reviewer_id=reviewer_id,
            reviews=len(own),
            scored=len(scores),
            mean=mean,
            spread=spread,
            leniency=math.fsum(differences) / len(differences) if differences else None,
            shared=len(differences),
            agreements=agreements,
            comparable=comparable,
            weight=shrink_weight(len(scores), prior_reviews),
        )
    return figures


def calibrated_value(score: float, reviewer: ReviewerFigures, panel: Panel) -> float:
    """One review's score on the panel's scale, shrunk toward the raw score."""
    if panel.mean is None or reviewer.mean is None:
        return score
    z = (score - reviewer.mean) / reviewer.spread if reviewer.spread else 0.0
    standardised = panel.mean + z * (panel.spread or 0.0)
    return reviewer.weight * standardised + (1 - reviewer.weight) * score


def _weighted(pairs: Sequence[tuple[float, float]]) -> float:
    return math.fsum(v * w for v, w in pairs) / math.fsum(w for _v, w in pairs)


def _ranks(scores: Mapping[int, float]) -> dict[int, int]:
    """Competition ranks (1 is best; equal scores share the better rank)."""
    ordered = sorted(scores.items(), key=lambda item: -item[1])
    ranks: dict[int, int] = {}
    previous: float | None = None
    rank = 0
    for position, (nomination_id, score) in enumerate(ordered, start=1):
        if previous is None or not math.isclose(score, previous, abs_tol=1e-9):
            rank, previous = position, score
        ranks[nomination_id] = rank
    return ranks


def _percentile(sorted_values: Sequence[int], share: float) -> int:
    """The nearest-rank percentile of already sorted values."""
    index = max(0, math.ceil(share * len(sorted_values)) - 1)
    return sorted_values[min(index, len(sorted_values) - 1)]


def calibrate(
    reviews: Iterable[ScoredReview],
    *,
    prior_reviews: int = PRIOR_REVIEWS,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> Calibration:
    """The calibration of one cycle from its submitted reviews (see the module docstring)."""
    reviews = list(reviews)
    mean, spread = mean_and_spread([r.score for r in reviews if r.score is not None])
    panel = Panel(sum(r.score is not None for r in reviews), mean, spread)
    reviewers = _reviewer_figures(reviews, prior_reviews)
    values: dict[int, list[tuple[float, float]]] = defaultdict(list)
    raw: dict[int, list[float]] = defaultdict(list)
    for review in reviews:
        if review.score is None:
            continue
        value = calibrated_value(review.score, reviewers[review.reviewer_id], panel)
        weight = CONFIDENCE_WEIGHTS[review.confidence or Confidence.MEDIUM]
        values[review.nomination_id].append((value, weight))
        raw[review.nomination_id].append(review.score)
    # Sorted by id, so that the generator draws in the same order every time.
    ids = sorted(values)
    point = {nomination_id: _weighted(values[nomination_id]) for nomination_id in ids}
    ranks = _ranks(point)
    drawn: dict[int, list[int]] = {nomination_id: [] for nomination_id in ids}
    rng = random.Random(seed)
    draw = rng.random
    # Each nomination's values premultiplied by their weights: the resampling loop is
    # the costly part (resamples x reviews), so it only sums.
    weighted = [
        (
            nomination_id,
            [v * w for v, w in values[nomination_id]],
            [w for _v, w in values[nomination_id]],
        )
        for nomination_id in ids
    ]
    for _resample in range(resamples if len(ids) > 1 else 0):
        sample = {}
        for nomination_id, products, weights in weighted:
            size = len(products)
            if size == 1:
                sample[nomination_id] = products[0] / weights[0]
                continue
            total = weight = 0.0
            for _draw in range(size):
                index = int(draw() * size)
                total += products[index]
                weight += weights[index]
            sample[nomination_id] = total / weight
        for nomination_id, rank in _ranks(sample).items():
            drawn[nomination_id].append(rank)
    nominations = {}
    for nomination_id in ids:
        band = sorted(drawn[nomination_id]) or [ranks[nomination_id]]
        nominations[nomination_id] = CalibratedScore(
            nomination_id=nomination_id,
            raw=math.fsum(raw[nomination_id]) / len(raw[nomination_id]),
            calibrated=point[nomination_id],
            rank=ranks[nomination_id],
            rank_low=min(_percentile(band, BAND[0]), ranks[nomination_id]),
            rank_high=max(_percentile(band, BAND[1]), ranks[nomination_id]),
            reviews=len(values[nomination_id]),
        )
    return Calibration(panel, reviewers, nominations, prior_reviews)


# Words for the reviewers' page


def _points(value: float) -> tuple[str, int]:
    """A distance in points as the reader writes it (``2.0``, ``2,0``), and the count its
    noun agrees with."""
    shown = numbers.format_decimal(abs(value), format="0.0", locale=i18n.current().locale)
    return shown, 1 if math.isclose(abs(value), 1.0) else 2


def leniency_text(figures: ReviewerFigures) -> str:
    if figures.leniency is None:
        return _("Has not scored a nomination another reviewer scored: no comparison yet.")
    if abs(figures.leniency) < 0.05:
        return _("Scores in line with the panel on average.")
    points, count = _points(figures.leniency)
    if figures.leniency > 0:
        return ngettext(
            "Scores %(points)s point above the panel on average.",
            "Scores %(points)s points above the panel on average.",
            count,
            points=points,
        )
    return ngettext(
        "Scores %(points)s point below the panel on average.",
        "Scores %(points)s points below the panel on average.",
        count,
        points=points,
    )


def agreement_text(figures: ReviewerFigures) -> str:
    if not figures.comparable:
        return _("No recommendation to compare with the panel's yet.")
    return ngettext(
        "Agrees with the panel on %(agreements)d of %(num)d recommendation.",
        "Agrees with the panel on %(agreements)d of %(num)d recommendations.",
        figures.comparable,
        agreements=figures.agreements,
    )


def weight_text(figures: ReviewerFigures) -> str:
    percent = round(100 * figures.weight)
    return ngettext(
        "%(num)d scored review: their scores are %(calibrated)d%% calibrated, "
        "%(given)d%% taken as given.",
        "%(num)d scored reviews: their scores are %(calibrated)d%% calibrated, "
        "%(given)d%% taken as given.",
        figures.scored,
        calibrated=percent,
        given=100 - percent,
    )
