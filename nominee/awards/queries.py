"""What the decision pages, the award pages and the member page read about decisions
and awards. Rule 9 (conflicts of interest) decides what an organizer is shown."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from sqlalchemy import Select, and_, bindparam, func, literal, select
from sqlalchemy.orm import Session, contains_eager, joinedload

from nominee.accounts.models import User
from nominee.awards import rules
from nominee.awards.models import Award, AwardStatus
from nominee.categories.models import Category
from nominee.cycles.models import Cycle, CycleStatus
from nominee.errors import PermissionDenied
from nominee.integrity.models import IntegrityResult
from nominee.nominations.models import Nomination
from nominee.pagination import Page
from nominee.reviews import queries as review_queries
from nominee.reviews.models import Review, ReviewStatus

# Decisions


@dataclass(frozen=True)
class DecisionList:
    """The decisions page of a cycle: one page of its reviewed nominations, undecided
    first, and the cycle's progress."""

    page: Page
    decided: int
    total: int
    left_out: int  # reviewed nominations the organizer is conflicted on, not listed


def decision_list(
    session: Session,
    cycle: Cycle,
    viewer: User,
    *,
    undecided_only: bool,
    page: int,
    per_page: int,
) -> DecisionList:
    """The nominations of ``cycle`` that entered review, undecided first, then by score.

    The page is cut on the nominations' own columns (ids alone, sorted and counted there),
    and only its rows are read with their nominee, category, award and integrity: sorting
    every reviewed nomination of a large cycle with those joins made the last page cost
    what reading them all does."""
    order = (
        Nomination.decision.is_not(None),
        Nomination.score_mean.desc().nulls_last(),
        Nomination.id,
    )
    reviewed = (
        Nomination.cycle_id == cycle.id,
        Nomination.status.in_(rules.REVIEWED_STATUSES),
    )
    # Rule 9: what the organizer is conflicted on is left out (listed, its place in the
    # order would tell its decision and its score).
    conflicted = review_queries.conflicted_ids(session, cycle, viewer)
    shown = [Nomination.id.not_in(conflicted)] if conflicted else []
    if undecided_only:
        shown.append(Nomination.decision.is_(None))
    ids = select(Nomination.id).where(*reviewed, *shown)
    # The progress, what is listed and what is left out, counted in one pass.
    total, decided, listed, left_out = session.execute(
        select(
            func.count(),
            func.count(Nomination.decision),
            func.count().filter(and_(*shown)) if shown else func.count(),
            func.count().filter(Nomination.id.in_(conflicted)) if conflicted else literal(0),
        ).where(*reviewed)
    ).one()
    number = min(max(1, page), max(1, math.ceil(listed / per_page)))
    start, end = (number - 1) * per_page, min(number * per_page, listed)
    if start > listed - end:
        # Past the middle, the page is cut from the other end: the sort keeps the rows up
        # to the last one asked for, so the last page sorted every row (1.4 ms, 0.3 now).
        backwards = (
            Nomination.decision.is_not(None).desc(),
            Nomination.score_mean.asc().nulls_first(),
            Nomination.id.desc(),
        )
        cut = ids.order_by(*backwards).limit(end - start).offset(listed - end)
    else:
        cut = ids.order_by(*order).limit(per_page).offset(start)
    chosen = cut.subquery()
    # Rows of the columns a line shows rather than nominations with their nominee,
    # category, award and integrity loaded: those entities were half the page.
    items = (
        session.execute(
            select(
                Nomination.id,
                Nomination.kind,
                Nomination.no_activity,
                Nomination.distinct_endorsers,
                Nomination.reviews_submitted,
                Nomination.score_mean,
                Nomination.recommend_award,
                Nomination.recommend_decline,
                Nomination.recommend_abstain,
                Nomination.disagreement,
                Nomination.decision,
                Nomination.nominee_id,
                User.display_name.label("nominee_name"),
                User.name_holders.label("nominee_holders"),
                Category.name.label("category_name"),
                IntegrityResult.effective_endorsers,
                IntegrityResult.flagged,
                Award.revoked_at,
            )
            .join(chosen, chosen.c.id == Nomination.id)
            .join(User, User.id == Nomination.nominee_id)
            .join(Category, Category.id == Nomination.category_id)
            .outerjoin(IntegrityResult, IntegrityResult.user_id == Nomination.nominee_id)
            .outerjoin(Award, Award.nomination_id == Nomination.id)
            .order_by(*order)
        ).all()
        if listed
        else []
    )
    return DecisionList(
        page=Page(items=items, page=number, per_page=per_page, total=listed),
        decided=decided,
        total=total,
        left_out=left_out,
    )


def nomination_to_decide(session: Session, nomination_id: int, viewer: User) -> Nomination | None:
    """The nomination with what its decision page shows, or None when there is none.

    ``PermissionDenied`` when ``viewer`` is conflicted on it (rule 9): its reviews, scores
    and decision are not for them (see ``rules.decision_page_refusal``).
    """
    nomination = session.scalar(
        select(Nomination)
        .where(Nomination.id == nomination_id)
        .options(
            joinedload(Nomination.cycle),
            joinedload(Nomination.category),
            joinedload(Nomination.nominee),
            joinedload(Nomination.decided_by),
            joinedload(Nomination.integrity),
        )
    )
    if nomination is None:
        return None
    # The nominee is turned away without asking the database for conflicts.
    refusal = rules.decision_page_refusal(viewer, nomination, conflicted=False)
    if refusal is None and review_queries.conflicted_on(session, nomination, viewer):
        refusal = rules.decision_page_refusal(viewer, nomination, conflicted=True)
    if refusal is not None:
        raise PermissionDenied(refusal)
    return nomination


BULK_LIMIT = 100


def bulk_nominations(
    session: Session, cycle: Cycle, viewer: User, ids: Sequence[int]
) -> list[Nomination]:
    """The nominations ``ids`` of ``cycle`` that entered review, in the order given, with
    nominee and category; at most ``BULK_LIMIT``. Those the viewer is conflicted on are
    left out (rule 9), as on the dashboard they were chosen from."""
    wanted = list(dict.fromkeys(ids))[:BULK_LIMIT]
    if not wanted:
        return []
    stmt = (
        select(Nomination)
        .where(
            Nomination.cycle_id == cycle.id,
            Nomination.id.in_(wanted),
            Nomination.status.in_(rules.REVIEWED_STATUSES),
        )
        .options(joinedload(Nomination.nominee), joinedload(Nomination.category))
    )
    conflicted = review_queries.conflicted_ids(session, cycle, viewer)
    if conflicted:
        stmt = stmt.where(Nomination.id.not_in(conflicted))
    place = {nomination_id: index for index, nomination_id in enumerate(wanted)}
    return sorted(session.scalars(stmt), key=lambda n: place[n.id])


def submitted_reviews_of(session: Session, nomination_id: int) -> list[Review]:
    """The nomination's submitted reviews with their reviewers and scores, in the order
    submitted."""
    return list(
        session.scalars(
            select(Review)
            .where(Review.nomination_id == nomination_id, Review.status == ReviewStatus.SUBMITTED)
            .options(joinedload(Review.reviewer), joinedload(Review.scores))
            .order_by(Review.submitted_at, Review.id)
        ).unique()
    )


def submitted_reviews(session: Session, nomination: Nomination) -> int:
    return (
        session.scalar(
            select(func.count(Review.id)).where(
                Review.nomination_id == nomination.id, Review.status == ReviewStatus.SUBMITTED
            )
        )
        or 0
    )


def undecided_count(session: Session, cycle_id: int) -> int:
    """Nominations of the cycle that entered review and have no decision yet."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Nomination)
            .where(
                Nomination.cycle_id == cycle_id,
                Nomination.status.in_(rules.REVIEWED_STATUSES),
                Nomination.decision.is_(None),
            )
        )
        or 0
    )


# Awards


# Every member page asks it: built once, the member bound when it runs (building the
# statement and its cache key took longer than running it).
@cache
def _member_awards() -> Select[Award]:
    """Built at first use, not at import (its loader options need every model mapped)."""
    return (
        select(Award)
        .join(Award.cycle)
        .where(Award.member_id == bindparam("member_id"), Cycle.status == CycleStatus.PUBLISHED)
        .options(contains_eager(Award.cycle), joinedload(Award.category))
        .order_by(Award.ends_on.desc(), Award.id.desc())
    )


def awards_for_member(session: Session, member_id: int) -> Sequence[Award]:
    """The member's awards of published cycles, latest term first."""
    return session.scalars(_member_awards(), {"member_id": member_id}).all()


def find_public_award(session: Session, verification_id: str) -> Award | None:
    """The award with this verification id, if its cycle is published."""
    if len(verification_id) > rules.MAX_VERIFICATION_ID:
        return None
    return session.scalar(
        select(Award)
        .join(Award.cycle)
        .where(Award.verification_id == verification_id, Cycle.status == CycleStatus.PUBLISHED)
        .options(contains_eager(Award.cycle), joinedload(Award.category), joinedload(Award.member))
    )


class Awardee(NamedTuple):
    """A line of a published cycle's awardees: the columns its page shows, not entities."""

    category: str
    member_id: int
    name: str
    name_holders: int  # accounts bearing the name (``member_name`` adds the handle)
    active: bool  # the member's page exists (their name is a link)
    verification_id: str


def cycle_awardees(session: Session, cycle: Cycle) -> list[Awardee]:
    """The cycle's awards (revoked ones left out), by category then name; none before
    the cycle is published (rule 5), without asking the database."""
    if cycle.status is not CycleStatus.PUBLISHED:
        return []
    rows = session.execute(
        select(
            Category.name,
            User.id,
            User.display_name,
            User.name_holders,
            User.is_active_account,
            Award.verification_id,
        )
        .select_from(Award)
        .join(Award.member)
        .join(Award.category)
        .where(Award.cycle_id == cycle.id, Award.status != AwardStatus.REVOKED)
        .order_by(Category.name, Category.id, User.display_name, User.id)
    )
    return [Awardee(*row) for row in rows]
