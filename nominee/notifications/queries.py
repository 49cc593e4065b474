"""Reads of a member's notifications."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nominee.notifications.models import Notification
from nominee.pagination import Page, paginate


def unread_count(session: Session, user_id: int) -> int:
    return (
        session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def recent_first(session: Session, user_id: int, page: int, per_page: int) -> Page:
    """A page of ``user_id``'s notifications, newest first."""
    stmt = (
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    return paginate(session, stmt, page, per_page)


def own(session: Session, user_id: int, notification_id: int) -> Notification | None:
    """The notification, when it is ``user_id``'s; None otherwise."""
    notification = session.get(Notification, notification_id)
    if notification is None or notification.user_id != user_id:
        return None
    return notification
