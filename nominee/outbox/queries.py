"""Reads of the outbox for organizers: the mail that failed or is being retried."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from nominee.outbox.models import OutboxMessage
from nominee.pagination import Page, paginate


def troubled(session: Session, page: int, per_page: int) -> Page:
    """Messages given up (``failed_at``), newest first, then those waiting for their
    next attempt after an error, soonest first."""
    stmt = (
        select(OutboxMessage)
        .where(
            OutboxMessage.dispatched_at.is_(None),
            or_(OutboxMessage.failed_at.is_not(None), OutboxMessage.last_error.is_not(None)),
        )
        .order_by(
            OutboxMessage.failed_at.is_(None),
            OutboxMessage.failed_at.desc(),
            OutboxMessage.available_at,
            OutboxMessage.id,
        )
    )
    return paginate(session, stmt, page, per_page)


def failed_count(session: Session) -> int:
    """How many messages were given up (for an organizer's to-do)."""
    return (
        session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.failed_at.is_not(None))
        )
        or 0
    )
