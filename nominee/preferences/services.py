"""Changing email preferences: from the member's page, and from a one-click unsubscribe
link (no login: the signed link names the member and the kind)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nominee.accounts.models import User
from nominee.errors import DomainError, NotFound
from nominee.i18n import _
from nominee.notifications import kinds
from nominee.notifications.kinds import MailMode
from nominee.preferences import queries
from nominee.preferences.models import MailDigest, MailPreference

# The unsubscribe link of a digest names this instead of a kind: it stops the digest,
# turning off every kind the member gets in it.
DIGEST = "digest"


def _set(session: Session, user_id: int, kind: str, mode: MailMode) -> bool:
    """Store ``mode`` for ``kind``; whether it changed anything."""
    row = session.get(MailPreference, (user_id, kind))
    if row is None:
        if mode is queries.default_mode(kind):
            return False
        session.add(MailPreference(user_id=user_id, kind=kind, mode=mode))
        return True
    if row.mode is mode:
        return False
    row.mode = mode
    return True


def set_modes(session: Session, user: User, chosen: Mapping[str, MailMode]) -> list[str]:
    """Set the member's own modes; returns the kinds that changed. A kind that is not
    mailed (unknown, legacy) is refused."""
    mailed = {kind.name for kind in kinds.mailed()}
    unknown = set(chosen) - mailed
    if unknown:
        raise DomainError(
            _("These are not kinds of email: %(kinds)s.", kinds=", ".join(sorted(unknown)))
        )
    changed = [kind for kind, mode in chosen.items() if _set(session, user.id, kind, mode)]
    session.flush()
    return changed


def unsubscribe(session: Session, user_id: int, kind: str) -> list[str]:
    """Turn ``kind`` off for ``user_id`` (``DIGEST``: every kind now in the digest).
    Idempotent: the kinds that changed, none the second time; two clicks at once both
    succeed. Raises ``NotFound`` when the member is gone."""
    if session.get(User, user_id) is None:
        raise NotFound(_("This link's account no longer exists."))
    if kind == DIGEST:
        current = queries.modes(session, user_id)
        targets = [name for name, mode in current.items() if mode is MailMode.DIGEST]
    elif kind in {k.name for k in kinds.mailed()}:
        targets = [kind]
    else:
        raise DomainError(_("This link names no kind of email."))
    changed = []
    for name in targets:
        try:
            with session.begin_nested():
                if _set(session, user_id, name, MailMode.OFF):
                    session.flush()
                    changed.append(name)
        except IntegrityError:
            pass  # another click inserted the same row at the same moment: it is off
    return changed


def mark_digest(session: Session, user_id: int, at: datetime) -> None:
    """Record that ``user_id``'s digest was composed ``at``."""
    row = session.get(MailDigest, user_id)
    if row is None:
        session.add(MailDigest(user_id=user_id, last_digest_at=at))
    else:
        row.last_digest_at = at
    session.flush()
