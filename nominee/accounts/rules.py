"""Who may do what with accounts."""

from __future__ import annotations

from datetime import timedelta

from nominee.accounts.models import User


def can_manage_accounts(actor: User) -> bool:
    return actor.is_authenticated and actor.is_organizer


def can_change_role(actor: User, target: User) -> bool:
    # An organizer cannot demote or deactivate themself: a programme must keep one.
    return can_manage_accounts(actor) and actor.id != target.id


def login_expired(started_at: int, now: float, lifetime: timedelta | int | float) -> bool:
    """Whether a login that began at ``started_at`` (seconds since the epoch) is over: a
    login lasts ``lifetime`` (REMEMBER_COOKIE_DURATION) from the moment the password was
    given, however long the browser keeps its cookies."""
    seconds = lifetime.total_seconds() if isinstance(lifetime, timedelta) else float(lifetime)
    return now - started_at > seconds
