"""Reads of the outbox for organizers: the mail that failed or is being retried."""

from __future__ import annotations

from collections.abc import Sequence
from email.parser import HeaderParser

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from nominee.i18n import N_, _
from nominee.notifications import kinds
from nominee.notifications.models import Notification
from nominee.outbox.models import OutboxMessage
from nominee.pagination import Page, paginate

# What each message is, in an organizer's words (the topics are the code's).
ACCOUNT_MAIL = {
    "verify_email": N_("Address confirmation"),
    "password_reset": N_("Password reset"),
    "address_taken": N_("“Someone tried to register with your address”"),
    "security_notice": N_("Security notice (address or password changed)"),
}
TOPICS = {
    "cycle.published": N_("Results of a cycle, to its nominees and nominators"),
    "award.granted": N_("Award granted (for webhooks)"),
    "award.revoked": N_("Award revoked (for webhooks)"),
    "award.expired": N_("Award expired (for webhooks)"),
}


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


def described(session: Session, messages: Sequence[OutboxMessage]) -> dict[int, str]:
    """What each message is, by id: the account mail's purpose, the notification's kind
    as members read it on their preferences, a digest's subject (one query in all)."""
    notification_ids = [
        m.payload.get("notification_id") for m in messages if m.topic == "notification.created"
    ]
    kind_of: dict[int, str] = {}
    if notification_ids:
        rows = session.execute(
            select(Notification.id, Notification.kind).where(Notification.id.in_(notification_ids))
        )
        kind_of = {notification_id: kind for notification_id, kind in rows}
    out = {}
    for message in messages:
        if message.topic == "mail.account":
            text = _(ACCOUNT_MAIL.get(message.payload.get("template", ""), N_("Account mail")))
        elif message.topic == "notification.created":
            kind = kinds.KINDS.get(
                kind_of.get(int(message.payload.get("notification_id") or 0), "")
            )
            text = (
                _("Notification: %(kind)s", kind=_(kind.label))
                if kind and kind.label
                else _("Notification")
            )
        elif message.topic == "mail.prepared":
            subject = HeaderParser().parsestr(message.payload.get("message", ""))["Subject"]
            text = str(subject) if subject else _("Prepared mail")
        else:
            text = _(TOPICS[message.topic]) if message.topic in TOPICS else message.topic
        out[message.id] = text
    return out
