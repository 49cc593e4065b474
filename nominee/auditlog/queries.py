"""The audit log's reads: every change of state, newest first, filtered by organizers.

Each filter is answered by an index on ``audit_events`` in newest-first order: the
actor (resolved first to at most ``MAX_ACTORS`` accounts) by (actor, created), the
exact action by (action, created), an object by (type, id), dates by (created).

The pages are "newer / older" windows rather than ``nominee.pagination.paginate``: the
audit log is the biggest table of all, and counting its millions of rows for "page 3 of
N" would cost more than the page itself.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, joinedload

from nominee import inputs
from nominee.accounts.models import User
from nominee.audit import AuditEvent
from nominee.reviews import queries as reviews
from nominee.reviews.models import Review

MAX_ACTORS = 50


@dataclass
class Window:
    """One page of events, and whether older ones follow."""

    items: Sequence[AuditEvent]
    page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1


@dataclass(frozen=True)
class AuditFilter:
    """What the organizer asks for; ``actor_ids`` from ``matching_actors``."""

    actor_ids: Sequence[int] | None = None
    action: str = ""
    object_type: str = ""
    object_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def matching_actors(session: Session, query: str) -> list[int]:
    """Ids of the accounts ``query`` names (at most ``MAX_ACTORS`` + 1)."""
    query = query.strip()
    if query.isdecimal():
        return [int(query)] if inputs.fits_integer(int(query)) else []
    if "@" in query:
        condition = User.email == query.lower()
    else:
        condition = or_(
            User.display_name.icontains(query, autoescape=True),
            User.email.startswith(f"{query.lower()}@", autoescape=True),
        )
    return list(session.scalars(select(User.id).where(condition).limit(MAX_ACTORS + 1)))


def withheld_from(session: Session, viewer: User) -> frozenset[int]:
    """Rule 9: the nominations ``viewer`` may read nothing about in the log, those they are
    conflicted on, until their cycle is published."""
    return frozenset(reviews.undisclosed_conflicts(session, viewer))


def withholding(stmt: Select[Any], nomination_ids: Collection[int]) -> Select[Any]:
    """``stmt`` without the events about these nominations: theirs (decisions, assignments,
    declared conflicts) and their reviews'. Filtered in SQL, so the newest-first index
    walks stay what they were."""
    if not nomination_ids:
        return stmt
    ids = sorted(nomination_ids)
    reviews_of = select(Review.id).where(Review.nomination_id.in_(ids))
    return stmt.where(
        or_(AuditEvent.object_type != "nomination", AuditEvent.object_id.not_in(ids)),
        or_(AuditEvent.object_type != "review", AuditEvent.object_id.not_in(reviews_of)),
    )


def shown_after(event: AuditEvent, nomination_ids: Collection[int]) -> dict[str, Any] | None:
    """What an event's "after" shows: an auto-assignment without the pairs of these
    nominations (the stored event keeps them)."""
    after = event.after
    if not nomination_ids or event.action != "review.auto_assigned" or not after:
        return after
    pairs = [pair for pair in after.get("pairs", []) if pair[0] not in nomination_ids]
    return {**after, "added": len(pairs), "pairs": pairs}


def filtered(wanted: AuditFilter) -> Select[AuditEvent]:
    stmt = (
        select(AuditEvent)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )
    if wanted.actor_ids is not None:
        if len(wanted.actor_ids) == 1:
            stmt = stmt.where(AuditEvent.actor_id == wanted.actor_ids[0])
        else:
            stmt = stmt.where(AuditEvent.actor_id.in_(wanted.actor_ids))
    if action := wanted.action.strip():
        stmt = stmt.where(AuditEvent.action == action)
    if object_type := wanted.object_type.strip():
        stmt = stmt.where(AuditEvent.object_type == object_type)
    if wanted.object_id:
        stmt = stmt.where(AuditEvent.object_id == wanted.object_id)
    if wanted.date_from:
        stmt = stmt.where(AuditEvent.created_at >= _start_of(wanted.date_from))
    if wanted.date_to:
        stmt = stmt.where(AuditEvent.created_at < _start_of(wanted.date_to + timedelta(days=1)))
    return stmt


def events_window(
    session: Session,
    wanted: AuditFilter,
    withheld: Collection[int],
    page: int,
    per_page: int,
) -> Window:
    """Page ``page`` of the events ``wanted`` asks for, newest first, without those about
    the ``withheld`` nominations."""
    stmt = withholding(filtered(wanted), withheld)
    rows = session.scalars(stmt.limit(per_page + 1).offset((page - 1) * per_page)).all()
    return Window(items=rows[:per_page], page=page, has_next=len(rows) > per_page)
