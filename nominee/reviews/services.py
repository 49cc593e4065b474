"""Review operations: appointments, assignment, reviews, conflict declarations, scores.

They check the rules, change state, write audit events and flush; the caller commits.

Scores are aggregated per criterion over submitted reviews and combined as the weighted
mean of the criterion means, never a sum: a missing review or an empty score adds
nothing and takes nothing away. An abstaining reviewer counts as an abstention in the
recommendation counts, and the scores they did give count like any other score (an
abstention is about the recommendation, not the evidence); they may leave criteria
unscored. The results are stored on the nomination (``reviews_submitted``,
``score_mean``, ``recommend_*``, ``disagreement``) so the dashboard sorts and filters on
plain columns. Those counters are not part of the nomination's optimistic lock: two
reviewers submitting at once must both succeed, so ``refresh_scores`` serialises on a
row lock and writes with a plain UPDATE instead.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, delete, exists, func, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from nominee import audit, clock
from nominee.accounts.models import Role, User
from nominee.categories.models import Category
from nominee.clock import today
from nominee.cycles.models import Cycle, CycleStatus, RubricCriterion
from nominee.errors import Conflict, DomainError, PermissionDenied
from nominee.nominations.models import Nomination, NominationStatus
from nominee.reviews import assignment, conflicts, rules
from nominee.reviews.models import (
    Assignment,
    Confidence,
    ConflictDeclaration,
    Recommendation,
    Review,
    ReviewerAppointment,
    ReviewScore,
    ReviewStatus,
)
from nominee.reviews.rules import Standing

STALE_REVIEW = "This review changed since you opened it (in another tab?); reload to see it."
DISAGREEMENT_SPREAD = 2
SCORES = range(1, 6)


# Who stands where


@dataclass(frozen=True)
class Scope:
    """The categories a reviewer is appointed for in one cycle."""

    whole_cycle: bool = False
    category_ids: frozenset[int] = frozenset()

    @property
    def appointed(self) -> bool:
        return self.whole_cycle or bool(self.category_ids)

    def covers(self, category_id: int) -> bool:
        return self.whole_cycle or category_id in self.category_ids


def scope_of(session: Session, cycle_id: int, reviewer_id: int) -> Scope:
    category_ids = session.scalars(
        select(ReviewerAppointment.category_id).where(
            ReviewerAppointment.cycle_id == cycle_id,
            ReviewerAppointment.reviewer_id == reviewer_id,
        )
    ).all()
    return Scope(
        whole_cycle=None in category_ids,
        category_ids=frozenset(c for c in category_ids if c is not None),
    )


def conflicted_ids(session: Session, cycle: Cycle, user: User) -> list[int]:
    """The nominations of ``cycle`` ``user`` is conflicted on, organizers included (rule 9):
    the pages of a cycle leave them out of what they show that user."""
    return list(session.scalars(conflicts.conflicted_nominations(cycle, user.id)))


def undisclosed_conflicts(session: Session, user: User) -> list[int]:
    """The nominations of every cycle not yet published that ``user`` is conflicted on, in
    two queries (the cycles, then one ``conflicts.conflicted_in`` over all of them)."""
    cycles = session.scalars(select(Cycle).where(Cycle.status != CycleStatus.PUBLISHED)).all()
    if not cycles:
        return []
    return list(session.scalars(conflicts.conflicted_in(cycles, user.id)))


def conflicted_on(session: Session, nomination: Nomination, user: User) -> bool:
    """Whether ``user`` is conflicted on ``nomination``: its parties without asking the
    database, anybody else by the conflict rule (one query)."""
    if user.id in (nomination.nominee_id, nomination.nominator_id):
        return True
    return conflicts.is_conflicted(session, nomination, user.id)


def standing(session: Session, nomination: Nomination, user: User) -> Standing:
    """Appointed for the nomination's category? Conflicted on it? Assigned? One query."""
    appointed = exists().where(
        ReviewerAppointment.cycle_id == nomination.cycle_id,
        ReviewerAppointment.reviewer_id == user.id,
        or_(
            ReviewerAppointment.category_id.is_(None),
            ReviewerAppointment.category_id == nomination.category_id,
        ),
    )
    conflicted = literal(nomination.id).in_(
        conflicts.conflicted_nominations(nomination.cycle, user.id)
    )
    assigned = exists().where(
        Assignment.nomination_id == nomination.id, Assignment.reviewer_id == user.id
    )
    row = session.execute(
        select(
            appointed.label("appointed"),
            conflicted.label("conflicted"),
            assigned.label("assigned"),
        )
    )
    appointed_value, conflicted_value, assigned_value = row.one()
    return Standing(
        appointed=bool(appointed_value),
        conflicted=bool(conflicted_value),
        assigned=bool(assigned_value),
    )


def open_as_panel(session: Session, user: User, nomination: Nomination) -> Standing | None:
    """``user``'s standing when they may open the panel's page of ``nomination``.

    None when the page does not exist for them (not appointed for its category, not in
    review yet, their own nomination); ``PermissionDenied`` when they are conflicted.
    """
    position = standing(session, nomination, user)
    if not rules.can_open_nomination(user, nomination, position):
        return None
    if rules.is_turned_away(user, position):
        raise PermissionDenied(rules.CONFLICTED)
    return position


# Appointments


def _require_organizer(actor: User) -> None:
    if not rules.can_manage_reviewers(actor):
        raise PermissionDenied("Only organizers appoint and assign reviewers.")


def appointments(session: Session, cycle: Cycle) -> Sequence[ReviewerAppointment]:
    return session.scalars(
        select(ReviewerAppointment)
        .join(ReviewerAppointment.reviewer)
        .options(joinedload(ReviewerAppointment.reviewer), joinedload(ReviewerAppointment.category))
        .where(ReviewerAppointment.cycle_id == cycle.id)
        .order_by(User.display_name, User.id, ReviewerAppointment.id)
    ).all()


def appoint(
    session: Session, actor: User, cycle: Cycle, reviewer: User, category: Category | None
) -> ReviewerAppointment:
    """Appoint ``reviewer`` for ``category`` of ``cycle``, or (None) for all of it.

    An appointment for the whole cycle replaces the reviewer's per-category ones.
    """
    _require_organizer(actor)
    if cycle.status not in rules.APPOINTABLE_CYCLE_STATUSES:
        raise DomainError("Reviewers cannot change once the cycle is published.")
    if not rules.can_be_appointed(reviewer):
        raise DomainError(
            "Only active reviewers and organizers can be appointed; give them the reviewer "
            "role first.",
            field="reviewer_id",
        )
    if category is not None and category not in cycle.categories:
        raise DomainError("Choose a category of this cycle.", field="category_id")
    current = scope_of(session, cycle.id, reviewer.id)
    if current.whole_cycle:
        raise DomainError(
            f"{reviewer.display_name} is already appointed for the whole cycle.",
            field="reviewer_id",
        )
    if category is not None and category.id in current.category_ids:
        raise DomainError(
            f"{reviewer.display_name} is already appointed for {category.name}.",
            field="category_id",
        )
    if category is None and current.category_ids:
        session.execute(
            delete(ReviewerAppointment).where(
                ReviewerAppointment.cycle_id == cycle.id,
                ReviewerAppointment.reviewer_id == reviewer.id,
            )
        )
    appointment = ReviewerAppointment(cycle=cycle, reviewer=reviewer, category=category)
    session.add(appointment)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict(f"{reviewer.display_name} was just appointed by someone else.") from None
    audit.record(
        session,
        actor,
        "review.reviewer_appointed",
        appointment,
        after={
            "cycle_id": cycle.id,
            "reviewer_id": reviewer.id,
            "category_id": category.id if category else None,
            "replaced_categories": sorted(current.category_ids) if category is None else [],
        },
    )
    return appointment


def remove_appointment(session: Session, actor: User, appointment: ReviewerAppointment) -> int:
    """Remove the appointment and the assignments it no longer covers; reviews stay.

    An assignment whose review is submitted stays with it: a submitted review is final
    and counts only on its reviewer's assignment (see ``unassign``)."""
    _require_organizer(actor)
    cycle = appointment.cycle
    if cycle.status not in rules.APPOINTABLE_CYCLE_STATUSES:
        raise DomainError("Reviewers cannot change once the cycle is published.")
    reviewer_id = appointment.reviewer_id
    before = {
        "cycle_id": cycle.id,
        "reviewer_id": reviewer_id,
        "category_id": appointment.category_id,
    }
    audit_target = {"object_type": "reviewer_appointment", "object_id": appointment.id}
    session.delete(appointment)
    session.flush()
    left = scope_of(session, cycle.id, reviewer_id)
    uncovered = select(Nomination.id).where(Nomination.cycle_id == cycle.id)
    if left.category_ids:
        uncovered = uncovered.where(Nomination.category_id.not_in(left.category_ids))
    removed = 0
    if not left.whole_cycle:
        removed = session.execute(
            delete(Assignment).where(
                Assignment.reviewer_id == reviewer_id,
                Assignment.nomination_id.in_(uncovered),
                ~_submitted_on(Assignment.nomination_id, reviewer_id),
            )
        ).rowcount
    audit.record(
        session,
        actor,
        "review.reviewer_removed",
        **audit_target,
        before=before,
        after={"assignments_removed": removed},
    )
    return removed


# Assignment


CONFLICTED_ORGANIZER = (
    "You have a conflict of interest with this nomination: another organizer assigns its "
    "reviewers and decides it."
)


def _require_unconflicted(session: Session, actor: User, nomination: Nomination) -> None:
    """Rule 9: an organizer conflicted on a nomination does nothing to it."""
    if conflicted_on(session, nomination, actor):
        raise PermissionDenied(CONFLICTED_ORGANIZER)


def _require_in_review(nomination: Nomination) -> None:
    if (
        nomination.status is not NominationStatus.IN_REVIEW
        or nomination.cycle.status is not CycleStatus.IN_REVIEW
    ):
        raise DomainError("Reviewers are assigned only to nominations in review.")


def assign(session: Session, actor: User, nomination: Nomination, reviewer: User) -> Assignment:
    _require_organizer(actor)
    _require_unconflicted(session, actor, nomination)
    _require_in_review(nomination)
    if not rules.can_be_appointed(reviewer) or not scope_of(
        session, nomination.cycle_id, reviewer.id
    ).covers(nomination.category_id):
        raise DomainError(
            f"{reviewer.display_name} is not appointed for {nomination.category.name} in "
            "this cycle.",
            field="reviewer_id",
        )
    found = conflicts.causes(session, nomination, reviewer.id)
    if found:
        raise DomainError(
            f"{reviewer.display_name} has a conflict of interest: "
            + "; ".join(cause.text for cause in found)
            + ".",
            field="reviewer_id",
        )
    if session.get(Assignment, (nomination.id, reviewer.id)) is not None:
        raise DomainError(f"{reviewer.display_name} is already assigned.", field="reviewer_id")
    assigned = Assignment(nomination=nomination, reviewer=reviewer, assigned_by_id=actor.id)
    session.add(assigned)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict(f"{reviewer.display_name} was just assigned by someone else.") from None
    audit.record(
        session,
        actor,
        "review.assigned",
        nomination,
        after={"reviewer_id": reviewer.id},
    )
    return assigned


def _submitted_on(nomination_id, reviewer_id):
    """Has ``reviewer_id`` submitted a review of ``nomination_id``? (SQL)"""
    return exists().where(
        Review.nomination_id == nomination_id,
        Review.reviewer_id == reviewer_id,
        Review.status == ReviewStatus.SUBMITTED,
    )


def unassign(session: Session, actor: User, nomination: Nomination, reviewer: User) -> None:
    """Take ``reviewer`` off the panel of ``nomination``, unless their review is submitted:
    it is final and counts, so its reviewer stays assigned (only assigned reviewers' reviews
    count, and a nomination never gets more of them than its panel)."""
    _require_organizer(actor)
    _require_unconflicted(session, actor, nomination)
    _require_in_review(nomination)
    assigned = session.get(Assignment, (nomination.id, reviewer.id))
    if assigned is None:
        raise DomainError(f"{reviewer.display_name} is not assigned to this nomination.")
    if session.scalar(select(_submitted_on(nomination.id, reviewer.id))):
        raise DomainError(
            f"{reviewer.display_name} has submitted their review of this nomination; a "
            "submitted review is final and counts, so they stay assigned."
        )
    session.delete(assigned)
    session.flush()
    audit.record(
        session,
        actor,
        "review.unassigned",
        nomination,
        before={"reviewer_id": reviewer.id},
    )


@dataclass
class AutoAssignment:
    added: list[tuple[int, int]]
    short: list[int]  # nominations left with fewer than K reviewers (nobody else eligible)
    left_out: int = 0  # nominations the acting organizer is conflicted on, left untouched


def appointed_scopes(session: Session, cycle: Cycle) -> dict[int, frozenset[int] | None]:
    """Every reviewer who may take assignments in ``cycle``: their categories, None for all."""
    rows = session.execute(
        select(ReviewerAppointment.reviewer_id, ReviewerAppointment.category_id)
        .join(User, User.id == ReviewerAppointment.reviewer_id)
        .where(
            ReviewerAppointment.cycle_id == cycle.id,
            User.is_active_account.is_(True),
            User.role.in_((Role.REVIEWER, Role.ORGANIZER)),
        )
    )
    categories: dict[int, set[int]] = defaultdict(set)
    whole: set[int] = set()
    for reviewer_id, category_id in rows:
        if category_id is None:
            whole.add(reviewer_id)
        else:
            categories[reviewer_id].add(category_id)
    scopes: dict[int, frozenset[int] | None] = {r: frozenset(c) for r, c in categories.items()}
    scopes.update(dict.fromkeys(whole))
    return scopes


def auto_assign(session: Session, actor: User | None, cycle: Cycle) -> AutoAssignment:
    """Give each nomination in review ``cycle.reviewers_per_nomination`` reviewers.

    ``actor`` None is the programme itself (seed data, scripts). See
    ``nominee.reviews.assignment`` for how the load is spread. The nominations the
    acting organizer is conflicted on are left for another organizer (rule 9).
    """
    if actor is not None:
        _require_organizer(actor)
    if cycle.status is not CycleStatus.IN_REVIEW:
        raise DomainError("Reviewers are assigned once the cycle is in review.")
    k = cycle.reviewers_per_nomination
    scopes = appointed_scopes(session, cycle)
    mine = set(conflicted_ids(session, cycle, actor)) if actor is not None else set()
    seats, left_out = [], 0
    for row in session.execute(
        select(Nomination.id, Nomination.category_id)
        .where(Nomination.cycle_id == cycle.id, Nomination.status == NominationStatus.IN_REVIEW)
        .order_by(Nomination.id)
    ):
        if row.id in mine:
            left_out += 1
        else:
            seats.append(assignment.Seat(row.id, row.category_id))
    existing: dict[int, set[int]] = defaultdict(set)
    loads: Counter[int] = Counter()
    for nomination_id, reviewer_id in session.execute(
        select(Assignment.nomination_id, Assignment.reviewer_id)
        .join(Nomination, Nomination.id == Assignment.nomination_id)
        .where(Nomination.cycle_id == cycle.id)
    ):
        existing[nomination_id].add(reviewer_id)
        loads[reviewer_id] += 1
    conflicted = set(conflicts.find_conflicts(session, cycle, scopes))
    pairs = assignment.plan(seats, scopes, existing, conflicted, k, loads)
    session.add_all(
        Assignment(nomination_id=n, reviewer_id=r, assigned_by_id=actor.id if actor else None)
        for n, r in pairs
    )
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict("Assignments changed while this ran; run it again.") from None
    for nomination_id, reviewer_id in pairs:
        existing[nomination_id].add(reviewer_id)
    short = [seat.nomination_id for seat in seats if len(existing[seat.nomination_id]) < k]
    audit.record(
        session,
        actor,
        "review.auto_assigned",
        cycle,
        after={"added": len(pairs), "pairs": [list(p) for p in pairs], "short": len(short)},
    )
    return AutoAssignment(added=pairs, short=short, left_out=left_out)


@dataclass
class Load:
    reviewer: User
    categories: list[Category | None] = field(default_factory=list)  # None: all of them
    assigned: int = 0
    submitted: int = 0
    drafts: int = 0


def reviewer_loads(session: Session, cycle: Cycle) -> list[Load]:
    """Per appointed reviewer: assignments and reviews in ``cycle``. Three queries."""
    loads: dict[int, Load] = {}
    for appointment in appointments(session, cycle):
        load = loads.setdefault(appointment.reviewer_id, Load(appointment.reviewer))
        load.categories.append(appointment.category)
    in_cycle = select(Nomination.id).where(Nomination.cycle_id == cycle.id)
    for reviewer_id, count in session.execute(
        select(Assignment.reviewer_id, func.count())
        .where(Assignment.nomination_id.in_(in_cycle))
        .group_by(Assignment.reviewer_id)
    ):
        if reviewer_id in loads:
            loads[reviewer_id].assigned = count
    for reviewer_id, status, count in session.execute(
        select(Review.reviewer_id, Review.status, func.count())
        .where(Review.nomination_id.in_(in_cycle))
        .group_by(Review.reviewer_id, Review.status)
    ):
        if reviewer_id in loads:
            if status is ReviewStatus.SUBMITTED:
                loads[reviewer_id].submitted = count
            else:
                loads[reviewer_id].drafts = count
    return list(loads.values())


# Reviews


@dataclass
class ReviewInput:
    scores: Mapping[int, int | None]  # by criterion id; None: not scored
    confidence: Confidence | None = None
    recommendation: Recommendation | None = None
    panel_comment: str = ""
    nominee_feedback: str = ""


def reviews_of(session: Session, nomination: Nomination) -> list[Review]:
    """Every review of ``nomination`` with reviewer and scores, in one query."""
    return list(
        session.scalars(
            select(Review)
            .where(Review.nomination_id == nomination.id)
            .options(joinedload(Review.reviewer), joinedload(Review.scores))
            .order_by(Review.submitted_at.is_(None), Review.submitted_at, Review.id)
        ).unique()
    )


def _snapshot(review: Review) -> dict:
    return {
        "status": review.status,
        "recommendation": review.recommendation,
        "confidence": review.confidence,
        "scores": {str(s.criterion_id): s.score for s in review.scores},
    }


def _check_values(criteria: Sequence[RubricCriterion], data: ReviewInput, complete: bool):
    known = {criterion.id for criterion in criteria}
    if set(data.scores) - known:
        raise DomainError("Score only the criteria of this cycle's rubric.")
    for criterion_id, score in data.scores.items():
        if score is not None and score not in SCORES:
            raise DomainError("Scores go from 1 to 5.", field=f"score_{criterion_id}")
    if not complete:
        return
    if data.recommendation is None:
        raise DomainError("Choose a recommendation before submitting.", field="recommendation")
    if data.confidence is None:
        raise DomainError("Say how confident you are before submitting.", field="confidence")
    if data.recommendation is not Recommendation.ABSTAIN:
        missing = [c for c in criteria if data.scores.get(c.id) is None]
        if missing:
            raise DomainError(
                "Score every criterion before submitting (or recommend abstain): "
                + ", ".join(c.name for c in missing)
                + ".",
                field=f"score_{missing[0].id}",
            )


def save_review(
    session: Session,
    reviewer: User,
    nomination: Nomination,
    data: ReviewInput,
    *,
    submit: bool,
    version: int,
    on: date | None = None,
    position: Standing | None = None,
) -> Review:
    """Save ``reviewer``'s review of ``nomination`` as a draft, or submit it.

    ``version`` is the review's version the form was opened with (0: no review yet): a
    review saved meanwhile from elsewhere refuses the save instead of being overwritten.
    Only appointed, assigned, non-conflicted reviewers write, until the review close date,
    while the cycle is in review (rule 3). A draft changes freely; a submitted review is
    final (rule 4: it opened the other reviews, or, an abstention without every score,
    never will). ``position`` is the reviewer's standing when the caller has just read it
    in this transaction.
    """
    position = position or standing(session, nomination, reviewer)
    refusal = rules.review_refusal(reviewer, nomination, position, on or today())
    if refusal:
        raise PermissionDenied(refusal)
    review = (
        session.scalars(
            select(Review)
            .where(Review.nomination_id == nomination.id, Review.reviewer_id == reviewer.id)
            .options(joinedload(Review.scores))
        )
        .unique()
        .one_or_none()
    )
    if (review.version if review else 0) != version:
        raise Conflict(STALE_REVIEW)
    if refusal := rules.review_refusal(reviewer, nomination, position, on or today(), review):
        raise PermissionDenied(refusal)
    criteria = nomination.cycle.criteria
    _check_values(criteria, data, complete=submit)
    before = _snapshot(review) if review else None
    if review is None:
        review = Review(nomination=nomination, reviewer=reviewer, status=ReviewStatus.DRAFT)
        session.add(review)
    review.confidence = data.confidence
    review.recommendation = data.recommendation
    review.panel_comment = data.panel_comment.strip()
    review.nominee_feedback = data.nominee_feedback.strip()
    kept = {score.criterion_id: score for score in review.scores}
    for criterion in criteria:
        value = data.scores.get(criterion.id)
        if value is None:
            if criterion.id in kept:
                review.scores.remove(kept[criterion.id])
        elif criterion.id in kept:
            kept[criterion.id].score = value
        else:
            review.scores.append(ReviewScore(criterion_id=criterion.id, score=value))
    now = clock.now()
    # Always touch the row: the UPDATE carries the version check even when only scores moved.
    review.updated_at = now
    if submit:
        review.status = ReviewStatus.SUBMITTED
        review.submitted_at = now
        review.reads_others = rules.reads_others(review.status, len(review.scores), len(criteria))
    try:
        with session.begin_nested():
            session.flush()
    except (StaleDataError, IntegrityError):
        raise Conflict(STALE_REVIEW) from None
    action = "review.submitted" if submit else "review.draft_saved"
    audit.record(session, reviewer, action, review, before=before, after=_snapshot(review))
    if review.status is ReviewStatus.SUBMITTED:
        refresh_scores(session, nomination)
    return review


def declare_conflict(
    session: Session, reviewer: User, nomination: Nomination, reason: str
) -> ConflictDeclaration:
    """The reviewer steps aside: their assignment and their review of it are removed."""
    if not rules.can_declare_conflict(
        reviewer, nomination, standing(session, nomination, reviewer)
    ):
        raise PermissionDenied("Only reviewers of this nomination can declare a conflict on it.")
    reason = " ".join(reason.split())
    if not reason:
        raise DomainError("Say briefly what the conflict is.", field="reason")
    if len(reason) > 500:
        raise DomainError("At most 500 characters.", field="reason")
    if session.scalar(
        select(ConflictDeclaration.id).where(
            ConflictDeclaration.nomination_id == nomination.id,
            ConflictDeclaration.reviewer_id == reviewer.id,
        )
    ):
        raise DomainError("You already declared a conflict on this nomination.")
    declaration = ConflictDeclaration(
        nomination_id=nomination.id, reviewer_id=reviewer.id, reason=reason
    )
    session.add(declaration)
    unassigned = session.execute(
        delete(Assignment).where(
            Assignment.nomination_id == nomination.id, Assignment.reviewer_id == reviewer.id
        )
    ).rowcount
    review = session.scalar(
        select(Review).where(
            Review.nomination_id == nomination.id, Review.reviewer_id == reviewer.id
        )
    )
    removed_status = review.status if review else None
    if review is not None:
        session.delete(review)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict("You already declared a conflict on this nomination.") from None
    audit.record(
        session,
        reviewer,
        "review.conflict_declared",
        nomination,
        after={
            "reviewer_id": reviewer.id,
            "reason": reason,
            "unassigned": bool(unassigned),
            "review_removed": removed_status,
        },
    )
    if removed_status is ReviewStatus.SUBMITTED:
        refresh_scores(session, nomination)
    return declaration


def nominee_feedback(session: Session, nomination: Nomination, viewer: User) -> list[str]:
    """The reviewers' feedback for the nominee, unsigned, once the cycle is published."""
    if not rules.feedback_visible(viewer, nomination):
        return []
    return list(
        session.scalars(
            select(Review.nominee_feedback)
            .where(
                Review.nomination_id == nomination.id,
                Review.status == ReviewStatus.SUBMITTED,
                Review.nominee_feedback != "",
            )
            .order_by(Review.submitted_at, Review.id)
        )
    )


# Scores


@dataclass(frozen=True)
class CriterionStat:
    criterion: RubricCriterion
    count: int = 0
    mean: float | None = None
    spread: int | None = None  # highest minus lowest score

    @property
    def disagreement(self) -> bool:
        return self.spread is not None and self.spread >= DISAGREEMENT_SPREAD


def weighted_mean(
    criteria: Iterable[RubricCriterion], means: Mapping[int, float | None]
) -> float | None:
    """The weighted mean of the criterion means, over the criteria that have a score."""
    total = weight = 0.0
    for criterion in criteria:
        mean = means.get(criterion.id)
        if mean is not None:
            total += criterion.weight * mean
            weight += criterion.weight
    return total / weight if weight else None


def criterion_stats(session: Session, nomination: Nomination) -> list[CriterionStat]:
    """Per rubric criterion, over submitted reviews: number of scores, mean and spread."""
    scores: dict[int, list[int]] = defaultdict(list)
    for criterion_id, score in session.execute(
        select(ReviewScore.criterion_id, ReviewScore.score)
        .join(Review, Review.id == ReviewScore.review_id)
        .where(Review.nomination_id == nomination.id, Review.status == ReviewStatus.SUBMITTED)
    ):
        scores[criterion_id].append(score)
    return _stats(nomination.cycle.criteria, scores)


def stats_from_reviews(
    criteria: Sequence[RubricCriterion], reviews: Iterable[Review]
) -> list[CriterionStat]:
    """``criterion_stats`` from reviews already loaded (the reviewer's page has them)."""
    scores: dict[int, list[int]] = defaultdict(list)
    for review in reviews:
        if review.status is ReviewStatus.SUBMITTED:
            for score in review.scores:
                scores[score.criterion_id].append(score.score)
    return _stats(criteria, scores)


def _stats(
    criteria: Iterable[RubricCriterion], scores: Mapping[int, list[int]]
) -> list[CriterionStat]:
    return [
        CriterionStat(criterion, len(given), sum(given) / len(given), max(given) - min(given))
        if (given := scores.get(criterion.id))
        else CriterionStat(criterion)
        for criterion in criteria
    ]


def criterion_means_for_cycle(session: Session, cycle_id: int) -> dict[int, dict[int, float]]:
    """Mean submitted score by nomination id, then criterion id, for a whole cycle (one query)."""
    means: dict[int, dict[int, float]] = defaultdict(dict)
    for nomination_id, criterion_id, mean in session.execute(
        select(Review.nomination_id, ReviewScore.criterion_id, func.avg(ReviewScore.score))
        .join(ReviewScore, ReviewScore.review_id == Review.id)
        .join(Nomination, Nomination.id == Review.nomination_id)
        .where(Nomination.cycle_id == cycle_id, Review.status == ReviewStatus.SUBMITTED)
        .group_by(Review.nomination_id, ReviewScore.criterion_id)
    ):
        means[nomination_id][criterion_id] = float(mean)
    return dict(means)


def refresh_scores(session: Session, nomination: Nomination) -> None:
    """Recompute the review aggregates stored on ``nomination`` from its submitted reviews."""
    if session.get_bind().dialect.name != "sqlite":
        # Concurrent submissions queue here, so the last one sees every review. NO KEY
        # UPDATE does not wait for the key-share locks the review inserts hold. (SQLite
        # runs one writer at a time: BEGIN IMMEDIATE, see nominee.db.)
        session.execute(
            select(Nomination.id)
            .where(Nomination.id == nomination.id)
            .with_for_update(key_share=True)
        )
    recommendation_of: dict[int, Recommendation] = {}
    scores: dict[int, list[int]] = defaultdict(list)
    for review_id, recommendation, criterion_id, score in session.execute(
        select(Review.id, Review.recommendation, ReviewScore.criterion_id, ReviewScore.score)
        .outerjoin(ReviewScore, ReviewScore.review_id == Review.id)
        .where(Review.nomination_id == nomination.id, Review.status == ReviewStatus.SUBMITTED)
    ):
        recommendation_of[review_id] = recommendation
        if criterion_id is not None:
            scores[criterion_id].append(score)
    recommendations = Counter(recommendation_of.values())
    stats = _stats(nomination.cycle.criteria, scores)
    values = {
        "reviews_submitted": sum(recommendations.values()),
        "score_mean": weighted_mean(
            (s.criterion for s in stats), {s.criterion.id: s.mean for s in stats}
        ),
        "recommend_award": recommendations[Recommendation.AWARD],
        "recommend_decline": recommendations[Recommendation.DECLINE],
        "recommend_abstain": recommendations[Recommendation.ABSTAIN],
        "disagreement": any(s.disagreement for s in stats),
    }
    session.execute(
        update(Nomination)
        .where(Nomination.id == nomination.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    for key, value in values.items():
        set_committed_value(nomination, key, value)


def assignments_of(
    session: Session, nomination_ids: Sequence[int]
) -> dict[int, list[tuple[User, ReviewStatus | None]]]:
    """The reviewers assigned to each nomination, with the status of their review."""
    found: dict[int, list[tuple[User, ReviewStatus | None]]] = defaultdict(list)
    if not nomination_ids:
        return found
    rows = session.execute(
        select(Assignment.nomination_id, User, Review.status)
        .join(User, User.id == Assignment.reviewer_id)
        .outerjoin(
            Review,
            and_(
                Review.nomination_id == Assignment.nomination_id,
                Review.reviewer_id == Assignment.reviewer_id,
            ),
        )
        .where(Assignment.nomination_id.in_(nomination_ids))
        .order_by(User.display_name, User.id)
    )
    for nomination_id, reviewer, status in rows:
        found[nomination_id].append((reviewer, status))
    return found
