"""The accounts the pages look up: the logged-in user, the organizers' account list."""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from nominee.accounts.models import Role, User
from nominee.accounts.rules import current_login
from nominee.pagination import Page


def logged_in_user(
    session: Session, login_id: str, now: float, lifetime: timedelta | int | float
) -> User | None:
    """The account of a session or remember-me cookie: ``<id>:<session token>:<login
    start>`` (see ``User.get_id``), while the token is current and the login not expired
    (``now`` in seconds since the epoch; ``lifetime``: REMEMBER_COOKIE_DURATION)."""
    login = current_login(login_id, now, lifetime)
    if login is None:
        return None
    user_id, token, started = login
    user = session.get(User, user_id)
    if user is None or not user.is_active or user.session_token != token:
        return None
    user.login_started_at = started
    return user


def accounts_page(
    session: Session, *, search: str | None, role: Role | None, page: int, per_page: int
) -> Page:
    """Accounts by display name, those whose email or display name holds ``search`` and
    who have ``role`` when given (past the last page: the last one).

    A page in the second half of the list is read backwards from its end, so the last
    pages cost what the first do: an OFFSET walks every row it skips (the last page of
    20,000 accounts skipped 19,975)."""
    stmt = select(User)
    if search:
        pattern = f"%{search.strip().lower()}%"
        stmt = stmt.where(or_(User.email.like(pattern), User.display_name.ilike(pattern)))
    if role is not None:
        stmt = stmt.where(User.role == role)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = min(max(1, page), max(1, math.ceil(total / per_page)))
    offset = (page - 1) * per_page
    if offset <= total // 2:
        items = session.scalars(
            stmt.order_by(User.display_name, User.id).limit(per_page).offset(offset)
        ).all()
    else:
        size = min(per_page, total - offset)
        backwards = session.scalars(
            stmt.order_by(User.display_name.desc(), User.id.desc())
            .limit(size)
            .offset(total - offset - size)
        ).all()
        items = list(reversed(backwards))
    return Page(items=items, page=page, per_page=per_page, total=total)
