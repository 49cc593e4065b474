"""The version of a member's activity (``User.activity_version``), which keys what the
shared cache keeps of their figures (``contributions.queries.member_figures``), and the
version of a cycle's review work (``Cycle.review_activity``), which keys the reviewers'
loads and the review queue's progress.

Every service that changes a member's contributions, their reach figures or the
endorsements they received, or the names and order of the types and metrics their
figures are shown under (or the names of the categories and figures' labels their kept
list of contributions shows, ``contributions.queries.member_listing``), calls
``changed`` in its transaction. The new version commits
with the change, and a page reads it with the member's row: a value kept under an older
version is never read again, on any host, and a rollback leaves the old one in force.
Plain Python: no Flask.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from nominee.accounts.models import User
from nominee.cycles.models import Cycle


def changed(session: Session, members: Iterable[int] | Select[Any]) -> None:
    """The kept figures of ``members`` (ids, or a select of ids) are stale: each gets a
    new version. A random one rather than the next number, so that a version a rolled-back
    transaction used (and a value kept under it) is never taken again."""
    owners = members if isinstance(members, Select) else sorted(set(members))
    if not isinstance(owners, Select) and not owners:
        return
    session.execute(
        update(User)
        .where(User.id.in_(owners))
        .values(activity_version=secrets.randbits(53))
        .execution_options(synchronize_session=False)
    )
    # The members this session holds read their new version when next asked.
    for held in list(session.identity_map.values()):
        if isinstance(held, User):
            session.expire(held, ["activity_version"])


def review_work_changed(session: Session, cycle_id: int) -> None:
    """The cycle's review work changed: an appointment, an assignment or a review added,
    submitted or removed, or a nomination moved (into the queue or out of it). The cycle
    gets a new ``review_activity``, committed with the change, so what is kept under the
    old one (``reviews.queries``: the reviewers' loads, the queue's progress) is never
    read again, on any host. A core UPDATE: not an edit of the cycle (its ``version``,
    which an organizer's open edit form checks, stays).

    Drawn once per transaction and cycle: a cycle closing its nominations moves
    thousands into the queue in one. Counted per innermost transaction, so a draw inside
    a savepoint that is rolled back (undone with it) is drawn again by the next change.
    """
    transaction = session.get_nested_transaction() or session.get_transaction()
    drawn = session.info.get(_DRAWN)
    if drawn is not None and drawn[0] is transaction and cycle_id in drawn[1]:
        return
    draw_review_activity(session, cycle_id)
    if drawn is None or drawn[0] is not transaction:
        cycles: set[int] = set()
        session.info[_DRAWN] = drawn = (transaction, cycles)
    drawn[1].add(cycle_id)
    session.info[_PENDING] = session.get_transaction()


def draw_review_activity(session: Session, cycle_id: int) -> None:
    """A new ``review_activity`` for the cycle, whatever this transaction drew before
    (``review_work_changed`` draws once per transaction)."""
    session.execute(
        update(Cycle)
        .where(Cycle.id == cycle_id)
        .values(review_activity=secrets.randbits(53))
        .execution_options(synchronize_session=False)
    )
    held = session.identity_map.get(identity_key(Cycle, cycle_id))
    if held is not None:
        session.expire(held, ["review_activity"])


def review_work_pending(session: Session) -> bool:
    """Whether the session's transaction changed review work it has not committed yet:
    what is kept under ``review_activity`` is then computed but not kept (a second change
    in the same transaction draws no new version, so a value kept in between would
    outlive it)."""
    pending = session.info.get(_PENDING)
    return pending is not None and pending is session.get_transaction()


# session.info: the transaction the cycles' review_activity was last drawn in, and those
# cycles; the outermost transaction that drew one.
_DRAWN = "nominee.review_activity_drawn"
_PENDING = "nominee.review_activity_pending"
