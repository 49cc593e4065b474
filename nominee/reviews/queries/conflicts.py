"""Conflicts of interest between reviewers and nominations: detected, not only declared.

A reviewer is conflicted on a nomination when they are its nominee or its nominator,
when they endorsed the nominee or were endorsed by the nominee inside the cycle's
look-back window (dated by ``Endorsement.created_at``; withdrawn ones too, or endorsing
and withdrawing would clear the way to review), or when they declared a conflict with a
reason.

The rule has two forms, kept side by side so they cannot drift apart:

- ``find_conflicts`` gives the causes in words for many nominations times many
  reviewers in three queries (assignment pages, auto-assignment, refusals);
- ``in_one_cycle`` (``conflicted_ids``) is a SQL query of the ids of the cycle's
  nominations one reviewer is conflicted on, built once with its values as parameters.
  It starts from the reviewer's side (their endorsements in the window by
  ``ix_endorsements_endorser_created`` and
  ``ix_endorsements_endorsee_created``, then the nominations of those people by
  ``ix_nominations_nominee``), so its cost follows the reviewer's own activity, not the
  size of the cycle. The review queue runs it once per page and leaves those ids out of
  its rows and counts with a plain ``NOT IN`` list. ``conflicted_in_cycles`` runs the
  same query over several cycles at once (the audit log asks it for every unpublished
  cycle, the dossier for the nominee's undecided ones).

An organizer may clear a detected conflict (nominator, endorsements either way) of one
reviewer on one nomination, with a reason (``ConflictClearance``): both forms then leave
that pair's detected causes out. Being the nominee and a declared conflict are never
cleared (``CLEARABLE``).

Organizers are bound by the same rule (DESIGN rule 9): ``conflicted_ids`` answers for
every account, and the organizers' pages leave out or mask what it names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import cache, lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    and_,
    bindparam,
    exists,
    func,
    literal,
    or_,
    select,
    union,
    union_all,
)
from sqlalchemy.orm import Session, joinedload

from nominee.accounts.models import User
from nominee.cycles.models import Cycle, CycleStatus
from nominee.endorsements.models import Endorsement
from nominee.formatting import format_date
from nominee.i18n import _, ngettext
from nominee.nominations.models import Nomination
from nominee.reviews.models import ConflictClearance, ConflictDeclaration

# The detected causes an organizer may clear; "nominee" and "declared" stay.
CLEARABLE = frozenset({"nominator", "endorsed", "endorsed_by"})


@dataclass(frozen=True)
class Cause:
    """One reason a reviewer is conflicted; ``text`` says it in the reader's language."""

    kind: str  # nominee, nominator, endorsed, endorsed_by, declared
    times: int = 0  # endorsements: how many, the latest ``last``
    last: datetime | None = None
    reason: str = ""  # declared: the reviewer's words

    @property
    def text(self) -> str:
        if self.kind == "nominee":
            return _("is the nominee")
        if self.kind == "nominator":
            return _("nominated the nominee")
        if self.kind == "declared":
            return _("declared a conflict: %(reason)s", reason=self.reason)
        when = format_date(self.last)
        if self.kind == "endorsed":
            return ngettext(
                "endorsed the nominee on %(date)s",
                "endorsed the nominee %(num)d times, most recently on %(date)s",
                self.times,
                date=when,
            )
        return ngettext(
            "was endorsed by the nominee on %(date)s",
            "was endorsed by the nominee %(num)d times, most recently on %(date)s",
            self.times,
            date=when,
        )

    def __str__(self) -> str:
        return self.text


Conflicts = dict[tuple[int, int], list[Cause]]
"""Causes by ``(nomination_id, reviewer_id)``; a pair that is absent is not conflicted."""


def window(cycle: Cycle) -> tuple[datetime, datetime]:
    """The look-back window as a half-open UTC interval: whole days, both ends included."""
    start = datetime.combine(cycle.lookback_start, time.min, UTC)
    end = datetime.combine(cycle.nominations_close_on + timedelta(days=1), time.min, UTC)
    return start, end


def endorsed_in_window(cycle: Cycle) -> ColumnElement[bool]:
    """Endorsements made inside the look-back window, withdrawn since or not: a conflict."""
    start, end = window(cycle)
    return and_(Endorsement.created_at >= start, Endorsement.created_at < end)


def active_in_window(cycle: Cycle) -> ColumnElement[bool]:
    """Endorsements made inside the look-back window and still standing: what a nominee's
    record shows."""
    return and_(Endorsement.withdrawn_at.is_(None), endorsed_in_window(cycle))


def _branches(
    in_cycles: ColumnElement[bool], in_window: ColumnElement[bool], user_id: Any
) -> CompoundSelect:
    # A detected cause binds unless an organizer cleared it for this pair.
    uncleared = ~exists().where(
        ConflictClearance.nomination_id == Nomination.id, ConflictClearance.reviewer_id == user_id
    )
    return union(
        select(Nomination.id).where(in_cycles, Nomination.nominee_id == user_id),
        select(Nomination.id).where(in_cycles, Nomination.nominator_id == user_id, uncleared),
        select(Nomination.id)
        .join(ConflictDeclaration, ConflictDeclaration.nomination_id == Nomination.id)
        .where(in_cycles, ConflictDeclaration.reviewer_id == user_id),
        select(Nomination.id)
        .join(Endorsement, Endorsement.endorsee_id == Nomination.nominee_id)
        .where(in_cycles, Endorsement.endorser_id == user_id, in_window, uncleared),
        select(Nomination.id)
        .join(Endorsement, Endorsement.endorser_id == Nomination.nominee_id)
        .where(in_cycles, Endorsement.endorsee_id == user_id, in_window, uncleared),
    )


def in_one_cycle() -> CompoundSelect:
    """The ids of the nominations of one cycle a user is conflicted on, its values as
    parameters (``one_cycle_params``): ``_in_cycles(1)``, built once."""
    return _in_cycles(1)


def is_conflicted(session: Session, nomination: Nomination, user_id: int) -> bool:
    """Whether ``user_id`` is conflicted on ``nomination``, in one query."""
    return bool(
        session.scalar(
            _is_conflicted(),
            {**one_cycle_params(nomination.cycle, user_id), "conflict_nomination": nomination.id},
        )
    )


@cache
def _is_conflicted() -> Select[*tuple[Any, ...]]:
    """``is_conflicted``'s query, ``in_one_cycle``'s with the nomination as a parameter:
    built once (the nomination page asks it of every organizer)."""
    return select(bindparam("conflict_nomination", type_=Integer).in_(in_one_cycle()))


def conflicted_ids(session: Session, cycle: Cycle, user: User) -> list[int]:
    """The nominations of ``cycle`` ``user`` is conflicted on, organizers included (rule 9):
    the pages of a cycle leave them out of what they show that user."""
    return list(session.scalars(in_one_cycle(), one_cycle_params(cycle, user.id)))


def one_cycle_params(cycle: Cycle, user_id: int) -> dict[str, Any]:
    """The parameters of ``in_one_cycle`` for ``user_id`` in ``cycle``."""
    start, end = window(cycle)
    return {
        "conflict_cycle_0": cycle.id,
        "conflict_user": user_id,
        "conflict_from_0": start,
        "conflict_until_0": end,
    }


def undisclosed_conflicts(session: Session, user: User) -> list[int]:
    """The nominations of every cycle not yet published that ``user`` is conflicted on, in
    two queries (the cycles, then one ``conflicted_in_cycles`` over all of them)."""
    cycles = session.scalars(select(Cycle).where(Cycle.status != CycleStatus.PUBLISHED)).all()
    return conflicted_in_cycles(session, cycles, user.id)


def conflicted_in_cycles(session: Session, cycles: Sequence[Cycle], user_id: int) -> list[int]:
    """The nominations of any of ``cycles`` that ``user_id`` is conflicted on, each cycle
    with its own look-back window: one query (``_in_cycles``), none for no cycle."""
    if not cycles:
        return []
    values: dict[str, Any] = {"conflict_user": user_id}
    for number, cycle in enumerate(cycles):
        start, end = window(cycle)
        values |= {
            f"conflict_cycle_{number}": cycle.id,
            f"conflict_from_{number}": start,
            f"conflict_until_{number}": end,
        }
    return list(session.scalars(_in_cycles(len(cycles)), values))


@lru_cache(maxsize=16)
def _in_cycles(count: int) -> CompoundSelect:
    """The conflicted nominations of ``count`` cycles, each cycle, its window and the user as
    parameters (``conflict_cycle_<n>``, ``conflict_from_<n>``, ``conflict_until_<n>``,
    ``conflict_user``): built once per number of cycles, as every page of a cycle asks it
    for its viewer (building the five branches took longer than the database answering
    them)."""
    cycle_ids: list[Any] = [bindparam(f"conflict_cycle_{number}") for number in range(count)]
    windows = [
        and_(
            Endorsement.created_at >= bindparam(f"conflict_from_{number}"),
            Endorsement.created_at < bindparam(f"conflict_until_{number}"),
        )
        for number in range(count)
    ]
    if count == 1:
        in_cycles, in_window = Nomination.cycle_id == cycle_ids[0], windows[0]
    else:
        in_cycles = Nomination.cycle_id.in_(cycle_ids)
        in_window = or_(
            *(
                and_(Nomination.cycle_id == cycle_id, within)
                for cycle_id, within in zip(cycle_ids, windows, strict=True)
            )
        )
    return _branches(in_cycles, in_window, bindparam("conflict_user"))


def conflicted_on(session: Session, nomination: Nomination, user: User) -> bool:
    """Whether ``user`` is conflicted on ``nomination``: its nominee without asking the
    database, anybody else by the conflict rule (one query; a nominator's conflict may
    have been cleared)."""
    if user.id == nomination.nominee_id:
        return True
    return is_conflicted(session, nomination, user.id)


def find_conflicts(
    session: Session,
    cycle: Cycle,
    reviewer_ids: Iterable[int],
    nomination_ids: Iterable[int] | None = None,
    *,
    cleared: bool = True,
    known: Sequence[Any] | None = None,
    clearance_pairs: Collection[tuple[int, int]] | None = None,
) -> Conflicts:
    """Every conflict between these reviewers and the cycle's nominations (or those given).

    With ``cleared`` (the default) the detected causes an organizer cleared are left out,
    and a pair left with no cause is not conflicted; ``cleared=False`` gives every cause.
    A caller that has read the nominations (``known``: rows or ``Nomination``s with
    ``id``, ``nominee_id`` and ``nominator_id``, which must be those of
    ``nomination_ids``) or their clearances (``clearance_pairs``: (nomination, reviewer))
    saves the queries that would read them again.
    """
    reviewers = set(reviewer_ids)
    if not reviewers:
        return {}
    statements = _conflict_statements(nomination_ids is not None)
    start, end = window(cycle)
    values: dict[str, Any] = {
        "conflict_cycle": cycle.id,
        "conflict_reviewers": sorted(reviewers),
        "conflict_from": start,
        "conflict_until": end,
    }
    if nomination_ids is not None:
        values["conflict_nominations"] = list(nomination_ids)
    conflicts: Conflicts = defaultdict(list)
    by_nominee: dict[int, list[int]] = defaultdict(list)
    for row in known if known is not None else session.execute(statements.nominations, values):
        by_nominee[row.nominee_id].append(row.id)
        if row.nominee_id in reviewers:
            conflicts[row.id, row.nominee_id].append(Cause("nominee"))
        if row.nominator_id in reviewers and row.nominator_id != row.nominee_id:
            conflicts[row.id, row.nominator_id].append(Cause("nominator"))
    if not by_nominee:
        return {}

    values["conflict_nominees"] = sorted(by_nominee)
    for row in session.execute(statements.pairs, values):
        cause = Cause(row.kind, row.times, row.last)
        for nomination_id in by_nominee[row.nominee_id]:
            conflicts[nomination_id, row.reviewer_id].append(cause)

    for declared in session.execute(statements.declarations, values):
        conflicts[declared.nomination_id, declared.reviewer_id].append(
            Cause("declared", reason=declared.reason)
        )
    if cleared and conflicts:
        pairs_cleared: Iterable[tuple[int, int]] = (
            clearance_pairs
            if clearance_pairs is not None
            else [
                (pair.nomination_id, pair.reviewer_id)
                for pair in session.execute(statements.clearances, values)
            ]
        )
        for key in pairs_cleared:
            if key in conflicts:
                kept = [c for c in conflicts[key] if c.kind not in CLEARABLE]
                if kept:
                    conflicts[key] = kept
                else:
                    del conflicts[key]
    return dict(conflicts)


class _ConflictStatements(NamedTuple):
    nominations: Select
    pairs: Select
    declarations: Select
    clearances: Select


@cache
def _conflict_statements(given: bool) -> _ConflictStatements:
    """``find_conflicts``'s queries, their values as parameters (``conflict_cycle``,
    ``conflict_from``, ``conflict_until``, the lists ``conflict_reviewers``,
    ``conflict_nominees`` and, ``given``, ``conflict_nominations``): built once per form,
    as every assignments page asks them (building them took longer than the database
    answering them)."""
    reviewers = bindparam("conflict_reviewers", expanding=True, type_=Integer)
    nominees = bindparam("conflict_nominees", expanding=True, type_=Integer)
    nominations = select(Nomination.id, Nomination.nominee_id, Nomination.nominator_id).where(
        Nomination.cycle_id == bindparam("conflict_cycle")
    )
    if given:
        nominations = nominations.where(
            Nomination.id.in_(bindparam("conflict_nominations", expanding=True))
        )
    nomination_ids = nominations.with_only_columns(Nomination.id)

    # Both directions in one statement, both read from the reviewers' side: a reviewer's
    # endorsements given and received in a year are few, a nominee's can be thousands.
    # ``+ 0`` keeps the planner from driving from the nominees' index, which the uniform
    # index statistics make look as cheap.
    in_window = and_(
        Endorsement.created_at >= bindparam("conflict_from"),
        Endorsement.created_at < bindparam("conflict_until"),
    )
    last = func.max(Endorsement.created_at).label("last")
    gave = (
        select(
            literal("endorsed").label("kind"),
            Endorsement.endorser_id.label("reviewer_id"),
            Endorsement.endorsee_id.label("nominee_id"),
            func.count().label("times"),
            last,
        )
        .where(
            in_window,
            Endorsement.endorser_id.in_(reviewers),
            (Endorsement.endorsee_id + 0).in_(nominees),
        )
        .group_by(Endorsement.endorser_id, Endorsement.endorsee_id)
    )
    got = (
        select(
            literal("endorsed_by").label("kind"),
            Endorsement.endorsee_id.label("reviewer_id"),
            Endorsement.endorser_id.label("nominee_id"),
            func.count().label("times"),
            last,
        )
        .where(
            in_window,
            Endorsement.endorsee_id.in_(reviewers),
            (Endorsement.endorser_id + 0).in_(nominees),
        )
        .group_by(Endorsement.endorsee_id, Endorsement.endorser_id)
    )
    pairs = union_all(gave, got).subquery()
    return _ConflictStatements(
        nominations,
        select(pairs).order_by(pairs.c.kind, pairs.c.reviewer_id, pairs.c.nominee_id),
        select(
            ConflictDeclaration.nomination_id,
            ConflictDeclaration.reviewer_id,
            ConflictDeclaration.reason,
        ).where(
            ConflictDeclaration.reviewer_id.in_(reviewers),
            ConflictDeclaration.nomination_id.in_(nomination_ids),
        ),
        select(ConflictClearance.nomination_id, ConflictClearance.reviewer_id).where(
            ConflictClearance.reviewer_id.in_(reviewers),
            ConflictClearance.nomination_id.in_(nomination_ids),
        ),
    )


def clearable(found: Sequence[Cause]) -> bool:
    """Whether an organizer may clear a pair with these causes: detected ones only (a
    declared conflict is the reviewer's own word; a nominee never reviews themself)."""
    return bool(found) and all(cause.kind in CLEARABLE for cause in found)


def clearances(
    session: Session, nomination_ids: Iterable[int]
) -> dict[tuple[int, int], ConflictClearance]:
    """The clearances of these nominations by ``(nomination_id, reviewer_id)``, with who
    cleared and for whom (one query; none asked: no query)."""
    ids = list(nomination_ids)
    if not ids:
        return {}
    return {
        (c.nomination_id, c.reviewer_id): c
        for c in session.scalars(_clearances(), {"cleared_on": ids})
    }


@cache
def _clearances() -> Select[*tuple[Any, ...]]:
    """``clearances``'s query, the nominations as a parameter: built once (the
    assignments page asks it for every page, most often of nominations with none)."""
    return (
        select(ConflictClearance)
        .where(ConflictClearance.nomination_id.in_(bindparam("cleared_on", expanding=True)))
        .options(joinedload(ConflictClearance.reviewer), joinedload(ConflictClearance.cleared_by))
        .order_by(ConflictClearance.created_at, ConflictClearance.id)
    )


def causes(
    session: Session, nomination: Nomination, reviewer_id: int, *, cleared: bool = True
) -> list[Cause]:
    """Why ``reviewer_id`` is conflicted on ``nomination`` (empty when they are not);
    ``cleared=False``: also the causes an organizer cleared."""
    found = find_conflicts(
        session, nomination.cycle, [reviewer_id], [nomination.id], cleared=cleared
    )
    return found.get((nomination.id, reviewer_id), [])
