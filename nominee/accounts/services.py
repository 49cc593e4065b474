"""Account operations. They check rules, change state, write audit events and flush."""

from __future__ import annotations

import time

from sqlalchemy import BigInteger, func, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nominee import audit, clock
from nominee.accounts import passwords
from nominee.accounts.models import Role, User, new_session_token
from nominee.accounts.rules import (
    HIDDEN_CHARACTERS_MESSAGE,
    can_change_role,
    has_hidden_characters,
)
from nominee.categories.models import Category
from nominee.errors import DomainError, PermissionDenied
from nominee.markdown import render

MAX_LINKS = 5
# The PostgreSQL advisory lock that serialises sign-ups on an empty database (any
# constant no other advisory lock of the application uses).
FIRST_ACCOUNT_LOCK = 7_316_540_001


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def register(session: Session, *, display_name: str, email: str, password: str) -> User:
    """Create a member; the very first account of a programme becomes its organizer."""
    email = normalise_email(email)
    refuse_hidden_characters(display_name=display_name)
    reason = passwords.policy_error(password, email=email, display_name=display_name)
    if reason:
        raise DomainError(reason, field="password")
    # Hashed before looking the address up: a taken address costs the same time as a
    # free one, so the answer's timing does not tell whether the account exists.
    password_hash = passwords.hash_password(password)
    if find_by_email(session, email) is not None:
        raise DomainError("An account with this email already exists.", field="email")
    is_first = _no_account_yet(session)
    user = User(
        email=email,
        display_name=display_name.strip(),
        password_hash=password_hash,
        role=Role.ORGANIZER if is_first else Role.MEMBER,
    )
    try:
        with session.begin_nested():
            session.add(user)
            session.flush()
    except IntegrityError:
        raise DomainError("An account with this email already exists.", field="email") from None
    audit.record(session, user, "account.registered", user, after={"role": user.role})
    return user


def refuse_hidden_characters(**names: str) -> None:
    """Refuse a one-line name holding invisible or control characters, next to its field."""
    for field, value in names.items():
        if has_hidden_characters(value):
            raise DomainError(HIDDEN_CHARACTERS_MESSAGE, field=field)


def _no_account_yet(session: Session) -> bool:
    """Whether the database holds no account, decided for one sign-up at a time.

    Two sign-ups on an empty database would otherwise both find it empty and both become
    organizers. SQLite runs write transactions one at a time already (``BEGIN
    IMMEDIATE``); on PostgreSQL a sign-up that finds no account takes a transaction-level
    advisory lock and looks again: the second waits until the first commits, then sees
    its account. Once there are accounts, nobody waits.
    """
    if session.scalar(select(User.id).limit(1)) is not None:
        return False
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(literal(FIRST_ACCOUNT_LOCK, BigInteger))))
        return session.scalar(select(User.id).limit(1)) is None
    return True


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user for these credentials, or None. Both outcomes are audited."""
    user = find_by_email(session, email)
    ok = passwords.verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        audit.record(
            session,
            user,
            "login.failed",
            object_type="user",
            object_id=user.id if user else None,
            after={"email": normalise_email(email)[:254], "inactive": bool(user and ok)},
        )
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = clock.now()
    user.login_started_at = int(time.time())  # a new login, even over a current one
    audit.record(session, user, "login.succeeded", user)
    return user


def log_out_everywhere(session: Session, user: User) -> None:
    """Rotate the session token: every session and remember-me cookie stops working."""
    user.session_token = new_session_token()
    audit.record(session, user, "logout", user)


def update_profile(
    session: Session,
    user: User,
    *,
    display_name: str,
    bio_md: str,
    location: str,
    links: list[str],
    primary_category_id: int | None,
    category_ids: list[int],
) -> User:
    refuse_hidden_characters(display_name=display_name, location=location)
    links = [link.strip() for link in links if link.strip()]
    if len(links) > MAX_LINKS:
        raise DomainError(f"At most {MAX_LINKS} links.", field="links")
    categories = _active_categories(session, {*category_ids, *filter(None, [primary_category_id])})
    before = {"display_name": user.display_name, "location": user.location}
    user.display_name = display_name.strip()
    user.bio_md = bio_md
    user.bio_html = render(bio_md)
    user.location = location.strip()
    user.links = links
    user.primary_category_id = primary_category_id
    user.categories = [c for c in categories if c.id != primary_category_id]
    session.flush()
    audit.record(
        session,
        user,
        "account.profile_updated",
        user,
        before=before,
        after={"display_name": user.display_name, "location": user.location},
    )
    return user


def _active_categories(session: Session, ids: set[int]) -> list[Category]:
    if not ids:
        return []
    found = session.scalars(
        select(Category).where(Category.id.in_(ids), Category.retired.is_(False))
    ).all()
    if len(found) != len(ids):
        raise DomainError("Choose categories from the list.", field="categories")
    return list(found)


def change_password(session: Session, user: User, current: str, new: str) -> None:
    if not passwords.verify_password(user.password_hash, current):
        raise DomainError("The current password is not correct.", field="current_password")
    reason = passwords.policy_error(new, email=user.email, display_name=user.display_name)
    if reason:
        raise DomainError(reason, field="new_password")
    user.password_hash = passwords.hash_password(new)
    user.session_token = new_session_token()
    audit.record(session, user, "account.password_changed", user)


def change_email(session: Session, user: User, current_password: str, new_email: str) -> None:
    if not passwords.verify_password(user.password_hash, current_password):
        raise DomainError("The current password is not correct.", field="current_password")
    new_email = normalise_email(new_email)
    if new_email == user.email:
        return
    if find_by_email(session, new_email) is not None:
        raise DomainError("An account with this email already exists.", field="email")
    before = {"email": user.email}
    user.email = new_email
    user.session_token = new_session_token()
    audit.record(
        session, user, "account.email_changed", user, before=before, after={"email": new_email}
    )


def change_role(session: Session, actor: User, target: User, role: Role) -> None:
    if not can_change_role(actor, target):
        raise PermissionDenied("You cannot change this account's role.")
    if target.role is role:
        return
    before = {"role": target.role}
    target.role = role
    target.session_token = new_session_token()
    audit.record(
        session, actor, "account.role_changed", target, before=before, after={"role": role}
    )


def set_active(session: Session, actor: User, target: User, active: bool) -> None:
    if not can_change_role(actor, target):
        raise PermissionDenied("You cannot deactivate or reactivate this account.")
    if target.is_active_account == active:
        return
    target.is_active_account = active
    target.session_token = new_session_token()
    audit.record(
        session,
        actor,
        "account.reactivated" if active else "account.deactivated",
        target,
        before={"active": not active},
        after={"active": active},
    )


def create_or_promote_organizer(
    session: Session, email: str, *, display_name: str | None, password: str | None
) -> tuple[User, bool]:
    """For the CLI. Returns the user and whether it was created."""
    user = find_by_email(session, email)
    if user is None:
        if not password:
            raise DomainError("A password is needed to create a new account.", field="password")
        user = register(
            session,
            display_name=display_name or normalise_email(email).split("@")[0],
            email=email,
            password=password,
        )
        created = True
    else:
        created = False
    if user.role is not Role.ORGANIZER:
        before = {"role": user.role}
        user.role = Role.ORGANIZER
        audit.record(
            session, None, "account.role_changed", user, before=before, after={"role": user.role}
        )
    return user, created
