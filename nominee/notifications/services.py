"""In-app notifications. Every message goes out through ``notify``, so email can join later.

A notification stores its kind and parameters (``kinds``); the sentence and the link are
made where it is shown. Each one is announced by ``events.notification_created``, whose
receiver writes it to the outbox for the channels that leave the process.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session

from nominee import clock, events
from nominee.notifications import kinds
from nominee.notifications.models import Notification


def notify(session: Session, user_id: int, kind: str, **params: Any) -> Notification:
    """Tell ``user_id`` about something of ``kind``, with that kind's parameters.

    An unknown kind or parameters that do not match it raise ``kinds.UnknownKind`` or
    ``kinds.BadParams`` (a programming error, found by the first test that sends it).
    """
    notification = Notification(
        user_id=user_id, kind=kind, params=kinds.checked_params(kind, params)
    )
    session.add(notification)
    session.flush()
    events.notification_created.send(notification, session=session)
    return notification


def mark_read(session: Session, notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = clock.now()
        session.flush()


def mark_all_read(session: Session, user_id: int) -> int:
    """Mark every unread notification of ``user_id`` read; returns how many there were."""
    result = cast(
        "CursorResult[Any]",
        session.execute(
            update(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            .values(read_at=clock.now())
            .execution_options(synchronize_session=False),
        ),
    )
    return result.rowcount
