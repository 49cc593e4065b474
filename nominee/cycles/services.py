"""Cycle operations: set-up, rubric, status moves. They check rules, audit and flush."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import CompoundSelect, bindparam, func, not_, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from nominee import audit, clock, events
from nominee.accounts.models import User
from nominee.categories.models import Category
from nominee.cycles import rules
from nominee.cycles.models import DEFAULT_RUBRIC, Cycle, CycleStatus, RubricCriterion
from nominee.errors import Conflict, DomainError, PermissionDenied
from nominee.i18n import N_, _, ngettext
from nominee.nominations.models import LIVE_STATUSES, Nomination, NominationStatus
from nominee.reviews.models import Review

STALE_CYCLE = N_("This cycle changed in the meantime; reload and try again.")

# Settings ``rules.settings_errors`` has nothing to say about.
NOT_CHECKED_SETTINGS = frozenset({"name", "category_ids", "moves_automatically"})

# (name, description, weight), as in DEFAULT_RUBRIC.
Criterion = tuple[str, str, float]


@dataclass(frozen=True)
class CycleSettings:
    name: str
    category_ids: Sequence[int]
    nominations_open_on: date
    nominations_close_on: date
    review_close_on: date
    lookback_months: int = 12
    award_term_months: int = 12
    min_evidence: int = 3
    max_evidence: int = 30
    peer_nomination_limit: int = 3
    reviewers_per_nomination: int = 3
    moves_automatically: bool = False
    appeal_days: int = 14


def create_cycle(
    session: Session,
    actor: User,
    settings: CycleSettings,
    criteria: Sequence[Criterion] = DEFAULT_RUBRIC,
) -> Cycle:
    if not rules.can_manage_cycles(actor):
        raise PermissionDenied(_("Only organizers set up cycles."))
    cycle = Cycle(status=CycleStatus.DRAFT)
    _check_criteria(criteria)
    with session.no_autoflush:
        _apply_settings(session, cycle, settings)
    cycle.criteria = [
        RubricCriterion(
            name=name.strip(), description=description.strip(), weight=weight, position=i
        )
        for i, (name, description, weight) in enumerate(criteria)
    ]
    _flush_unique_name(session, cycle)
    audit.record(session, actor, "cycle.created", cycle, after=_snapshot(cycle))
    return cycle


def update_cycle(
    session: Session,
    actor: User,
    cycle: Cycle,
    settings: CycleSettings,
    criteria: Sequence[Criterion] | None,
    expected_version: int,
) -> Cycle:
    """Change a cycle's settings; ``criteria`` None leaves the rubric as it is."""
    if not rules.can_manage_cycles(actor):
        raise PermissionDenied(_("Only organizers set up cycles."))
    if cycle.version != expected_version:
        raise Conflict(_(STALE_CYCLE))
    if not rules.can_edit(cycle):
        raise DomainError(_("A published cycle cannot be changed."))
    before = _snapshot(cycle)
    _check_removed_categories(session, cycle, settings.category_ids)
    # Nothing reaches the database before every check passed (the flush below is the
    # one place where a lost race or a duplicate name can surface).
    with session.no_autoflush:
        _apply_settings(session, cycle, settings)
        if criteria is not None and _rubric_differs(cycle, criteria):
            if rubric_locked(session, cycle):
                raise DomainError(
                    _("The rubric cannot change once the first review exists."), field="criteria"
                )
            _check_criteria(criteria)
            _replace_criteria(cycle, criteria)
    # Categories and criteria live in other tables: bump the version for them too.
    flag_modified(cycle, "name")
    try:
        _flush_unique_name(session, cycle)
    except StaleDataError:
        raise Conflict(_(STALE_CYCLE)) from None
    audit.record(session, actor, "cycle.updated", cycle, before=before, after=_snapshot(cycle))
    return cycle


def rubric_locked(session: Session, cycle: Cycle) -> bool:
    """True once any review (draft or submitted) exists for a nomination of the cycle."""
    stmt = (
        select(Review.id)
        .join(Nomination, Nomination.id == Review.nomination_id)
        .where(Nomination.cycle_id == cycle.id)
        .limit(1)
    )
    return cycle.id is not None and session.scalar(stmt) is not None


def move_status(
    session: Session, actor: User, cycle: Cycle, to_status: CycleStatus, expected_version: int
) -> Cycle:
    """Move ``cycle`` one step along draft -> open -> in review -> decided -> published.

    Receivers of ``events.cycle_moving`` may refuse with a DomainError; receivers of
    ``events.cycle_moved`` react inside this transaction (see ``nominee.receivers``).
    """
    if not rules.can_manage_cycles(actor):
        raise PermissionDenied(_("Only organizers move a cycle's status."))
    if cycle.version != expected_version:
        raise Conflict(_(STALE_CYCLE))
    return _move(session, actor, cycle, to_status)


def move_on_schedule(session: Session, cycle: Cycle, today: date) -> CycleStatus | None:
    """The programme's move of a cycle that moves by itself, when its dates say so
    (``rules.scheduled_move``): through the same checks, events and audit as an
    organizer's move, with no actor. Answers the status it moved to, or None."""
    to_status = rules.scheduled_move(cycle, today)
    if not cycle.moves_automatically or to_status is None:
        return None
    _move(session, None, cycle, to_status)
    return to_status


def _move(session: Session, actor: User | None, cycle: Cycle, to_status: CycleStatus) -> Cycle:
    if refusal := rules.why_not_move(cycle, to_status):
        raise DomainError(refusal)
    old = cycle.status
    signal_args: dict[str, Any] = {"session": session, "actor": actor, "old": old, "new": to_status}
    events.cycle_moving.send(cycle, **signal_args)
    cycle.status = to_status
    if to_status is CycleStatus.PUBLISHED:
        cycle.published_at = clock.now()
    try:
        session.flush()
        events.cycle_moved.send(cycle, **signal_args)
        session.flush()
    except StaleDataError:
        # Another request moved the cycle (or one of its nominations) first.
        raise Conflict(_(STALE_CYCLE)) from None
    audit.record(
        session,
        actor,
        "cycle.status_changed",
        cycle,
        before={"status": old},
        after={"status": to_status},
    )
    return cycle


def counts_by_status(
    session: Session, cycle: Cycle, among: Sequence[int] | None = None
) -> dict[NominationStatus, int]:
    """Counts of the cycle's nominations (or of those ``among`` them) by status."""
    stmt = select(Nomination.status, func.count(Nomination.id)).where(
        Nomination.cycle_id == cycle.id
    )
    if among is not None:
        stmt = stmt.where(Nomination.id.in_(among))
    return dict(session.execute(stmt.group_by(Nomination.status)).all())


@functools.cache
def _per_category() -> CompoundSelect[int, int]:
    """A cycle's nominations per category (bound as ``cycle_id``), built once per process:
    the live ones counted in the (partial) index that holds them, the others (few:
    withdrawn, lapsed, refused) from their rows. A cycle in review has thousands."""
    live = Nomination.status.in_(
        bindparam("live", list(LIVE_STATUSES), expanding=True, literal_execute=True)
    )
    return union_all(
        *(
            select(Nomination.category_id, func.count())
            .where(Nomination.cycle_id == bindparam("cycle_id"), condition)
            .group_by(Nomination.category_id)
            for condition in (live, not_(live))
        )
    )


def nomination_counts(
    session: Session, cycle: Cycle
) -> tuple[dict[NominationStatus, int], list[tuple[Category, int]]]:
    """Counts of the cycle's nominations by status, and by category (every category in scope)."""
    by_status = counts_by_status(session, cycle)
    per_category: dict[int, int] = defaultdict(int)
    for category_id, count in session.execute(_per_category(), {"cycle_id": cycle.id}):
        per_category[category_id] += count
    categories = list(cycle.categories)
    extra_ids = set(per_category) - {c.id for c in categories}
    if extra_ids:  # a category removed from scope after nominations arrived (or retired)
        categories += session.scalars(select(Category).where(Category.id.in_(extra_ids))).all()
    return by_status, [(c, per_category.get(c.id, 0)) for c in categories]


def _apply_settings(session: Session, cycle: Cycle, settings: CycleSettings) -> None:
    values = asdict(settings)
    errors = rules.settings_errors(
        **{k: v for k, v in values.items() if k not in NOT_CHECKED_SETTINGS}
    )
    if errors:
        field, message = next(iter(errors.items()))
        raise DomainError(message, field=field)
    name = settings.name.strip()
    if not name:
        raise DomainError(_("Give the cycle a name."), field="name")
    clash = select(Cycle.id).where(func.lower(Cycle.name) == name.lower())
    if cycle.id is not None:
        clash = clash.where(Cycle.id != cycle.id)
    if session.scalar(clash) is not None:
        raise DomainError(_("A cycle with this name exists already."), field="name")
    cycle.categories = _categories_in_scope(session, cycle, settings.category_ids)
    for key, value in values.items():
        if key not in ("name", "category_ids"):
            setattr(cycle, key, value)
    cycle.name = name


def _categories_in_scope(session: Session, cycle: Cycle, ids: Sequence[int]) -> list[Category]:
    wanted = set(ids)
    if not wanted:
        raise DomainError(_("Choose at least one category."), field="category_ids")
    # A category retired after the cycle was set up may stay in its scope.
    already = {c.id for c in cycle.categories} if cycle.id is not None else set()
    found = session.scalars(select(Category).where(Category.id.in_(wanted))).all()
    if len(found) != len(wanted) or any(c.retired and c.id not in already for c in found):
        raise DomainError(_("Choose categories from the list."), field="category_ids")
    return sorted(found, key=lambda c: c.name)


def _check_removed_categories(session: Session, cycle: Cycle, ids: Sequence[int]) -> None:
    removed = {c.id for c in cycle.categories} - set(ids)
    if not removed:
        return
    used = session.scalars(
        select(Category.name)
        .join(Nomination, Nomination.category_id == Category.id)
        .where(Nomination.cycle_id == cycle.id, Category.id.in_(removed))
        .distinct()
    ).all()
    if used:
        raise DomainError(
            ngettext(
                "%(categories)s already has nominations in this cycle; it cannot leave the "
                "cycle's scope.",
                "%(categories)s already have nominations in this cycle; they cannot leave the "
                "cycle's scope.",
                len(used),
                categories=", ".join(sorted(used)),
            ),
            field="category_ids",
        )


def _check_criteria(criteria: Sequence[Criterion]) -> None:
    if not criteria:
        raise DomainError(_("The rubric needs at least one criterion."), field="criteria")
    seen: set[str] = set()
    for name, _description, weight in criteria:
        errors = rules.criterion_errors(name, weight)
        if errors:
            problems = " ".join(errors.values())
            raise DomainError(
                _("%(criterion)s: %(problems)s", criterion=name.strip(), problems=problems)
                if name.strip()
                else _("A criterion: %(problems)s", problems=problems),
                field="criteria",
            )
        key = name.strip().lower()
        if key in seen:
            raise DomainError(
                _("Two criteria are called “%(name)s”.", name=name.strip()), field="criteria"
            )
        seen.add(key)


def _rubric_differs(cycle: Cycle, criteria: Sequence[Criterion]) -> bool:
    current = [(c.name, c.description, float(c.weight)) for c in cycle.criteria]
    wanted = [(n.strip(), d.strip(), float(w)) for n, d, w in criteria]
    return current != wanted


def _replace_criteria(cycle: Cycle, criteria: Sequence[Criterion]) -> None:
    """Update criteria in place by position, so unchanged ones keep their ids."""
    existing = list(cycle.criteria)
    kept = []
    for i, (name, description, weight) in enumerate(criteria):
        criterion = existing[i] if i < len(existing) else RubricCriterion()
        criterion.name, criterion.description = name.strip(), description.strip()
        criterion.weight, criterion.position = weight, i
        kept.append(criterion)
    cycle.criteria = kept


def _flush_unique_name(session: Session, cycle: Cycle) -> None:
    try:
        # Added inside the savepoint, so a failed flush leaves the transaction usable.
        with session.begin_nested():
            session.add(cycle)
            session.flush()
    except IntegrityError:
        raise DomainError(_("A cycle with this name exists already."), field="name") from None


def _snapshot(cycle: Cycle) -> dict[str, Any]:
    return {
        "name": cycle.name,
        "status": cycle.status,
        "categories": [c.id for c in cycle.categories],
        "nominations_open_on": cycle.nominations_open_on,
        "nominations_close_on": cycle.nominations_close_on,
        "review_close_on": cycle.review_close_on,
        "lookback_months": cycle.lookback_months,
        "award_term_months": cycle.award_term_months,
        "min_evidence": cycle.min_evidence,
        "max_evidence": cycle.max_evidence,
        "peer_nomination_limit": cycle.peer_nomination_limit,
        "reviewers_per_nomination": cycle.reviewers_per_nomination,
        "moves_automatically": cycle.moves_automatically,
        "appeal_days": cycle.appeal_days,
        "criteria": [[c.name, c.weight] for c in cycle.criteria],
    }
