"""In-app notifications. Every message goes out through ``notify``, so email can join later."""

from __future__ import annotations

from flask import current_app, has_request_context, url_for
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from nominee import clock
from nominee.notifications.models import Notification

MESSAGE_MAX = 500


def notify(session: Session, user_id: int, kind: str, message: str, link: str = "") -> Notification:
    """Tell ``user_id`` about something. ``link`` is a site-relative path (see ``link_to``)."""
    notification = Notification(
        user_id=user_id, kind=kind, message=message[:MESSAGE_MAX], link=link
    )
    session.add(notification)
    session.flush()
    return notification


def link_to(endpoint: str, **values) -> str:
    """A site-relative URL that also works outside a request (CLI commands such as seed-demo)."""
    if has_request_context():
        return url_for(endpoint, **values)
    adapter = current_app.url_map.bind(
        "localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/"
    )
    return adapter.build(endpoint, values)


def unread_count(session: Session, user_id: int) -> int:
    return (
        session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def mark_read(session: Session, notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = clock.now()
        session.flush()


def mark_all_read(session: Session, user_id: int) -> int:
    """Mark every unread notification of ``user_id`` read; returns how many there were."""
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
