"""Who reviews what: appointments, a user's standing on a nomination, the panels and
their loads, the assignments page's rows, the reviews of a nomination."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Exists,
    Integer,
    Row,
    Select,
    and_,
    bindparam,
    case,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, Session, joinedload

from nominee import activity, sharedcache
from nominee.accounts.models import Role, User
from nominee.categories.models import Category
from nominee.cycles.models import Cycle
from nominee.errors import PermissionDenied
from nominee.i18n import _
from nominee.nominations.models import Nomination, NominationStatus
from nominee.pagination import Page
from nominee.reviews import rules
from nominee.reviews.models import (
    Assignment,
    ConflictClearance,
    Review,
    ReviewerAppointment,
    ReviewStatus,
)
from nominee.reviews.queries.conflicts import (
    Cause,
    clearances,
    find_conflicts,
    in_one_cycle,
    one_cycle_params,
)
from nominee.reviews.rules import Standing

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


def standing(session: Session, nomination: Nomination, user: User) -> Standing:
    """Appointed for the nomination's category? Conflicted on it? Assigned? One query."""
    row = session.execute(
        _standing(),
        {
            **one_cycle_params(nomination.cycle, user.id),
            "standing_nomination": nomination.id,
            "standing_category": nomination.category_id,
        },
    )
    appointed_value, conflicted_value, assigned_value, cleared_value = row.one()
    return Standing(
        appointed=bool(appointed_value),
        conflicted=bool(conflicted_value),
        assigned=bool(assigned_value),
        cleared_here=bool(cleared_value),
    )


@cache
def _standing() -> Select[*tuple[Any, ...]]:
    """``standing``'s query with the nomination, its category and ``in_one_cycle``'s
    parameters as its own: built once (every panel page asks it; building it took
    longer than the database answering it)."""
    nomination_id = bindparam("standing_nomination", type_=Integer)
    user_id = bindparam("conflict_user", type_=Integer)
    appointed = exists().where(
        ReviewerAppointment.cycle_id == bindparam("conflict_cycle_0"),
        ReviewerAppointment.reviewer_id == user_id,
        or_(
            ReviewerAppointment.category_id.is_(None),
            ReviewerAppointment.category_id == bindparam("standing_category"),
        ),
    )
    assigned = exists().where(
        Assignment.nomination_id == nomination_id, Assignment.reviewer_id == user_id
    )
    cleared = exists().where(ConflictClearance.nomination_id == nomination_id)
    return select(
        appointed.label("appointed"),
        nomination_id.in_(in_one_cycle()).label("conflicted"),
        assigned.label("assigned"),
        cleared.label("cleared"),
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
        raise PermissionDenied(_(rules.CONFLICTED))
    return position


def panel_nomination(session: Session, cycle_id: int, nomination_id: int) -> Nomination | None:
    """The nomination of ``cycle_id`` with everything the panel's pages show of it, in one
    query."""
    return (
        session.scalars(_panel_nomination(), {"cycle_id": cycle_id, "nomination_id": nomination_id})
        .unique()
        .one_or_none()
    )


@cache
def _panel_nomination() -> Select[*tuple[Any, ...]]:
    """``panel_nomination``'s query, its ids as parameters: built once, as ``_standing``."""
    return (
        select(Nomination)
        .where(
            Nomination.id == bindparam("nomination_id"),
            Nomination.cycle_id == bindparam("cycle_id"),
        )
        .options(
            joinedload(Nomination.cycle).joinedload(Cycle.criteria),
            joinedload(Nomination.category),
            joinedload(Nomination.nominee),
            joinedload(Nomination.nominator),
            joinedload(Nomination.integrity),
        )
    )


def cycle_with_categories(session: Session, cycle_id: int) -> Cycle | None:
    return session.scalars(_cycle_with_categories(), {"cycle_id": cycle_id}).unique().one_or_none()


@cache
def _cycle_with_categories() -> Select[*tuple[Any, ...]]:
    """``cycle_with_categories``'s query, the cycle as a parameter: built once, as
    ``_standing``."""
    return (
        select(Cycle).where(Cycle.id == bindparam("cycle_id")).options(joinedload(Cycle.categories))
    )


def review_cycles(session: Session, user: User) -> Sequence[Cycle]:
    """The cycles a reviewer's start page lists: those they are appointed to (every cycle
    for an organizer), the latest first."""
    stmt = select(Cycle).order_by(Cycle.nominations_close_on.desc(), Cycle.id.desc())
    if not user.is_organizer:
        stmt = stmt.where(
            Cycle.id.in_(
                select(ReviewerAppointment.cycle_id).where(
                    ReviewerAppointment.reviewer_id == user.id
                )
            )
        )
    return session.scalars(stmt).all()


# Appointments


def appointable_reviewers(session: Session) -> Sequence[Row[int, str, int, Role]]:
    """Active reviewers and organizers: ``id``, ``display_name``, ``name_holders``,
    ``role``, by name."""
    return session.execute(
        select(User.id, User.display_name, User.name_holders, User.role)
        .where(User.role.in_((Role.REVIEWER, Role.ORGANIZER)), User.is_active_account.is_(True))
        .order_by(User.display_name, User.id)
    ).all()


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


class Reviewer(NamedTuple):
    """An appointed reviewer as the loads show them: what ``member_name`` reads of a
    ``User``, and whether they may still review."""

    id: int
    display_name: str
    name_holders: int
    role: Role
    is_active_account: bool

    @property
    def is_reviewer(self) -> bool:
        return self.role in (Role.REVIEWER, Role.ORGANIZER)


class AppointedFor(NamedTuple):
    """The category of an appointment (None stands for all of them)."""

    id: int
    name: str


class Appointed(NamedTuple):
    """One appointment of a reviewer in a cycle."""

    id: int
    reviewer_id: int
    reviewer: Reviewer
    category: AppointedFor | None  # None: all categories


@dataclass
class Load:
    reviewer: Reviewer
    categories: list[AppointedFor | None] = field(default_factory=list)  # None: all of them
    assigned: int = 0
    submitted: int = 0
    drafts: int = 0
    # The reviewer's appointments in the cycle, one per entry of ``categories``.
    appointments: list[Appointed] = field(default_factory=list)


LOADS_SECONDS = 600


def reviewer_loads(session: Session, cycle: Cycle) -> list[Load]:
    """Per appointed reviewer: assignments and reviews in ``cycle``, in one query.

    The counts read every assignment and review of the cycle, so they are kept in the
    shared cache under the cycle's ``review_activity``, which the review services draw
    anew with every appointment, assignment and review they add, submit or remove (counts
    kept under an older one are never read again); while they are kept, the query reads
    the appointments alone (a few dozen rows). Plain rows, not accounts and categories:
    the pages show a name and a category's of each."""
    # Not kept while this transaction's own changes to the review work are uncommitted.
    cache = None if activity.review_work_pending(session) else session.info.get(sharedcache.CACHE)
    key = f"reviewer-loads:{cycle.id}:{cycle.review_activity}"
    kept = cache.get(key) if cache is not None else None
    rows: Sequence[Sequence[Any]]
    if kept is not None:
        counts = {row[0]: tuple(row[1:]) for row in kept}
        rows = [
            (*row, *counts.get(row[1], (0, 0, 0)))
            for row in session.execute(_appointments(), {"loads_cycle": cycle.id})
        ]
    else:
        rows = session.execute(_loads_counted(), {"loads_cycle": cycle.id}).all()
        if cache is not None:
            found = {row[1]: [int(n) for n in row[-3:]] for row in rows}
            cache.set(key, [[r, *figures] for r, figures in found.items()], LOADS_SECONDS)
    # Sorted here (by name, the reviewer, the appointment): ordered in SQL, SQLite walked
    # every account by name and probed the appointments through a Bloom filter.
    loads: dict[int, Load] = {}
    for row in sorted(rows, key=lambda row: (row[2], row[1], row[0])):
        (appointment_id, reviewer_id, name, holders, role, active, category_id, category_name) = (
            row[:8]
        )
        assigned_count, submitted, drafts = (int(n) for n in row[8:])
        load = loads.get(reviewer_id)
        if load is None:
            load = loads[reviewer_id] = Load(
                Reviewer(reviewer_id, name, holders, role, active),
                assigned=assigned_count,
                submitted=submitted,
                drafts=drafts,
            )
        category = None if category_id is None else AppointedFor(category_id, category_name)
        load.categories.append(category)
        load.appointments.append(Appointed(appointment_id, reviewer_id, load.reviewer, category))
    return list(loads.values())


def _appointment_columns() -> tuple[Any, ...]:
    """What ``reviewer_loads`` reads of an appointment, its reviewer and its category."""
    return (
        ReviewerAppointment.id,
        ReviewerAppointment.reviewer_id,
        User.display_name,
        User.name_holders,
        User.role,
        User.is_active_account,
        ReviewerAppointment.category_id,
        Category.name,
    )


def _appointments_of(stmt: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
    return (
        stmt.join(User, User.id == ReviewerAppointment.reviewer_id)
        .outerjoin(Category, Category.id == ReviewerAppointment.category_id)
        .where(ReviewerAppointment.cycle_id == bindparam("loads_cycle"))
    )


@cache
def _appointments() -> Select:
    """The appointments of the cycle ``loads_cycle`` (a parameter) with their reviewers
    and categories: built once, as ``_standing``."""
    return _appointments_of(select(*_appointment_columns()))


@cache
def _loads_counted() -> Select:
    """``_appointments``, each with its reviewer's (assigned, submitted, drafts).

    The counts are grouped once over the cycle's nominations (each one's assignments and
    reviews read by the nomination's index), then joined to the appointments: counted per
    reviewer instead (a correlated count per appointment), the database looked every
    assignment and review of every reviewer up in the nominations, ten times the work."""
    in_cycle = select(Nomination.id).where(Nomination.cycle_id == bindparam("loads_cycle"))
    assigned = (
        select(Assignment.reviewer_id, func.count().label("assigned"))
        .where(Assignment.nomination_id.in_(in_cycle))
        .group_by(Assignment.reviewer_id)
        .subquery("assigned")
    )
    is_submitted = Review.status == ReviewStatus.SUBMITTED
    reviewed = (
        select(
            Review.reviewer_id,
            func.sum(case((is_submitted, 1), else_=0)).label("submitted"),
            func.sum(case((is_submitted, 0), else_=1)).label("drafts"),
        )
        .where(Review.nomination_id.in_(in_cycle))
        .group_by(Review.reviewer_id)
        .subquery("reviewed")
    )
    reviewer = ReviewerAppointment.reviewer_id
    return _appointments_of(
        select(
            *_appointment_columns(),
            func.coalesce(assigned.c.assigned, 0),
            func.coalesce(reviewed.c.submitted, 0),
            func.coalesce(reviewed.c.drafts, 0),
        )
        .select_from(ReviewerAppointment)
        .outerjoin(assigned, assigned.c.reviewer_id == reviewer)
        .outerjoin(reviewed, reviewed.c.reviewer_id == reviewer)
    )


def scopes_of(loads: Sequence[Load]) -> dict[int, frozenset[int] | None]:
    """``appointed_scopes`` from loads already read: the reviewers who may take assignments
    (active reviewers and organizers) with their categories, None for all."""
    scopes: dict[int, frozenset[int] | None] = {}
    for load in loads:
        user = load.reviewer
        if not user.is_active_account or user.role not in (Role.REVIEWER, Role.ORGANIZER):
            continue
        if any(category is None for category in load.categories):
            scopes[user.id] = None
        else:
            scopes[user.id] = frozenset(c.id for c in load.categories if c is not None)
    return scopes


# Assignment


class NamedMember(NamedTuple):
    """A member as a row names them: what ``member_name`` reads of a ``User``."""

    id: int
    display_name: str
    name_holders: int


def assignments_of(
    session: Session, nomination_ids: Sequence[int]
) -> dict[int, list[tuple[NamedMember, ReviewStatus | None]]]:
    """The reviewers assigned to each nomination, by name, with the status of their
    review."""
    found: dict[int, list[tuple[NamedMember, ReviewStatus | None]]] = defaultdict(list)
    if not nomination_ids:
        return found
    rows = session.execute(_assignments_of(), {"assigned_to": list(nomination_ids)})
    for row in rows:
        found[row.nomination_id].append(
            (NamedMember(row.reviewer_id, row.name, row.name_holders), row.status)
        )
    return found


@cache
def _assignments_of() -> Select:
    """``assignments_of``'s query, the nominations as a parameter: built once, as
    ``_standing``."""
    return (
        select(
            Assignment.nomination_id,
            User.id.label("reviewer_id"),
            User.display_name.label("name"),
            User.name_holders.label("name_holders"),
            Review.status.label("status"),
        )
        .join(User, User.id == Assignment.reviewer_id)
        .outerjoin(
            Review,
            and_(
                Review.nomination_id == Assignment.nomination_id,
                Review.reviewer_id == Assignment.reviewer_id,
            ),
        )
        .where(Assignment.nomination_id.in_(bindparam("assigned_to", expanding=True)))
        .order_by(User.display_name, User.id)
    )


@dataclass(frozen=True)
class AssignmentRow:
    """One nomination on the assignments page."""

    # Its ``id``, ``category_id``, ``nominee_id``, ``nominator_id``, ``kind``,
    # ``no_activity``, ``nominee_name``, ``nominee_name_holders`` and ``category_name``.
    nomination: Row[*tuple[Any, ...]]
    nominee: NamedMember
    # Its panel, with their review's status.
    assigned: list[tuple[Reviewer | NamedMember, ReviewStatus | None]]
    conflicts: list[tuple[Reviewer, list[Cause]]]  # appointed reviewers conflicted on it, and why
    candidates: list[Reviewer]  # appointed reviewers who may still join its panel, by name
    cleared: list[ConflictClearance] = field(default_factory=list)  # cleared conflicts on it
    why_short: str | None = None  # why it cannot reach K reviewers (None: it can)


@dataclass(frozen=True)
class AssignmentsPage:
    page: Page  # of ``AssignmentRow``
    loads: list[Load]
    left_out: bool  # the viewer is conflicted on some nominations, left out of the page

    @property
    def average(self) -> float:
        """Assignments per appointed reviewer."""
        return sum(load.assigned for load in self.loads) / len(self.loads) if self.loads else 0


def assignments_page(
    session: Session,
    cycle: Cycle,
    viewer: User,
    *,
    category_id: int | None,
    understaffed: bool,
    page: int,
    per_page: int,
) -> AssignmentsPage:
    """The nominations in review with their panels and who else may join them, and the
    reviewers' loads; leaving out what ``viewer`` is conflicted on (rule 9)."""
    counted, rows_of_page = _assignments_shown(bool(category_id), understaffed)
    values = {
        **one_cycle_params(cycle, viewer.id),
        "shown_category": category_id,
        "shown_k": cycle.reviewers_per_nomination,
    }
    counts = session.execute(counted, values).one()
    total = int(counts.total)
    page = min(max(1, page), max(1, math.ceil(total / per_page)))
    found = session.execute(
        rows_of_page, {**values, "shown_limit": per_page, "shown_offset": (page - 1) * per_page}
    ).all()
    ids = [nomination.id for nomination in found]
    loads = reviewer_loads(session, cycle)
    scopes = scopes_of(loads)
    cleared = clearances(session, ids)
    conflicts = find_conflicts(
        session, cycle, scopes, ids, known=found, clearance_pairs=set(cleared)
    )
    assigned_to = assignments_of(session, ids)
    names = {load.reviewer.id: load.reviewer for load in loads}
    # Sorted once: a row's candidates are picked from them in this order.
    by_name = sorted((r for r in scopes if r in names), key=lambda r: (names[r].display_name, r))
    # Who covers each category of the page, found once per category rather than per row:
    # in the loads' order, and by name.
    covering: dict[int, list[int]] = {}
    ranked: dict[int, list[int]] = {}
    for category_id in {nomination.category_id for nomination in found}:
        covering[category_id] = [
            r for r, scope in scopes.items() if rules.covers(scope, category_id) and r in names
        ]
        ranked[category_id] = [r for r in by_name if rules.covers(scopes[r], category_id)]
    k = cycle.reviewers_per_nomination
    rows = []
    for nomination in found:
        # Its reviewers as the loads name them where they are appointed (each one's name
        # is written once for the page), by their own names where they are no longer.
        panel = [
            (names.get(reviewer.id, reviewer), status)
            for reviewer, status in assigned_to.get(nomination.id, [])
        ]
        on_it = {reviewer.id for reviewer, _ in panel}
        eligible = covering[nomination.category_id]
        on_conflict = [
            (names[r], conflicts[nomination.id, r])
            for r in eligible
            if (nomination.id, r) in conflicts
        ]
        candidates = [
            names[r]
            for r in rules.may_join_of(
                ranked[nomination.category_id], nomination.id, on_it, conflicts
            )
        ]
        rows.append(
            AssignmentRow(
                nomination,
                NamedMember(
                    nomination.nominee_id, nomination.nominee_name, nomination.nominee_name_holders
                ),
                panel,
                on_conflict,
                candidates,
                [c for key, c in cleared.items() if key[0] == nomination.id],
                rules.why_short(
                    k,
                    len(panel) + len(candidates),
                    nomination.category_name,
                    len(eligible),
                    [
                        (user.display_name, [cause.kind for cause in found])
                        for user, found in on_conflict
                    ],
                    len(names) - len(eligible),
                ),
            )
        )
    return AssignmentsPage(
        Page(items=rows, page=page, per_page=per_page, total=total),
        loads,
        left_out=bool(counts.left_out),
    )


@lru_cache(maxsize=4)
def _assignments_shown(by_category: bool, understaffed: bool) -> tuple[Select, Select]:
    """``assignments_page``'s two queries for each form of its filters: the number of
    nominations it lists and whether the viewer's conflicts left any out, then the rows
    of a page (``shown_limit`` from ``shown_offset``); ``in_one_cycle``'s parameters
    (the viewer's, rule 9) with ``shown_category`` and ``shown_k`` (the reviewers a
    nomination needs). Built once, as ``_standing``: building them, with the five
    branches of the conflicts in each, took longer than the database answering them."""
    conflicted = in_one_cycle().subquery("conflicted")
    shown = select(Nomination.id).where(
        Nomination.cycle_id == bindparam("conflict_cycle_0"),
        Nomination.status == NominationStatus.IN_REVIEW,
        Nomination.id.not_in(select(conflicted.c.id)),
    )
    if by_category:
        shown = shown.where(Nomination.category_id == bindparam("shown_category"))
    if understaffed:
        assigned = (
            select(func.count())
            .where(Assignment.nomination_id == Nomination.id)
            .correlate(Nomination)
            .scalar_subquery()
        )
        shown = shown.where(assigned < bindparam("shown_k", type_=Integer))
    counted = select(
        select(func.count()).select_from(shown.subquery()).scalar_subquery().label("total"),
        select(conflicted.c.id).exists().label("left_out"),
    )
    # The page's ids first, then their nominees and categories: joined before the page
    # is cut, every nomination in review was looked up twice.
    page_ids = (
        shown.order_by(Nomination.id)
        .limit(bindparam("shown_limit", type_=Integer))
        .offset(bindparam("shown_offset", type_=Integer))
        .subquery("page_ids")
    )
    rows = (
        select(
            Nomination.id,
            Nomination.category_id,
            Nomination.nominee_id,
            Nomination.nominator_id,
            Nomination.kind,
            Nomination.no_activity,
            User.display_name.label("nominee_name"),
            User.name_holders.label("nominee_name_holders"),
            Category.name.label("category_name"),
        )
        .join(page_ids, page_ids.c.id == Nomination.id)
        .join(User, User.id == Nomination.nominee_id)
        .join(Category, Category.id == Nomination.category_id)
        .order_by(Nomination.id)
    )
    return counted, rows


# Reviews


def reviews_of(session: Session, nomination: Nomination) -> list[Review]:
    """Every review of ``nomination`` with reviewer and scores, in one query."""
    return list(session.scalars(_reviews_of(), {"nomination_id": nomination.id}).unique())


@cache
def _reviews_of() -> Select[*tuple[Any, ...]]:
    """``reviews_of``'s query, the nomination as a parameter: built once, as ``_standing``."""
    return (
        select(Review)
        .where(Review.nomination_id == bindparam("nomination_id"))
        .options(joinedload(Review.reviewer), joinedload(Review.scores))
        .order_by(Review.submitted_at.is_(None), Review.submitted_at, Review.id)
    )


def nominee_feedback(session: Session, nomination: Nomination, viewer: User) -> list[str]:
    """The reviewers' feedback for the nominee, unsigned, once the cycle is published
    (no query when ``viewer`` may not read it)."""
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


def submitted_review(
    nomination_id: int | ColumnElement[int] | InstrumentedAttribute[int],
    reviewer_id: int | ColumnElement[int] | InstrumentedAttribute[int],
) -> Exists:
    """Has the reviewer submitted a review of the nomination? (SQL, for a WHERE: with
    ``~``, an assignment still to do.)"""
    return exists().where(
        Review.nomination_id == nomination_id,
        Review.reviewer_id == reviewer_id,
        Review.status == ReviewStatus.SUBMITTED,
    )


def reviewer_assignments(
    session: Session, reviewer: User, limit: int
) -> Sequence[Row[*tuple[Any, ...]]]:
    """The nominations ``reviewer`` is assigned to, as plain rows of what the API lists:
    ``nomination_id``, ``cycle_id``, ``cycle_name``, ``cycle_status``,
    ``review_close_on``, ``category_id``, ``category_name``, ``nominee_id``,
    ``nominee_name``, ``review_status`` and ``review_version`` (None: not started); the
    cycles in review first, then the latest assigned; at most ``limit``."""
    return session.execute(
        select(
            Assignment.nomination_id,
            Cycle.id.label("cycle_id"),
            Cycle.name.label("cycle_name"),
            Cycle.status.label("cycle_status"),
            Cycle.review_close_on,
            Category.id.label("category_id"),
            Category.name.label("category_name"),
            User.id.label("nominee_id"),
            User.display_name.label("nominee_name"),
            Review.status.label("review_status"),
            Review.version.label("review_version"),
        )
        .select_from(Assignment)
        .join(Nomination, Nomination.id == Assignment.nomination_id)
        .join(Cycle, Cycle.id == Nomination.cycle_id)
        .join(Category, Category.id == Nomination.category_id)
        .join(User, User.id == Nomination.nominee_id)
        .outerjoin(
            Review,
            and_(
                Review.nomination_id == Assignment.nomination_id,
                Review.reviewer_id == Assignment.reviewer_id,
            ),
        )
        .where(Assignment.reviewer_id == reviewer.id)
        .order_by(
            Cycle.review_close_on.desc(), Assignment.created_at.desc(), Assignment.nomination_id
        )
        .limit(limit)
    ).all()
