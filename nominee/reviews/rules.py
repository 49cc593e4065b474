"""Who may see the review queue, write a review and read the others (rules 3, 4 and 5).

The functions take what the services and views already loaded: the user, the
nomination, and the reviewer's ``Standing`` on it (appointed for its category? conflicted?),
which ``nominee.reviews.queries.standing`` computes in one query.

Also the score rule, the one place it is written: scores are aggregated per criterion
over submitted reviews and combined as the weighted mean of the criterion means, never a
sum, so a missing review or an empty score adds nothing and takes nothing away
(``stats_by_criterion``, ``weighted_mean``); reviewers disagree on a criterion when its
scores lie ``DISAGREEMENT_SPREAD`` or more apart.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from nominee.accounts.models import User
from nominee.cycles.models import Cycle, CycleStatus, RubricCriterion
from nominee.i18n import N_, _, ngettext
from nominee.nominations.models import Nomination, NominationStatus
from nominee.reviews.models import Review, ReviewStatus

# Nominations that reached the panel: the queue shows them, decided ones included.
QUEUE_STATUSES = (NominationStatus.IN_REVIEW, NominationStatus.AWARDED, NominationStatus.DECLINED)
# Appointments are prepared before the review and frozen once results are public.
APPOINTABLE_CYCLE_STATUSES = frozenset(
    {CycleStatus.DRAFT, CycleStatus.OPEN, CycleStatus.IN_REVIEW, CycleStatus.DECIDED}
)


@dataclass(frozen=True)
class Standing:
    """A user's position towards one nomination."""

    appointed: bool  # appointed to the cycle for the nomination's category (or all of it)
    conflicted: bool
    assigned: bool = False  # an organizer (or the automatic plan) put them on its panel
    cleared_here: bool = False  # an organizer cleared someone's conflict on the nomination


def can_manage_reviewers(user: User) -> bool:
    return user.is_authenticated and user.is_organizer


def can_be_appointed(user: User) -> bool:
    return user.is_active and user.is_reviewer


def can_see_queue(user: User, *, appointed: bool) -> bool:
    """Organizers, and reviewers appointed to the cycle (for any category)."""
    return user.is_authenticated and (user.is_organizer or (user.is_reviewer and appointed))


def can_open_nomination(user: User, nomination: Nomination, standing: Standing) -> bool:
    """May see the reviewer's page of this nomination at all.

    Nobody opens the panel's page of their own nomination, organizers included. A
    reviewer needs an appointment covering its category; a conflicted reviewer is turned
    away separately (``is_turned_away``) so that the refusal can say why.
    """
    if not user.is_authenticated or user.id == nomination.nominee_id:
        return False
    if nomination.status not in QUEUE_STATUSES:
        return False
    return user.is_organizer or (user.is_reviewer and standing.appointed)


def is_turned_away(user: User, standing: Standing) -> bool:
    """A conflicted reviewer neither reads nor writes; nor does a conflicted organizer
    (rule 9: the same conflict rule binds organizers)."""
    return standing.conflicted


def review_window_open(cycle: Cycle, today: date) -> bool:
    return cycle.status is CycleStatus.IN_REVIEW and today <= cycle.review_close_on


CONFLICTED = N_(
    "You have a conflict of interest with this nomination, so you can neither see its "
    "reviews nor review it."
)
FINAL = N_(
    "Your review is submitted and final: once the other reviews are open to you, your "
    "scores and recommendation no longer change."
)
FINAL_BLIND = N_(
    "Your review is submitted and final. You abstained without scoring every criterion, "
    "so the other reviews of this nomination stay closed to you."
)


def review_refusal(
    user: User, nomination: Nomination, standing: Standing, today: date, own: Review | None = None
) -> str:
    """Why ``user`` may not write a review of ``nomination`` now; empty when they may.

    Only appointed, assigned, non-conflicted reviewers write; drafts change freely, a
    submitted review (``own``) is final.
    """
    if not user.is_reviewer or not standing.appointed:
        return _("Only reviewers appointed for this category review it.")
    if standing.conflicted or user.id == nomination.nominee_id:
        return _("You have a conflict of interest with this nomination, so you cannot review it.")
    if not standing.assigned:
        return _(
            "Only the reviewers assigned to this nomination review it; an organizer assigns "
            "reviewers on the cycle's assignments page."
        )
    if own is not None and own.status is ReviewStatus.SUBMITTED:
        return _(FINAL) if own.reads_others else _(FINAL_BLIND)
    if nomination.status is not NominationStatus.IN_REVIEW:
        return _("This nomination is no longer in review.")
    if not review_window_open(nomination.cycle, today):
        if nomination.cycle.status is not CycleStatus.IN_REVIEW:
            return _("Reviews are written only while the cycle is in review.")
        return _("The review period of this cycle is over.")
    return ""


def can_write_review(
    user: User, nomination: Nomination, standing: Standing, today: date, own: Review | None = None
) -> bool:
    return not review_refusal(user, nomination, standing, today, own)


def reads_others(status: ReviewStatus, scores: int, criteria: int) -> bool:
    """Does a review in ``status`` with ``scores`` of ``criteria`` open the other reviews?

    Submitted, and every criterion scored: an abstention without every score does not.
    """
    return status is ReviewStatus.SUBMITTED and scores >= criteria


def can_read_reviews(
    user: User, nomination: Nomination, standing: Standing, own: Review | None
) -> bool:
    """Rule 4: the other reviews only after one's own is submitted with every score (then
    it is final); organizers read all (but those they are conflicted on)."""
    if not can_open_nomination(user, nomination, standing) or is_turned_away(user, standing):
        return False
    return user.is_organizer or (
        own is not None and own.status is ReviewStatus.SUBMITTED and own.reads_others
    )


def sees_scores(user: User, my_reads_others: bool | None) -> bool:
    """On a queue row: organizers always, a reviewer once their own review opened the
    others (``Review.reads_others``)."""
    return user.is_organizer or bool(my_reads_others)


def can_declare_conflict(user: User, nomination: Nomination, standing: Standing) -> bool:
    return (
        user.is_reviewer
        and standing.appointed
        and nomination.status is NominationStatus.IN_REVIEW
        and nomination.cycle.status is CycleStatus.IN_REVIEW
    )


def feedback_visible(user: User, nomination: Nomination) -> bool:
    """Reviewers' feedback for the nominee: to the nominee alone, once results are public."""
    return (
        user.is_authenticated
        and user.id == nomination.nominee_id
        and nomination.cycle.status is CycleStatus.PUBLISHED
    )


# Assignment


def covers(scope: frozenset[int] | None, category_id: int) -> bool:
    """Does an appointment scope (its categories; None: the whole cycle) cover a category?"""
    return scope is None or category_id in scope


def may_join_panel(
    scope: frozenset[int] | None,
    nomination_id: int,
    category_id: int,
    reviewer_id: int,
    on_it: Iterable[int],
    conflicted: Iterable[tuple[int, int]],
) -> bool:
    """An appointed reviewer is a candidate for a nomination's panel when their
    appointment covers its category, they are not on it yet and not conflicted on it."""
    return (
        covers(scope, category_id)
        and reviewer_id not in on_it
        and (nomination_id, reviewer_id) not in conflicted
    )


def may_join_of(
    covering: Iterable[int],
    nomination_id: int,
    on_it: Container[int],
    conflicted: Container[tuple[int, int]],
) -> list[int]:
    """``may_join_panel`` for many reviewers at once, all appointed for the nomination's
    category (``covering``, whose order is kept): those not on its panel nor conflicted
    on it. The assignments page asks it of 40 reviewers on each of its 25 rows."""
    return [r for r in covering if r not in on_it and (nomination_id, r) not in conflicted]


CAUSE_WORDS = {
    "nominee": N_("is the nominee"),
    "nominator": N_("nominated them"),
    "endorsed": N_("endorsed them"),
    "endorsed_by": N_("was endorsed by them"),
    "declared": N_("declared a conflict"),
}


def why_short(
    k: int,
    reachable: int,
    category: str,
    covering: int,
    conflicted: Sequence[tuple[str, Sequence[str]]],
    outside: int,
) -> str | None:
    """Why a nomination cannot reach ``k`` reviewers, or None when it can: ``reachable``
    is its panel plus who may still join; ``covering`` the appointed reviewers of its
    ``category``; ``conflicted`` those of them conflicted, as (name, cause kinds);
    ``outside`` the appointed reviewers of other categories only."""
    if reachable >= k:
        return None
    counts = {"reachable": reachable, "needed": k, "category": category}
    if not covering:
        found = _(
            "At most %(reachable)d of %(needed)d reviewers: nobody is appointed for %(category)s.",
            **counts,
        )
    elif not conflicted:
        found = ngettext(
            "At most %(reachable)d of %(needed)d reviewers: %(num)d reviewer is appointed for "
            "%(category)s.",
            "At most %(reachable)d of %(needed)d reviewers: %(num)d reviewers are appointed for "
            "%(category)s.",
            covering,
            **counts,
        )
    else:
        people = "; ".join(
            _(
                "%(name)s %(causes)s",
                name=name,
                causes=", ".join(
                    _(CAUSE_WORDS[kind]) if kind in CAUSE_WORDS else kind for kind in kinds
                ),
            )
            for name, kinds in conflicted
        )
        found = ngettext(
            "At most %(reachable)d of %(needed)d reviewers: %(num)d reviewer is appointed for "
            "%(category)s, %(conflicted)d of them conflicted (%(people)s).",
            "At most %(reachable)d of %(needed)d reviewers: %(num)d reviewers are appointed for "
            "%(category)s, %(conflicted)d of them conflicted (%(people)s).",
            covering,
            conflicted=len(conflicted),
            people=people,
            **counts,
        )
    sentences = [found]
    if outside:
        sentences.append(
            ngettext(
                "%(num)d other appointed reviewer reviews other categories only.",
                "%(num)d other appointed reviewers review other categories only.",
                outside,
            )
        )
    sentences.append(_("Clear a detected conflict, or appoint more reviewers."))
    return " ".join(sentences)


# Scores

DISAGREEMENT_SPREAD = 2
SCORES = range(1, 6)


class Weighted(Protocol):
    """A rubric criterion as the score rule reads it (a model or a selected row)."""

    @property
    def id(self) -> int: ...

    @property
    def weight(self) -> float: ...


@dataclass(frozen=True)
class CriterionStat:
    criterion: RubricCriterion
    count: int = 0
    mean: float | None = None
    low: int | None = None
    high: int | None = None

    @property
    def spread(self) -> int | None:
        """Highest minus lowest score."""
        return None if self.low is None or self.high is None else self.high - self.low

    @property
    def disagreement(self) -> bool:
        return self.spread is not None and self.spread >= DISAGREEMENT_SPREAD


def weighted_mean(criteria: Iterable[Weighted], means: Mapping[int, float | None]) -> float | None:
    """The weighted mean of the criterion means, over the criteria that have a score."""
    total = weight = 0.0
    for criterion in criteria:
        mean = means.get(criterion.id)
        if mean is not None:
            total += criterion.weight * mean
            weight += criterion.weight
    return total / weight if weight else None


def stats_by_criterion(
    criteria: Iterable[RubricCriterion], scores: Mapping[int, Sequence[int]]
) -> list[CriterionStat]:
    """Per criterion (in ``criteria`` order): number of scores, mean, lowest and highest,
    from the submitted scores by criterion id."""
    return [
        CriterionStat(criterion, len(given), sum(given) / len(given), min(given), max(given))
        if (given := scores.get(criterion.id))
        else CriterionStat(criterion)
        for criterion in criteria
    ]


def stats_from_reviews(
    criteria: Sequence[RubricCriterion], reviews: Iterable[Review]
) -> list[CriterionStat]:
    """``stats_by_criterion`` from reviews already loaded with their scores (the
    reviewer's page has them); drafts do not count."""
    scores: dict[int, list[int]] = defaultdict(list)
    for review in reviews:
        if review.status is ReviewStatus.SUBMITTED:
            for score in review.scores:
                scores[score.criterion_id].append(score.score)
    return stats_by_criterion(criteria, scores)


def score_mean(stats: Sequence[CriterionStat]) -> float | None:
    """A nomination's score: the weighted mean of its criterion means."""
    return weighted_mean((s.criterion for s in stats), {s.criterion.id: s.mean for s in stats})
