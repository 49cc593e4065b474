"""Review operations: appointments, assignment, reviews, conflict declarations, scores.

They take the session and the acting user, check the rules, change state, write audit
events and flush; the request (or ``uow.unit_of_work``) commits. Their reads are
``nominee.reviews.queries``.

The score rule (``nominee.reviews.rules``: the weighted mean of the criterion means over
submitted reviews) is applied here as a review is submitted, and its results are stored
on the nomination (``reviews_submitted``, ``score_mean``, ``recommend_*``,
``disagreement``) so the dashboard sorts and filters on plain columns. An abstaining
reviewer counts as an abstention in the recommendation counts, and the scores they did
give count like any other score (an abstention is about the recommendation, not the
evidence); they may leave criteria unscored. Those counters are not part of the
nomination's optimistic lock: two reviewers submitting at once must both succeed, so
``refresh_scores`` serialises on a row lock and writes with a plain UPDATE instead.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import CursorResult, Delete, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from nominee import activity, audit, clock, events, i18n
from nominee.accounts.models import User
from nominee.accounts.rules import awaits_verification
from nominee.categories.models import Category
from nominee.cycles.models import Cycle, CycleStatus, RubricCriterion
from nominee.errors import Conflict, DomainError, PermissionDenied
from nominee.i18n import N_, _
from nominee.nominations.models import Nomination, NominationStatus
from nominee.notifications.services import notify
from nominee.reviews import assignment, rules
from nominee.reviews.models import (
    Assignment,
    Confidence,
    ConflictClearance,
    ConflictDeclaration,
    Recommendation,
    Review,
    ReviewerAppointment,
    ReviewScore,
    ReviewStatus,
)
from nominee.reviews.queries import (
    Cause,
    appointed_scopes,
    causes,
    clearable,
    conflicted_ids,
    conflicted_on,
    find_conflicts,
    scope_of,
    standing,
    submitted_review,
)
from nominee.reviews.rules import Standing

STALE_REVIEW = N_("This review changed since you opened it (in another tab?); reload to see it.")


def _deleted(session: Session, statement: Delete) -> int:
    """Run a bulk DELETE; how many rows it removed."""
    result = session.execute(statement)
    assert isinstance(result, CursorResult)
    return result.rowcount


# Appointments


def _require_organizer(actor: User) -> None:
    if not rules.can_manage_reviewers(actor):
        raise PermissionDenied(_("Only organizers appoint and assign reviewers."))


def appoint(
    session: Session, actor: User, cycle: Cycle, reviewer: User, category: Category | None
) -> ReviewerAppointment:
    """Appoint ``reviewer`` for ``category`` of ``cycle``, or (None) for all of it.

    An appointment for the whole cycle replaces the reviewer's per-category ones.
    """
    _require_organizer(actor)
    if cycle.status not in rules.APPOINTABLE_CYCLE_STATUSES:
        raise DomainError(_("Reviewers cannot change once the cycle is published."))
    if not rules.can_be_appointed(reviewer):
        raise DomainError(
            _(
                "Only active reviewers and organizers can be appointed; give them the "
                "reviewer role first."
            ),
            field="reviewer_id",
        )
    if awaits_verification(reviewer):
        raise DomainError(
            _(
                "%(name)s has not confirmed their email address yet; they can be appointed "
                "once they have.",
                name=reviewer.display_name,
            ),
            field="reviewer_id",
        )
    if category is not None and category not in cycle.categories:
        raise DomainError(_("Choose a category of this cycle."), field="category_id")
    current = scope_of(session, cycle.id, reviewer.id)
    if current.whole_cycle:
        raise DomainError(
            _("%(name)s is already appointed for the whole cycle.", name=reviewer.display_name),
            field="reviewer_id",
        )
    if category is not None and category.id in current.category_ids:
        raise DomainError(
            _(
                "%(name)s is already appointed for %(category)s.",
                name=reviewer.display_name,
                category=category.name,
            ),
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
        raise Conflict(
            _("%(name)s was just appointed by someone else.", name=reviewer.display_name)
        ) from None
    # The kept loads count the reviewers appointed when they were counted.
    activity.review_work_changed(session, cycle.id)
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
    notify(
        session,
        reviewer.id,
        "reviewer.appointed",
        cycle_id=cycle.id,
        cycle=cycle.name,
        scope=category.name if category is not None else "",
        review_close_on=cycle.review_close_on,
    )
    return appointment


def remove_appointment(session: Session, actor: User, appointment: ReviewerAppointment) -> int:
    """Remove the appointment and the assignments it no longer covers; reviews stay.

    An assignment whose review is submitted stays with it: a submitted review is final
    and counts only on its reviewer's assignment (see ``unassign``)."""
    _require_organizer(actor)
    cycle = appointment.cycle
    if cycle.status not in rules.APPOINTABLE_CYCLE_STATUSES:
        raise DomainError(_("Reviewers cannot change once the cycle is published."))
    reviewer_id = appointment.reviewer_id
    before = {
        "cycle_id": cycle.id,
        "reviewer_id": reviewer_id,
        "category_id": appointment.category_id,
    }
    appointment_id = appointment.id
    session.delete(appointment)
    session.flush()
    left = scope_of(session, cycle.id, reviewer_id)
    uncovered = select(Nomination.id).where(Nomination.cycle_id == cycle.id)
    if left.category_ids:
        uncovered = uncovered.where(Nomination.category_id.not_in(left.category_ids))
    removed = 0
    if not left.whole_cycle:
        removed = _deleted(
            session,
            delete(Assignment).where(
                Assignment.reviewer_id == reviewer_id,
                Assignment.nomination_id.in_(uncovered),
                ~submitted_review(Assignment.nomination_id.expression, reviewer_id),
            ),
        )
        if removed:
            activity.review_work_changed(session, cycle.id)
    audit.record(
        session,
        actor,
        "review.reviewer_removed",
        object_type="reviewer_appointment",
        object_id=appointment_id,
        before=before,
        after={"assignments_removed": removed},
    )
    return removed


# Assignment


CONFLICTED_ORGANIZER = N_(
    "You have a conflict of interest with this nomination: another organizer assigns its "
    "reviewers and decides it."
)


def _require_unconflicted(session: Session, actor: User, nomination: Nomination) -> None:
    """Rule 9: an organizer conflicted on a nomination does nothing to it."""
    if conflicted_on(session, nomination, actor):
        raise PermissionDenied(_(CONFLICTED_ORGANIZER))


def _require_in_review(nomination: Nomination) -> None:
    if (
        nomination.status is not NominationStatus.IN_REVIEW
        or nomination.cycle.status is not CycleStatus.IN_REVIEW
    ):
        raise DomainError(_("Reviewers are assigned only to nominations in review."))


def assign(session: Session, actor: User, nomination: Nomination, reviewer: User) -> Assignment:
    _require_organizer(actor)
    _require_unconflicted(session, actor, nomination)
    _require_in_review(nomination)
    if not rules.can_be_appointed(reviewer) or not scope_of(
        session, nomination.cycle_id, reviewer.id
    ).covers(nomination.category_id):
        raise DomainError(
            _(
                "%(name)s is not appointed for %(category)s in this cycle.",
                name=reviewer.display_name,
                category=nomination.category.name,
            ),
            field="reviewer_id",
        )
    found = causes(session, nomination, reviewer.id)
    if found:
        raise DomainError(
            _(
                "%(name)s has a conflict of interest: %(causes)s.",
                name=reviewer.display_name,
                causes="; ".join(cause.text for cause in found),
            ),
            field="reviewer_id",
        )
    if session.get(Assignment, (nomination.id, reviewer.id)) is not None:
        raise DomainError(
            _("%(name)s is already assigned.", name=reviewer.display_name), field="reviewer_id"
        )
    assigned = Assignment(nomination=nomination, reviewer=reviewer, assigned_by_id=actor.id)
    session.add(assigned)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict(
            _("%(name)s was just assigned by someone else.", name=reviewer.display_name)
        ) from None
    audit.record(
        session,
        actor,
        "review.assigned",
        nomination,
        after={"reviewer_id": reviewer.id},
    )
    activity.review_work_changed(session, nomination.cycle_id)
    _tell_assigned(session, nomination.cycle, Counter([reviewer.id]))
    return assigned


def _tell_assigned(session: Session, cycle: Cycle, counts: Counter[int]) -> None:
    """One notification per reviewer and batch of assignments: how many, and by when."""
    for reviewer_id, count in sorted(counts.items()):
        notify(
            session,
            reviewer_id,
            "reviewer.assigned",
            cycle_id=cycle.id,
            cycle=cycle.name,
            count=count,
            review_close_on=cycle.review_close_on,
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
        raise DomainError(
            _("%(name)s is not assigned to this nomination.", name=reviewer.display_name)
        )
    if session.scalar(select(submitted_review(nomination.id, reviewer.id))):
        raise DomainError(
            _(
                "%(name)s has submitted their review of this nomination; a submitted review "
                "is final and counts, so they stay assigned.",
                name=reviewer.display_name,
            )
        )
    session.delete(assigned)
    session.flush()
    activity.review_work_changed(session, nomination.cycle_id)
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


def auto_assign(session: Session, actor: User | None, cycle: Cycle) -> AutoAssignment:
    """Give each nomination in review ``cycle.reviewers_per_nomination`` reviewers.

    ``actor`` None is the programme itself (seed data, scripts). See
    ``nominee.reviews.assignment`` for how the load is spread. The nominations the
    acting organizer is conflicted on are left for another organizer (rule 9).
    """
    if actor is not None:
        _require_organizer(actor)
    if cycle.status is not CycleStatus.IN_REVIEW:
        raise DomainError(_("Reviewers are assigned once the cycle is in review."))
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
    conflicted = set(find_conflicts(session, cycle, scopes))
    pairs = assignment.plan(seats, scopes, existing, conflicted, k, loads)
    session.add_all(
        Assignment(nomination_id=n, reviewer_id=r, assigned_by_id=actor.id if actor else None)
        for n, r in pairs
    )
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict(_("Assignments changed while this ran; run it again.")) from None
    if pairs:
        activity.review_work_changed(session, cycle.id)
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
    _tell_assigned(session, cycle, Counter(reviewer_id for _, reviewer_id in pairs))
    return AutoAssignment(added=pairs, short=short, left_out=left_out)


# Reviews


@dataclass
class ReviewInput:
    scores: Mapping[int, int | None]  # by criterion id; None: not scored
    confidence: Confidence | None = None
    recommendation: Recommendation | None = None
    panel_comment: str = ""
    nominee_feedback: str = ""


def _snapshot(review: Review) -> dict[str, Any]:
    return {
        "status": review.status,
        "recommendation": review.recommendation,
        "confidence": review.confidence,
        "scores": {str(s.criterion_id): s.score for s in review.scores},
    }


def _check_values(criteria: Sequence[RubricCriterion], data: ReviewInput, complete: bool) -> None:
    known = {criterion.id for criterion in criteria}
    if set(data.scores) - known:
        raise DomainError(_("Score only the criteria of this cycle's rubric."))
    for criterion_id, score in data.scores.items():
        if score is not None and score not in rules.SCORES:
            raise DomainError(_("Scores go from 1 to 5."), field=f"score_{criterion_id}")
    if not complete:
        return
    if data.recommendation is None:
        raise DomainError(_("Choose a recommendation before submitting."), field="recommendation")
    if data.confidence is None:
        raise DomainError(_("Say how confident you are before submitting."), field="confidence")
    if data.recommendation is not Recommendation.ABSTAIN:
        missing = [c for c in criteria if data.scores.get(c.id) is None]
        if missing:
            raise DomainError(
                _(
                    "Score every criterion before submitting (or recommend abstain): %(criteria)s.",
                    criteria=", ".join(c.name for c in missing),
                ),
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
    refusal = rules.review_refusal(reviewer, nomination, position, on or clock.programme_today())
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
        raise Conflict(_(STALE_REVIEW))
    if refusal := rules.review_refusal(
        reviewer, nomination, position, on or clock.programme_today(), review
    ):
        raise PermissionDenied(refusal)
    criteria = nomination.cycle.criteria
    _check_values(criteria, data, complete=submit)
    before = _snapshot(review) if review else None
    # A review started or submitted changes its reviewer's load; a draft saved again not.
    work_changed = review is None or submit
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
        raise Conflict(_(STALE_REVIEW)) from None
    if work_changed:
        activity.review_work_changed(session, nomination.cycle_id)
    action = "review.submitted" if submit else "review.draft_saved"
    audit.record(session, reviewer, action, review, before=before, after=_snapshot(review))
    if review.status is ReviewStatus.SUBMITTED:
        refresh_scores(session, nomination)
    if submit:
        events.review_submitted.send(review, session=session, actor=reviewer)
    return review


def declare_conflict(
    session: Session, reviewer: User, nomination: Nomination, reason: str
) -> ConflictDeclaration:
    """The reviewer steps aside: their assignment and their review of it are removed."""
    if not rules.can_declare_conflict(
        reviewer, nomination, standing(session, nomination, reviewer)
    ):
        raise PermissionDenied(_("Only reviewers of this nomination can declare a conflict on it."))
    reason = " ".join(reason.split())
    if not reason:
        raise DomainError(_("Say briefly what the conflict is."), field="reason")
    if len(reason) > 500:
        raise DomainError(_("At most 500 characters."), field="reason")
    if session.scalar(
        select(ConflictDeclaration.id).where(
            ConflictDeclaration.nomination_id == nomination.id,
            ConflictDeclaration.reviewer_id == reviewer.id,
        )
    ):
        raise DomainError(_("You already declared a conflict on this nomination."))
    declaration = ConflictDeclaration(
        nomination_id=nomination.id, reviewer_id=reviewer.id, reason=reason
    )
    session.add(declaration)
    unassigned = _deleted(
        session,
        delete(Assignment).where(
            Assignment.nomination_id == nomination.id, Assignment.reviewer_id == reviewer.id
        ),
    )
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
        raise Conflict(_("You already declared a conflict on this nomination.")) from None
    if unassigned or review is not None:
        activity.review_work_changed(session, nomination.cycle_id)
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


CLEARANCE_REASON_MAX = 500


def clear_conflict(
    session: Session, actor: User, nomination: Nomination, reviewer: User, reason: str
) -> ConflictClearance:
    """An organizer clears the detected conflict of ``reviewer`` on ``nomination`` (they
    nominated the nominee, or endorsed them or were endorsed by them in the window), with
    the reason the panel reads. Being the nominee and a declared conflict (the reviewer's
    own word) are never cleared; nor does an organizer clear their own conflict, or
    act on a nomination they are conflicted on (rule 9)."""
    _require_organizer(actor)
    _require_unconflicted(session, actor, nomination)
    _require_in_review(nomination)
    if reviewer.id == actor.id:
        raise PermissionDenied(_("Another organizer clears your own conflicts."))
    if not scope_of(session, nomination.cycle_id, reviewer.id).covers(nomination.category_id):
        raise DomainError(
            _(
                "%(name)s is not appointed for %(category)s in this cycle.",
                name=reviewer.display_name,
                category=nomination.category.name,
            )
        )
    found = causes(session, nomination, reviewer.id, cleared=False)
    if not found:
        raise DomainError(
            _("%(name)s has no conflict on this nomination.", name=reviewer.display_name)
        )
    if any(cause.kind == "nominee" for cause in found):
        raise DomainError(
            _("%(name)s is the nominee: that is never cleared.", name=reviewer.display_name)
        )
    if any(cause.kind == "declared" for cause in found):
        raise PermissionDenied(
            _(
                "%(name)s declared this conflict themself: a declared conflict is theirs, and "
                "nobody else clears it.",
                name=reviewer.display_name,
            )
        )
    assert clearable(found)
    if session.scalar(
        select(ConflictClearance.id).where(
            ConflictClearance.nomination_id == nomination.id,
            ConflictClearance.reviewer_id == reviewer.id,
        )
    ):
        raise DomainError(
            _(
                "The conflict of %(name)s on this nomination is already cleared.",
                name=reviewer.display_name,
            )
        )
    reason = " ".join(reason.split())
    if not reason:
        raise DomainError(
            _("Give the reason for clearing this conflict: the panel reads it."), field="reason"
        )
    if len(reason) > CLEARANCE_REASON_MAX:
        raise DomainError(
            _("At most %(max)d characters.", max=CLEARANCE_REASON_MAX), field="reason"
        )
    clearance = ConflictClearance(
        nomination_id=nomination.id, reviewer_id=reviewer.id, cleared_by_id=actor.id, reason=reason
    )
    session.add(clearance)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict(
            _(
                "The conflict of %(name)s on this nomination is already cleared.",
                name=reviewer.display_name,
            )
        ) from None
    audit.record(
        session,
        actor,
        "review.conflict_cleared",
        nomination,
        before={"reviewer_id": reviewer.id, "causes": _english(found)},
        after={"reviewer_id": reviewer.id, "reason": reason},
    )
    return clearance


def _english(found: Sequence[Cause]) -> list[str]:
    """The causes as the audit log keeps them: in English, whoever reads the page."""
    with i18n.reading(i18n.DEFAULT_LANGUAGE):
        return [cause.text for cause in found]


# Scores


def refresh_scores(session: Session, nomination: Nomination) -> None:
    """Recompute the review aggregates stored on ``nomination`` from its submitted reviews.

    Locks the nomination's row (``SELECT ... FOR NO KEY UPDATE`` on PostgreSQL; SQLite's
    ``BEGIN IMMEDIATE`` already serialises writers) until the transaction ends."""
    if session.get_bind().dialect.name != "sqlite":
        # Concurrent submissions queue here, so the last one sees every review. NO KEY
        # UPDATE does not wait for the key-share locks the review inserts hold. (SQLite
        # runs one writer at a time: BEGIN IMMEDIATE, see nominee.db.)
        session.execute(
            select(Nomination.id)
            .where(Nomination.id == nomination.id)
            .with_for_update(key_share=True)
        )
    recommendation_of: dict[int, Recommendation | None] = {}
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
    stats = rules.stats_by_criterion(nomination.cycle.criteria, scores)
    values = {
        "reviews_submitted": sum(recommendations.values()),
        "score_mean": rules.score_mean(stats),
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
