"""Reads of email preferences: the mode a member gets each kind in, defaults included."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from nominee.notifications import kinds
from nominee.notifications.kinds import MailMode
from nominee.preferences.models import MailPreference


def default_mode(kind: str) -> MailMode:
    return kinds.kind_of(kind).mail


def modes(session: Session, user_id: int) -> dict[str, MailMode]:
    """The mode of every mailed kind for ``user_id``: the member's choice, else the default."""
    chosen = dict(
        session.execute(
            select(MailPreference.kind, MailPreference.mode).where(
                MailPreference.user_id == user_id
            )
        ).all()
    )
    return {kind.name: chosen.get(kind.name, kind.mail) for kind in kinds.mailed()}


def mode_of(session: Session, user_id: int, kind: str) -> MailMode:
    """How ``user_id`` gets the email of ``kind`` (the legacy kind: never)."""
    if kind not in kinds.KINDS or kind == kinds.LEGACY:
        return MailMode.OFF
    chosen = session.scalar(
        select(MailPreference.mode).where(
            MailPreference.user_id == user_id, MailPreference.kind == kind
        )
    )
    return chosen or default_mode(kind)


def modes_of_pairs(
    session: Session, pairs: Iterable[tuple[int, str]]
) -> dict[tuple[int, str], MailMode]:
    """The mode of each ``(user_id, kind)`` pair, in one query (for the digest)."""
    wanted = set(pairs)
    chosen: dict[tuple[int, str], MailMode] = {}
    if wanted:
        for user_id, kind, mode in session.execute(
            select(MailPreference.user_id, MailPreference.kind, MailPreference.mode).where(
                tuple_(MailPreference.user_id, MailPreference.kind).in_(sorted(wanted))
            )
        ):
            chosen[user_id, kind] = mode
    return {
        (user_id, kind): chosen.get((user_id, kind))
        or (default_mode(kind) if kind in kinds.KINDS and kind != kinds.LEGACY else MailMode.OFF)
        for user_id, kind in wanted
    }
