"""The daily digest: one email a day with the notifications of the kinds a member gets
"in a daily digest", written since their last digest.

The scheduler calls ``send_digests(session, now, send)`` once a day. It is idempotent:
a member whose digest was composed today (UTC) is not due again until tomorrow, so a
second call the same day sends nothing. The first digest of a member looks back one day
(``FIRST_WINDOW``): a member who just moved a kind to the digest is not sent its past.

``send`` must belong to the caller's transaction (write the message to the outbox, or
send and commit per member): the digest is marked in ``session`` before ``send`` is
called, so a failing ``send`` rolls the mark back with the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from nominee import i18n
from nominee.accounts.models import User
from nominee.mail import messages
from nominee.mail.notifications import MailContext, recipient
from nominee.notifications import kinds
from nominee.notifications.kinds import MailMode
from nominee.notifications.models import Notification
from nominee.preferences import queries as preferences
from nominee.preferences import services as preference_services
from nominee.preferences.models import MailDigest

FIRST_WINDOW = timedelta(days=1)
# A digest lists this many notifications at most, then links to the notification centre.
MAX_ITEMS = 50


def _start_of_day(now: datetime) -> datetime:
    return datetime.combine(now.astimezone(UTC).date(), time(), tzinfo=UTC)


def _pending(session: Session, now: datetime, user_id: int | None = None) -> dict[int, datetime]:
    """``{user_id: since}`` for members not digested today who have notifications of a
    kind they get in the digest, written after ``since`` (their last digest) and by ``now``."""
    floor = now - FIRST_WINDOW
    stmt = (
        select(Notification.user_id, Notification.kind, MailDigest.last_digest_at)
        .join(User, User.id == Notification.user_id)
        .outerjoin(MailDigest, MailDigest.user_id == Notification.user_id)
        .where(
            User.is_active_account.is_(True),
            Notification.kind != kinds.LEGACY,
            Notification.created_at <= now,
            or_(
                and_(MailDigest.last_digest_at.is_(None), Notification.created_at > floor),
                and_(
                    MailDigest.last_digest_at < _start_of_day(now),
                    Notification.created_at > MailDigest.last_digest_at,
                ),
            ),
        )
        .group_by(Notification.user_id, Notification.kind, MailDigest.last_digest_at)
    )
    if user_id is not None:
        stmt = stmt.where(Notification.user_id == user_id)
    rows = session.execute(stmt).all()
    modes = preferences.modes_of_pairs(session, ((uid, kind) for uid, kind, _ in rows))
    return {uid: last or floor for uid, kind, last in rows if modes[uid, kind] is MailMode.DIGEST}


def due_digests(session: Session, now: datetime) -> list[int]:
    """The members whose digest is due ``now``: not sent today, and with something in it."""
    return sorted(_pending(session, now))


def daily_digest(
    session: Session,
    user_id: int,
    since: datetime,
    *,
    until: datetime | None = None,
    context: MailContext,
) -> EmailMessage | None:
    """The digest of ``user_id``'s notifications of digest kinds written after ``since``
    (and by ``until``), or None when there are none; in the member's language and zone."""
    user = session.get(User, user_id)
    if user is None:
        return None
    with i18n.reading(i18n.language_of(user.language), user.time_zone):
        return _digest(session, user, since, until, context)


def _digest(
    session: Session, user: User, since: datetime, until: datetime | None, context: MailContext
) -> EmailMessage | None:
    user_id = user.id
    modes = preferences.modes(session, user_id)
    digested = [kind for kind, mode in modes.items() if mode is MailMode.DIGEST]
    if not digested:
        return None
    stmt = select(Notification).where(
        Notification.user_id == user_id,
        Notification.kind.in_(digested),
        Notification.created_at > since,
    )
    if until is not None:
        stmt = stmt.where(Notification.created_at <= until)
    found = session.scalars(stmt.order_by(Notification.created_at, Notification.id)).all()
    if not found:
        return None
    items = []
    for notification in found[:MAX_ITEMS]:
        target = kinds.target(notification.kind, notification.params)
        items.append(
            {
                "text": kinds.text(notification.kind, notification.params),
                "link": context.link_for(*target) if target else None,
            }
        )
    return messages.build(
        context.settings,
        "digest",
        recipient(user),
        {
            "name": user.display_name,
            "items": items,
            "total": len(found),
            "more": max(0, len(found) - MAX_ITEMS),
            "notifications_link": context.link_for("notifications.index", {}),
            "preferences_link": context.link_for("preferences.edit", {}),
        },
        unsubscribe_url=context.unsubscribe_link(user.id, preference_services.DIGEST),
    )


def send_digests(
    session: Session,
    now: datetime,
    send: Callable[[EmailMessage], object],
    *,
    context: MailContext,
) -> int:
    """Compose and hand to ``send`` every digest due ``now``; how many were sent.

    Each member's digest is marked composed at ``now`` first, so a second call the same
    day finds nobody due."""
    sent = 0
    for user_id, since in sorted(_pending(session, now).items()):
        message = daily_digest(session, user_id, since, until=now, context=context)
        preference_services.mark_digest(session, user_id, now)
        if message is not None:
            send(message)
            sent += 1
    return sent
