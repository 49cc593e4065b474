"""The review queue of a cycle, as one user sees it: the dashboard's queries.

Everything is filtered and sorted on the nomination's stored columns (counters kept by
the services), so a page costs the same with 50 or 5,000 nominations: one count, one
query for the page's rows (with the user's own review and assignment joined in, one row
per nomination by the unique keys), and one for the progress table.

What a user sees:

- organizers: every nomination that reached the panel, except their own;
- reviewers: the categories they are appointed for, minus every nomination they are
  conflicted on (``conflicts.visible_to``), in the rows and in the counts alike.

A reviewer sees the score columns of a row only once their own review of it is
submitted (rule 4), and sorting or filtering on them must not leak what is hidden: for
reviewers those columns read as NULL on the other rows (sorted last either way).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased

from nominee.accounts.models import User
from nominee.categories.models import Category
from nominee.cycles.models import Cycle
from nominee.nominations.models import Nomination, NominationStatus
from nominee.reviews.conflicts import visible_to
from nominee.reviews.models import Assignment, Review, ReviewStatus
from nominee.reviews.rules import QUEUE_STATUSES
from nominee.reviews.services import Scope

# Sort key -> label. Score columns are blinded for reviewers (see the module docstring).
SORTS = {
    "id": "Order received",
    "nominee": "Nominee",
    "category": "Category",
    "evidence": "Evidence",
    "endorsers": "Distinct endorsers",
    "reach": "Total reach",
    "reviews": "Reviews submitted",
    "score": "Weighted mean score",
    "award": "Award recommendations",
    "decline": "Decline recommendations",
    "abstain": "Abstentions",
    "disagreement": "Disagreement",
}
SCORE_SORTS = frozenset({"score", "award", "decline", "abstain", "disagreement"})


@dataclass(frozen=True)
class Filters:
    category_id: int | None = None
    status: NominationStatus | None = None
    assigned_to_me: bool = False
    not_reviewed_by_me: bool = False
    disagreement: bool = False
    sort: str = "id"
    descending: bool = False


@dataclass(frozen=True)
class CategoryProgress:
    category_id: int | None
    name: str
    nominations: int
    reviews_needed: int
    reviews_submitted: int
    mine_assigned: int
    mine_submitted: int

    @property
    def percent(self) -> int:
        if not self.reviews_needed:
            return 100
        return round(100 * self.reviews_submitted / self.reviews_needed)


class Queue:
    def __init__(self, cycle: Cycle, user: User, scope: Scope):
        self.cycle = cycle
        self.user = user
        self.scope = scope
        self.my_review = aliased(Review, name="my_review")
        self.my_assignment = aliased(Assignment, name="my_assignment")

    def _joined(self, stmt: Select) -> Select:
        """Add the user's own review and assignment (at most one of each per row)."""
        me = self.user.id
        return stmt.outerjoin(
            self.my_review,
            and_(self.my_review.nomination_id == Nomination.id, self.my_review.reviewer_id == me),
        ).outerjoin(
            self.my_assignment,
            and_(
                self.my_assignment.nomination_id == Nomination.id,
                self.my_assignment.reviewer_id == me,
            ),
        )

    def _visible(self) -> list[ColumnElement[bool]]:
        conditions = [Nomination.cycle_id == self.cycle.id, Nomination.status.in_(QUEUE_STATUSES)]
        if self.user.is_organizer:
            conditions.append(Nomination.nominee_id != self.user.id)
            return conditions
        if not self.scope.whole_cycle:
            conditions.append(Nomination.category_id.in_(self.scope.category_ids))
        conditions.append(visible_to(self.cycle, self.user.id))
        return conditions

    def _submitted_by_me(self) -> ColumnElement[bool]:
        return self.my_review.status == ReviewStatus.SUBMITTED

    def _blinded(self, column):
        """``column`` for organizers; for a reviewer only where their review is submitted."""
        if self.user.is_organizer:
            return column
        return case((self._submitted_by_me(), column), else_=None)

    def _sort_column(self, key: str):
        columns = {
            "id": Nomination.id,
            "nominee": func.lower(User.display_name),
            "category": Category.name,
            "evidence": Nomination.evidence_count,
            "endorsers": Nomination.distinct_endorsers,
            "reach": Nomination.total_audience,
            "reviews": Nomination.reviews_submitted,
            "score": Nomination.score_mean,
            "award": Nomination.recommend_award,
            "decline": Nomination.recommend_decline,
            "abstain": Nomination.recommend_abstain,
            "disagreement": Nomination.disagreement,
        }
        column = columns[key]
        return self._blinded(column) if key in SCORE_SORTS else column

    def rows(self, filters: Filters) -> Select:
        """The queue's rows: ``Nomination``, ``nominee_name``, ``category_name``,
        ``my_status`` (None: not started) and ``assigned_to_me``."""
        stmt = self._joined(
            select(
                Nomination,
                User.display_name.label("nominee_name"),
                Category.name.label("category_name"),
                self.my_review.status.label("my_status"),
                self.my_assignment.created_at.label("assigned_at"),
            )
            .join(User, User.id == Nomination.nominee_id)
            .join(Category, Category.id == Nomination.category_id)
        ).where(*self._visible())
        if filters.category_id is not None:
            stmt = stmt.where(Nomination.category_id == filters.category_id)
        if filters.status is not None:
            stmt = stmt.where(Nomination.status == filters.status)
        if filters.assigned_to_me:
            stmt = stmt.where(self.my_assignment.reviewer_id.is_not(None))
        if filters.not_reviewed_by_me:
            stmt = stmt.where(or_(self.my_review.id.is_(None), ~self._submitted_by_me()))
        if filters.disagreement:
            if self.user.is_organizer:
                stmt = stmt.where(Nomination.disagreement.is_(True))
            else:
                stmt = stmt.where(Nomination.disagreement.is_(True), self._submitted_by_me())
        column = self._sort_column(filters.sort if filters.sort in SORTS else "id")
        order = column.desc() if filters.descending else column.asc()
        tiebreak = Nomination.id.desc() if filters.descending else Nomination.id.asc()
        return stmt.order_by(order.nulls_last(), tiebreak)

    def progress(self) -> Select:
        """Per category: nominations, reviews needed (K each) and submitted (capped at K),
        and the user's own assignments and submitted reviews among them."""
        k = self.cycle.reviewers_per_nomination
        assigned = self.my_assignment.reviewer_id.is_not(None)
        return (
            self._joined(
                select(
                    Category.id,
                    Category.name,
                    func.count(Nomination.id).label("nominations"),
                    func.sum(
                        case(
                            (Nomination.reviews_submitted > k, literal(k)),
                            else_=Nomination.reviews_submitted,
                        )
                    ).label("submitted"),
                    func.sum(case((assigned, 1), else_=0)).label("mine_assigned"),
                    func.sum(case((and_(assigned, self._submitted_by_me()), 1), else_=0)).label(
                        "mine_submitted"
                    ),
                ).join(Category, Category.id == Nomination.category_id)
            )
            .where(*self._visible())
            .group_by(Category.id, Category.name)
            .order_by(Category.name)
        )

    def progress_table(self, rows) -> tuple[list[CategoryProgress], CategoryProgress]:
        k = self.cycle.reviewers_per_nomination
        per_category = [
            CategoryProgress(
                row.id,
                row.name,
                row.nominations,
                row.nominations * k,
                int(row.submitted or 0),
                int(row.mine_assigned or 0),
                int(row.mine_submitted or 0),
            )
            for row in rows
        ]
        overall = CategoryProgress(
            None,
            "All categories",
            sum(p.nominations for p in per_category),
            sum(p.reviews_needed for p in per_category),
            sum(p.reviews_submitted for p in per_category),
            sum(p.mine_assigned for p in per_category),
            sum(p.mine_submitted for p in per_category),
        )
        return per_category, overall
