"""The review queue of a cycle, as one user sees it: the dashboard's queries.

Everything is filtered and sorted on the nomination's stored columns (counters kept by
the services), so a page costs about the same with 50 or 5,000 nominations, in a few
queries: the progress table (which also gives the count when only a category is
chosen), the user's own assignments, the count of a filtered queue, and the page's rows.
The rows query sorts and cuts the page on nomination ids alone (no names, no wide
rows), then loads the 25 rows with their nominee, category and the user's own review
and assignment (one of each per row at most, by the unique keys).

What a user sees:

- organizers: every nomination that reached the panel;
- reviewers: the categories they are appointed for;

minus, for both, every nomination they are conflicted on (``conflicts.
conflicted_ids``, run once per page and passed in as ``conflicted``; an
organizer's own nominations among them), in the rows and in the counts alike.

Decisions are known to organizers only until the cycle is published (rule 5):
``dashboard`` drops the status filter for everybody else, and no sort orders by decision.

Organizers also see each nomination's calibrated score and rank
(``nominee.reviews.calibration``, computed in Python from the cycle's submitted reviews):
sorting or filtering by it reads the filtered queue's ids in order (one narrow query),
sorts or filters them by the calibration, and loads the page's rows by id; filtered on it
alone, sorted by it or by id, the ids come from the calibration itself
(``Queue.calibrated_page``).

A reviewer sees the score columns of a row only once their own review of it is
submitted with every criterion scored (``Review.reads_others``, rule 4), and sorting or
filtering on them must not leak what is hidden: for reviewers those columns read as
NULL on the other rows (sorted last either way). What the reviewer's own reviews and
assignments decide is asked of their few hundred rows (subqueries), never by joining them
to every nomination: a sort on a score column reads its first part (the nominations their
review opened) from their reviews and the rest by id (``Queue._blind_page``).
"""

from __future__ import annotations

import hashlib
import math
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import QueryableAttribute, Session, aliased, load_only

from nominee import activity, sharedcache
from nominee.accounts.models import User
from nominee.awards.models import Award
from nominee.categories.models import Category
from nominee.cycles.models import Cycle
from nominee.i18n import N_, _
from nominee.integrity.models import IntegrityResult
from nominee.nominations.models import Nomination, NominationStatus
from nominee.nominations.rules import decisions_hidden
from nominee.pagination import Page
from nominee.reviews.calibration import Calibration
from nominee.reviews.models import Assignment, Review, ReviewStatus
from nominee.reviews.queries.calibration import counters_fingerprint, cycle_calibration
from nominee.reviews.queries.conflicts import conflicted_ids
from nominee.reviews.queries.panel import Scope
from nominee.reviews.rules import QUEUE_STATUSES

# Sort key -> label (marked here, translated where shown: ``_(SORTS[key])``). Score
# columns are blinded for reviewers (see the module docstring).
SORTS = {
    "id": N_("Order received"),
    "nominee": N_("Nominee"),
    "category": N_("Category"),
    "evidence": N_("Evidence"),
    "endorsers": N_("Distinct endorsers"),
    "effective": N_("Effective endorsers"),
    "reach": N_("Total reach"),
    "impact": N_("Impact score"),
    "reviews": N_("Reviews submitted"),
    "score": N_("Weighted mean score"),
    "award": N_("Award recommendations"),
    "decline": N_("Decline recommendations"),
    "abstain": N_("Abstentions"),
    "disagreement": N_("Disagreement"),
    "calibrated": N_("Calibrated score"),
}
SCORE_SORTS = frozenset({"score", "award", "decline", "abstain", "disagreement", "calibrated"})
# Sorts on the calibration, computed in Python: organizers only.
CALIBRATED_SORTS = frozenset({"calibrated"})
SCORE_BASES = {"raw": N_("Raw weighted mean"), "calibrated": N_("Calibrated score")}
COLUMNS = {
    "id": Nomination.id,
    "evidence": Nomination.evidence_count,
    "endorsers": Nomination.distinct_endorsers,
    "effective": IntegrityResult.effective_endorsers,
    "reach": Nomination.total_audience,
    "impact": Nomination.impact_score,
    "reviews": Nomination.reviews_submitted,
    "score": Nomination.score_mean,
    "award": Nomination.recommend_award,
    "decline": Nomination.recommend_decline,
    "abstain": Nomination.recommend_abstain,
    "disagreement": Nomination.disagreement,
}

# The nomination's columns a queue row reads (the dashboard, its selection helpers, the
# API's rows, the shown status): ``Queue.rows`` loads these alone.
ROW_COLUMNS = load_only(
    Nomination.id,
    Nomination.cycle_id,
    Nomination.category_id,
    Nomination.nominee_id,
    Nomination.nominator_id,
    Nomination.kind,
    Nomination.status,
    Nomination.no_activity,
    Nomination.evidence_count,
    Nomination.distinct_endorsers,
    Nomination.total_audience,
    Nomination.impact_score,
    Nomination.impact_percentile,
    Nomination.reviews_submitted,
    Nomination.score_mean,
    Nomination.recommend_award,
    Nomination.recommend_decline,
    Nomination.recommend_abstain,
    Nomination.disagreement,
    Nomination.decision,
    Nomination.version,
    raiseload=True,
)
MY_REVIEW = aliased(Review, name="my_review")
MY_ASSIGNMENT = aliased(Assignment, name="my_assignment")

# The queue's statements by shape (who asks, which filters are on, the sort), every value
# a bound parameter (``Queue.params``): each shape is built once per process rather than
# per request, since building one costs about what running it does. They hold no data,
# and a shape is a handful of flags and a known sort (``_shape``): the shapes are few.
_statements: dict[tuple, Select] = {}


@dataclass(frozen=True)
class Filters:
    category_id: int | None = None
    status: NominationStatus | None = None
    assigned_to_me: bool = False
    not_reviewed_by_me: bool = False
    disagreement: bool = False
    flagged: bool = False  # the nominee's integrity flag (``nominee.integrity``)
    sort: str = "id"
    descending: bool = False
    min_score: float | None = None  # at least this score, on ``score_basis``
    score_basis: str = "raw"  # a key of ``SCORE_BASES``

    @property
    def calibrated(self) -> bool:
        """Does the queue's order or filter read the calibration?"""
        return self.sort in CALIBRATED_SORTS or (
            self.min_score is not None and self.score_basis == "calibrated"
        )


def _known_sort(filters: Filters) -> Filters:
    return filters if filters.sort in SORTS else replace(filters, sort="id")


def _shape(filters: Filters) -> tuple:
    """What of ``filters`` a statement's shape holds: which filters are on, not their
    values (bound as parameters, ``Queue.params``)."""
    return (
        filters.category_id is not None,
        filters.status is not None,
        filters.assigned_to_me,
        filters.not_reviewed_by_me,
        filters.disagreement,
        filters.flagged,
        filters.sort,
        filters.descending,
        filters.min_score is not None,
        filters.score_basis == "raw",
    )


def without_calibration(filters: Filters) -> Filters:
    """``filters`` for a user who does not see calibrated scores: sorted by received
    order, score filter on the raw mean."""
    if filters.sort in CALIBRATED_SORTS:
        filters = replace(filters, sort="id", descending=False)
    return replace(filters, score_basis="raw")


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


# How long the progress table's counts are kept (they are stale as soon as the cycle's
# ``review_activity`` changes, whatever this says).
PROGRESS_SECONDS = 600


class Counted(NamedTuple):
    """A category's row of the progress query (``Queue.progress``)."""

    category_id: int
    nominations: int
    submitted: int
    reviews: int
    weighted: int


class Mine(NamedTuple):
    """A category's row of the viewer's own assignments (``Queue.mine``)."""

    category_id: int
    assigned: int
    submitted: int


def _figures(row: Sequence[Any]) -> list[int]:
    return [int(value or 0) for value in row]


class Queue:
    def __init__(self, cycle: Cycle, user: User, scope: Scope, conflicted: Sequence[int] = ()):
        self.cycle = cycle
        self.user = user
        self.scope = scope
        self.conflicted = list(conflicted)
        # Module-level aliases: SQLAlchemy memoizes each alias's adapted columns, so
        # building them once per process, not per request, saves real time.
        self.my_review = MY_REVIEW
        self.my_assignment = MY_ASSIGNMENT
        self.scoped = not user.is_organizer and not scope.whole_cycle
        # Who asks, as the statements' shape sees it (the values go in ``params``).
        self.shape = (user.is_organizer, self.scoped, bool(self.conflicted))

    def params(self, filters: Filters | None = None, **more: Any) -> dict[str, Any]:
        """The values of the statements' bound parameters."""
        values: dict[str, Any] = {
            "queue_cycle": self.cycle.id,
            "queue_user": self.user.id,
            "queue_k": self.cycle.reviewers_per_nomination,
            **more,
        }
        if self.scoped:
            values["queue_scope"] = sorted(self.scope.category_ids)
        if self.conflicted:
            values["queue_conflicted"] = self.conflicted
        if filters is not None:
            values.update(
                queue_category=filters.category_id,
                queue_status=filters.status,
                queue_min_score=filters.min_score,
            )
        return values

    def _built(self, key: tuple, build) -> Select:
        key = (*self.shape, *key)
        statement = _statements.get(key)
        if statement is None:
            statement = _statements[key] = build()
        return statement

    # Building blocks

    def _join_review(self, stmt: Select) -> Select:
        return stmt.outerjoin(
            self.my_review,
            and_(
                self.my_review.nomination_id == Nomination.id,
                self.my_review.reviewer_id == bindparam("queue_user"),
            ),
        )

    def _join_assignment(self, stmt: Select) -> Select:
        return stmt.outerjoin(
            self.my_assignment,
            and_(
                self.my_assignment.nomination_id == Nomination.id,
                self.my_assignment.reviewer_id == bindparam("queue_user"),
            ),
        )

    def _visible(self) -> list[ColumnElement[bool]]:
        conditions = [
            Nomination.cycle_id == bindparam("queue_cycle"),
            Nomination.status.in_(QUEUE_STATUSES),
        ]
        if self.scoped:
            conditions.append(Nomination.category_id.in_(bindparam("queue_scope", expanding=True)))
        if self.conflicted:
            conditions.append(Nomination.id.not_in(bindparam("queue_conflicted", expanding=True)))
        return conditions

    def _my_reviews(self, *conditions: ColumnElement[bool]) -> ColumnElement[bool]:
        """The nomination is one of those the user's own review meets ``conditions`` on: a
        subquery of their reviews (a few hundred rows by ``ix_reviews_reviewer_status``),
        not a join of every nomination to its review."""
        return Nomination.id.in_(
            select(Review.nomination_id).where(
                Review.reviewer_id == bindparam("queue_user"), *conditions
            )
        )

    def _opened(self) -> ColumnElement[bool]:
        """The user's own review of the nomination reads the others' (rule 4)."""
        return self._my_reviews(Review.reads_others.is_(True))

    def _filtered(self, stmt: Select, filters: Filters) -> Select:
        """``stmt`` (selecting from nominations) with visibility, filters and the joins they
        need. What the user's own reviews and assignments decide is asked of their rows
        (``_my_reviews``), so no filter joins them to every nomination."""
        if filters.sort == "nominee":
            stmt = stmt.join(User, User.id == Nomination.nominee_id)
        elif filters.sort == "category":
            stmt = stmt.join(Category, Category.id == Nomination.category_id)
        if filters.flagged or filters.sort == "effective":
            stmt = stmt.outerjoin(IntegrityResult, IntegrityResult.user_id == Nomination.nominee_id)
        stmt = stmt.where(*self._visible())
        if filters.category_id is not None:
            stmt = stmt.where(Nomination.category_id == bindparam("queue_category"))
        if filters.status is not None:
            stmt = stmt.where(Nomination.status == bindparam("queue_status"))
        if filters.assigned_to_me:
            stmt = stmt.where(
                Nomination.id.in_(
                    select(Assignment.nomination_id).where(
                        Assignment.reviewer_id == bindparam("queue_user")
                    )
                )
            )
        if filters.not_reviewed_by_me:
            stmt = stmt.where(~self._my_reviews(Review.status == ReviewStatus.SUBMITTED))
        if filters.flagged:
            stmt = stmt.where(IntegrityResult.flagged.is_(True))
        if filters.disagreement:
            stmt = stmt.where(Nomination.disagreement.is_(True))
            if not self.user.is_organizer:
                stmt = stmt.where(self._opened())
        if filters.min_score is not None and filters.score_basis == "raw":
            stmt = stmt.where(Nomination.score_mean >= bindparam("queue_min_score"))
            if not self.user.is_organizer:
                stmt = stmt.where(self._opened())
        return stmt

    def _blind(self, filters: Filters) -> bool:
        """Is ``filters`` a reviewer's order on a score column, which they see on some rows
        only (``_blind_page``)?"""
        return (
            not self.user.is_organizer and filters.sort in COLUMNS and filters.sort in SCORE_SORTS
        )

    def _order(self, filters: Filters) -> list:
        """The order of ``filters`` on every row alike: not a reviewer's on a score column
        (``_blind``)."""
        if self._blind(filters):
            raise ValueError(f"a reviewer's order on {filters.sort!r} is blind (_blind_page)")
        key = filters.sort
        column: ColumnElement[Any] | QueryableAttribute[Any]
        if key == "nominee":
            column = func.lower(User.display_name)
        elif key == "category":
            column = Category.name
        elif key in CALIBRATED_SORTS:
            # Sorted in Python afterwards (``calibrated_page``); received order meanwhile.
            column = Nomination.id
        else:
            column = COLUMNS[key]
        if filters.descending:
            return [column.desc().nulls_last(), Nomination.id.desc()]
        return [column.asc().nulls_last(), Nomination.id.asc()]

    # The queries

    def count(self, filters: Filters) -> Select:
        filters = _known_sort(filters)
        return self._built(
            ("count", *_shape(filters)),
            lambda: self._filtered(select(func.count(Nomination.id)), filters),
        )

    def rows(self, filters: Filters) -> Select:
        """The page's rows (``queue_limit`` of them from ``queue_offset``, parameters):
        ``Nomination``, ``nominee_name`` (and ``nominee_name_holders``),
        ``category_name``, ``my_status`` (None: not started), ``my_reads_others``,
        ``assigned_at`` (None: not assigned), ``revoked_at`` (None unless the award it
        gave was revoked), ``effective_endorsers`` and ``integrity_flagged`` (None: no
        integrity scan has seen the nominee). Not for a reviewer's order on a score column
        (``_blind_page``)."""
        filters = _known_sort(filters)

        def build() -> Select:
            order = self._order(filters)
            page_ids = (
                self._filtered(select(Nomination.id), filters)
                .order_by(*order)
                .limit(bindparam("queue_limit", type_=Integer))
                .offset(bindparam("queue_offset", type_=Integer))
                .subquery("page_ids")
            )
            return (
                self._rows_select().join(page_ids, page_ids.c.id == Nomination.id).order_by(*order)
            )

        return self._built(("rows", *_shape(filters)), build)

    def rows_of(self) -> Select:
        """The rows (as ``rows`` gives them) of the nominations ``queue_ids`` (a parameter),
        in no order."""
        return self._built(
            ("rows_of",),
            lambda: self._rows_select().where(
                Nomination.id.in_(bindparam("queue_ids", expanding=True))
            ),
        )

    def _rows_select(self) -> Select:
        stmt = select(
            # Only what a row shows (no statements, no impact breakdown to decode), and
            # any other column refused rather than loaded row by row.
            Nomination,
            User.display_name.label("nominee_name"),
            User.name_holders.label("nominee_name_holders"),
            Category.name.label("category_name"),
            self.my_review.status.label("my_status"),
            self.my_review.reads_others.label("my_reads_others"),
            self.my_assignment.created_at.label("assigned_at"),
            Award.revoked_at.label("revoked_at"),
            IntegrityResult.effective_endorsers.label("effective_endorsers"),
            IntegrityResult.flagged.label("integrity_flagged"),
        )
        stmt = (
            stmt.join(User, User.id == Nomination.nominee_id)
            .join(Category, Category.id == Nomination.category_id)
            .outerjoin(Award, Award.nomination_id == Nomination.id)
            .outerjoin(IntegrityResult, IntegrityResult.user_id == Nomination.nominee_id)
        )
        return self._join_assignment(self._join_review(stmt)).options(ROW_COLUMNS)

    def ordered_ids(
        self, session: Session, filters: Filters, calibration: Calibration
    ) -> list[tuple[int, bool]]:
        """Every nomination of the filtered queue in its order, as (id, undecided): the
        calibrated filter and sort applied to the calibration, in Python."""
        filters = _known_sort(filters)
        stmt = self._built(
            ("ordered_ids", *_shape(filters)),
            lambda: self._filtered(select(Nomination.id, Nomination.decision), filters).order_by(
                *self._order(filters)
            ),
        )
        undecided = {row[0]: row[1] is None for row in session.execute(stmt, self.params(filters))}
        ids = calibrated_order(list(undecided), filters, calibration)
        return [(nomination_id, undecided[nomination_id]) for nomination_id in ids]

    def calibrated_page(
        self,
        session: Session,
        filters: Filters,
        calibration: Calibration,
        number: int,
        per_page: int,
        total: int | None = None,
    ) -> Page:
        """One page of the queue when its order or filter reads the calibration.

        ``total``: the queue's size when nothing but the order is asked (the progress table
        counts it); then every scored nomination of the queue is in the calibration (both
        leave out the same conflicted ones), so a page among the scored ones is cut from
        the calibration's order without reading the queue's ids."""
        filters = _known_sort(filters)
        ranked = calibration.ascending
        if (
            total is not None
            and filters.category_id is None
            and filters.min_score is None
            and filters.sort in CALIBRATED_SORTS
            and number * per_page <= len(ranked)
            and number >= 1
        ):
            order = ranked[::-1] if filters.descending else ranked
            start = (number - 1) * per_page
            return self._page_of(session, order[start : start + per_page], number, per_page, total)
        ids = self._above(filters, calibration)
        if ids is None:
            stmt = self._built(
                ("ids", *_shape(filters)),
                lambda: self._filtered(select(Nomination.id), filters).order_by(
                    *self._order(filters)
                ),
            )
            ids = calibrated_order(
                list(session.scalars(stmt, self.params(filters))), filters, calibration
            )
        number = min(max(1, number), max(1, math.ceil(len(ids) / per_page)))
        chosen = ids[(number - 1) * per_page : number * per_page]
        return self._page_of(session, chosen, number, per_page, len(ids))

    def _above(self, filters: Filters, calibration: Calibration) -> list[int] | None:
        """The queue's ids in order when it is filtered on the calibrated score alone and
        sorted by id or by that score: read off the calibration, whose nominations are
        exactly the organizer's queue's scored ones (the same cycle and statuses, the same
        conflicted left out: ``queries.calibration``), without reading the queue. None for
        any other filter or order (``calibrated_order`` over the queue's ids)."""
        if (
            not self.user.is_organizer
            or self.scoped
            or filters.min_score is None
            or filters.score_basis != "calibrated"
            or filters.sort not in CALIBRATED_SORTS | {"id"}
            or filters.category_id is not None
            or filters.status is not None
            or filters.assigned_to_me
            or filters.not_reviewed_by_me
            or filters.disagreement
            or filters.flagged
        ):
            return None
        ranked = calibration.ascending  # by calibrated score: those above it are a tail
        scores = calibration.nominations
        above = ranked[bisect_left(ranked, filters.min_score, key=lambda i: scores[i].calibrated) :]
        if filters.sort == "id":
            above.sort()
        return above[::-1] if filters.descending else above

    def _page_of(
        self, session: Session, chosen: Sequence[int], number: int, per_page: int, total: int
    ) -> Page:
        """The page of the rows of ``chosen``, in that order."""
        place = {nomination_id: index for index, nomination_id in enumerate(chosen)}
        items = (
            sorted(
                session.execute(self.rows_of(), self.params(queue_ids=list(chosen))).all(),
                key=lambda row: place[row.Nomination.id],
            )
            if chosen
            else []
        )
        return Page(items=items, page=number, per_page=per_page, total=total)

    def page(
        self, session: Session, filters: Filters, number: int, per_page: int, total: int | None
    ) -> Page:
        """One page of the queue. ``total`` is the number of rows when the caller knows it
        already (the progress table counts the unfiltered queue); otherwise it is counted
        here on the nomination columns alone (``pagination.paginate`` would count over the rows
        query itself, joins and all)."""
        filters = _known_sort(filters)
        if total is None:
            total = session.scalar(self.count(filters), self.params(filters)) or 0
        number = min(max(1, number), max(1, math.ceil(total / per_page)))
        if self._blind(filters):
            return self._blind_page(session, filters, number, per_page, total)
        items = session.execute(
            self.rows(filters),
            self.params(filters, queue_limit=per_page, queue_offset=(number - 1) * per_page),
        ).all()
        return Page(items=items, page=number, per_page=per_page, total=total)

    def _blind_page(
        self, session: Session, filters: Filters, number: int, per_page: int, total: int
    ) -> Page:
        """One page of a reviewer's queue sorted on a score column. They see its value only
        where their own review reads the others' (rule 4), so the order is: those
        nominations with a value, by it (ties by id); then every other one by id, as if its
        value were NULL (last either way, ties in the same direction).

        The first part's ids are read off the reviewer's own reviews up to the page's end;
        the page's rows are those of its ids on the page and the rest's head, cut by id
        alone with an offset less the first part's size (a page may take the first part's
        tail and the rest's head). Two statements whatever the page: neither sorts the
        whole queue, nor joins it to the reviews."""
        start = (number - 1) * per_page
        end = start + per_page
        opened = list(
            session.scalars(self._opened_ids(filters), self.params(filters, queue_limit=end))
        )
        chosen = opened[start:end]
        # Short of the page's end, ``opened`` is the whole first part; at it, the page
        # takes none of the rest.
        rows = session.execute(
            self._blind_rows(filters),
            self.params(
                filters,
                queue_ids=chosen,
                queue_limit=per_page - len(chosen),
                queue_offset=max(0, start - len(opened)),
            ),
        ).all()
        place = {nomination_id: index for index, nomination_id in enumerate(chosen)}
        sign = -1 if filters.descending else 1

        def position(row) -> tuple[int, int]:
            nomination_id = row.Nomination.id
            if nomination_id in place:
                return (0, place[nomination_id])
            return (1, sign * nomination_id)

        return Page(items=sorted(rows, key=position), page=number, per_page=per_page, total=total)

    def _opened_ids(self, filters: Filters) -> Select:
        """``_blind_page``'s first part, ``queue_limit`` of it."""

        def build() -> Select:
            column = COLUMNS[filters.sort]
            order: list[ColumnElement[Any]] = (
                [column.desc(), Nomination.id.desc()]
                if filters.descending
                else [column.asc(), Nomination.id.asc()]
            )
            return (
                self._filtered(select(Nomination.id), filters)
                .where(self._opened(), column.is_not(None))
                .order_by(*order)
                .limit(bindparam("queue_limit", type_=Integer))
            )

        return self._built(("opened_ids", *_shape(filters)), build)

    def _blind_rows(self, filters: Filters) -> Select:
        """``_blind_page``'s rows (as ``rows`` gives them), in no order: those of
        ``queue_ids`` and of the second part, ``queue_limit`` of it from
        ``queue_offset``."""

        def build() -> Select:
            column = COLUMNS[filters.sort]
            rest = (
                self._filtered(select(Nomination.id), filters)
                .where(or_(column.is_(None), ~self._opened()))
                .order_by(Nomination.id.desc() if filters.descending else Nomination.id.asc())
                .limit(bindparam("queue_limit", type_=Integer))
                .offset(bindparam("queue_offset", type_=Integer))
                .subquery("rest")
            )
            # One set of ids (an OR of two would have SQLite read the rest twice).
            page_ids = union_all(
                select(Nomination.id).where(
                    Nomination.id.in_(bindparam("queue_ids", expanding=True))
                ),
                select(rest.c.id),
            )
            return self._rows_select().where(Nomination.id.in_(page_ids))

        return self._built(("blind_rows", *_shape(filters)), build)

    def counted(self, session: Session) -> list[Counted]:
        """``progress``'s rows, kept in the shared cache under the cycle's
        ``review_activity`` (drawn anew by every change to its assignments and reviews and
        by every nomination's move: ``nominee.activity``) and what the viewer is kept from
        (their scope and conflicts)."""
        return [
            Counted(*row)
            for row in self._kept(
                session,
                "queue-progress",
                lambda: session.execute(self.progress(), self.params()).all(),
            )
        ]

    def counted_mine(self, session: Session) -> list[Mine]:
        """``mine``'s rows, kept as ``counted``'s are."""
        return [
            Mine(*row)
            for row in self._kept(
                session,
                f"queue-mine:{self.user.id}",
                lambda: session.execute(self.mine(), self.params()).all(),
            )
        ]

    def _kept(self, session: Session, name: str, compute) -> list[list[int]]:
        cache = session.info.get(sharedcache.CACHE)
        if cache is None or activity.review_work_pending(session):
            # Not kept while this transaction's own changes to the review work are
            # uncommitted.
            return [_figures(row) for row in compute()]
        seen = (
            self.cycle.reviewers_per_nomination,
            sorted(self.scope.category_ids) if self.scoped else None,
            self.conflicted,
        )
        digest = hashlib.sha256(repr(seen).encode()).hexdigest()[:24]
        return cache.remember(
            f"{name}:{self.cycle.id}:{self.cycle.review_activity}:{digest}",
            PROGRESS_SECONDS,
            lambda: [_figures(row) for row in compute()],
            lambda rows: rows,
            lambda kept: kept,
        )

    def progress(self) -> Select:
        """Per category: the nominations and their reviews submitted (capped at K each)."""
        return self._built(("progress",), self._progress)

    def _progress(self) -> Select:
        k = bindparam("queue_k", type_=Integer)
        capped = case((Nomination.reviews_submitted > k, k), else_=Nomination.reviews_submitted)
        return (
            select(
                Nomination.category_id,
                func.count(Nomination.id).label("nominations"),
                func.sum(capped).label("submitted"),
                # For the calibration's fingerprint (``counters_fingerprint``).
                func.sum(Nomination.reviews_submitted).label("reviews"),
                func.sum(Nomination.reviews_submitted * Nomination.id).label("weighted"),
            )
            .where(*self._visible())
            .group_by(Nomination.category_id)
        )

    def mine(self) -> Select:
        """Per category: the user's assignments and how many of those they submitted.
        Starts from their assignments, so it reads a few hundred rows, not the cycle."""
        return self._built(("mine",), self._mine)

    def _mine(self) -> Select:
        submitted = case((Review.status == ReviewStatus.SUBMITTED, 1), else_=0)
        return (
            select(
                Nomination.category_id,
                func.count().label("assigned"),
                func.sum(submitted).label("submitted"),
            )
            .select_from(Assignment)
            .join(Nomination, Nomination.id == Assignment.nomination_id)
            .outerjoin(
                Review,
                and_(
                    Review.nomination_id == Assignment.nomination_id,
                    Review.reviewer_id == Assignment.reviewer_id,
                ),
            )
            .where(Assignment.reviewer_id == bindparam("queue_user"), *self._visible())
            .group_by(Nomination.category_id)
        )

    def progress_table(
        self, rows, mine_rows, categories: Sequence[Category]
    ) -> tuple[list[CategoryProgress], CategoryProgress]:
        """The progress per category (in ``categories`` order) and overall."""
        k = self.cycle.reviewers_per_nomination
        found = {row.category_id: row for row in rows}
        mine = {row.category_id: row for row in mine_rows}
        per_category = []
        for category in categories:
            row = found.get(category.id)
            if row is None:
                continue
            own = mine.get(category.id)
            per_category.append(
                CategoryProgress(
                    category.id,
                    category.name,
                    row.nominations,
                    row.nominations * k,
                    int(row.submitted or 0),
                    own.assigned if own else 0,
                    int(own.submitted or 0) if own else 0,
                )
            )
        overall = CategoryProgress(
            None,
            _("All categories"),
            sum(p.nominations for p in per_category),
            sum(p.reviews_needed for p in per_category),
            sum(p.reviews_submitted for p in per_category),
            sum(p.mine_assigned for p in per_category),
            sum(p.mine_submitted for p in per_category),
        )
        return per_category, overall


def calibrated_order(ids: list[int], filters: Filters, calibration: Calibration) -> list[int]:
    """``ids`` (the filtered queue in its SQL order) with the calibrated filter and sort
    applied: the scored ones in the calibration's order (``Calibration.ascending``, sorted
    once per calibration), then the unscored ones in their SQL order (received order,
    reversed when descending)."""
    scores = calibration.nominations
    if filters.min_score is not None and filters.score_basis == "calibrated":
        bound = filters.min_score
        ids = [i for i in ids if (found := scores.get(i)) is not None and found.calibrated >= bound]
    if filters.sort not in CALIBRATED_SORTS:
        return ids
    present = set(ids)
    ranked = reversed(calibration.ascending) if filters.descending else calibration.ascending
    return [i for i in ranked if i in present] + [i for i in ids if i not in scores]


def known_total(
    filters: Filters, progress: Sequence[CategoryProgress], overall: CategoryProgress
) -> int | None:
    """The number of rows, read off the progress table when at most a category is chosen."""
    if filters.status or filters.assigned_to_me or filters.not_reviewed_by_me:
        return None
    if filters.disagreement or filters.flagged or filters.min_score is not None:
        return None
    if filters.category_id is None:
        return overall.nominations
    return next((p.nominations for p in progress if p.category_id == filters.category_id), 0)


def queue_categories(cycle: Cycle, user: User, scope: Scope) -> list[Category]:
    """The categories of ``cycle`` whose nominations ``user`` sees in the queue."""
    return [c for c in cycle.categories if user.is_organizer or scope.covers(c.id)]


@dataclass(frozen=True)
class Dashboard:
    filters: Filters  # as applied: without the status filter where decisions are hidden
    status_filter: bool  # may the user filter by decision? (rule 5)
    progress: list[CategoryProgress]
    overall: CategoryProgress
    page: Page  # rows as ``Queue.rows`` describes them
    calibration: Calibration | None  # organizers only


def dashboard(
    session: Session,
    cycle: Cycle,
    user: User,
    scope: Scope,
    filters: Filters,
    page: int,
    per_page: int,
) -> Dashboard:
    """The cycle's review queue as ``user`` sees it: the progress table and one page of
    rows."""
    status_filter = not decisions_hidden(user, cycle)
    if not status_filter:
        # Rule 5: before publishing, nothing a reviewer asks narrows the queue by decision.
        filters = replace(filters, status=None)
    conflicted = conflicted_ids(session, cycle, user)
    queue = Queue(cycle, user, scope, conflicted)
    counted = queue.counted(session)
    calibration = None
    if user.is_organizer:
        # An organizer's progress counts the whole queue: the calibration's nominations.
        calibration = cycle_calibration(
            session,
            cycle.id,
            conflicted,
            known=counters_fingerprint(
                sum(row.nominations for row in counted),
                sum(int(row.reviews or 0) for row in counted),
                sum(int(row.weighted or 0) for row in counted),
            ),
        )
    else:
        filters = without_calibration(filters)
    progress, overall = queue.progress_table(
        counted,
        queue.counted_mine(session) if scope.appointed else [],
        queue_categories(cycle, user, scope),
    )
    if calibration is not None and filters.calibrated:
        rows = queue.calibrated_page(
            session,
            filters,
            calibration,
            page,
            per_page,
            known_total(filters, progress, overall),
        )
    else:
        rows = queue.page(session, filters, page, per_page, known_total(filters, progress, overall))
    return Dashboard(filters, status_filter, progress, overall, rows, calibration)


def next_undecided(
    session: Session, cycle: Cycle, user: User, filters: Filters, after_id: int
) -> int | None:
    """The first undecided nomination after ``after_id`` in the queue's order (as the
    organizer's dashboard shows it with ``filters``), wrapping round to the start; None
    when every nomination the organizer may decide is decided."""
    conflicted = conflicted_ids(session, cycle, user)
    calibration = cycle_calibration(session, cycle.id, conflicted)
    queue = Queue(cycle, user, Scope(whole_cycle=True), conflicted)
    rows = queue.ordered_ids(session, replace(filters, status=None), calibration)
    ids = [nomination_id for nomination_id, _undecided in rows]
    start = ids.index(after_id) + 1 if after_id in ids else 0
    for nomination_id, undecided in rows[start:] + rows[:start]:
        if undecided and nomination_id != after_id:
            return nomination_id
    return None
