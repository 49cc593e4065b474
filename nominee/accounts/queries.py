"""The accounts the pages look up: the logged-in user, the organizers' account list."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from nominee.accounts.models import Role, User
from nominee.accounts.rules import login_expired
from nominee.pagination import Page, paginate


def logged_in_user(
    session: Session, login_id: str, now: float, lifetime: timedelta | int | float
) -> User | None:
    """The account of a session or remember-me cookie: ``<id>:<session token>:<login
    start>`` (see ``User.get_id``), while the token is current and the login not expired
    (``now`` in seconds since the epoch; ``lifetime``: REMEMBER_COOKIE_DURATION)."""
    user_id, token, started = [*login_id.split(":", 2), "", ""][:3]
    if not user_id.isdigit() or not token or not started.isdigit():
        return None
    if login_expired(int(started), now, lifetime):
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_token != token:
        return None
    user.login_started_at = int(started)
    return user


def accounts_page(
    session: Session, *, search: str | None, role: Role | None, page: int, per_page: int
) -> Page:
    """Accounts by display name, those whose email or display name holds ``search`` and
    who have ``role`` when given."""
    stmt = select(User).order_by(User.display_name, User.id)
    if search:
        pattern = f"%{search.strip().lower()}%"
        stmt = stmt.where(or_(User.email.like(pattern), User.display_name.ilike(pattern)))
    if role is not None:
        stmt = stmt.where(User.role == role)
    return paginate(session, stmt, page, per_page)
