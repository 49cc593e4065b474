"""Who may do what with accounts."""

from __future__ import annotations

import unicodedata
from contextvars import ContextVar
from datetime import timedelta

from nominee.accounts.models import User
from nominee.i18n import N_

# What has no place in a one-line name (display name, location): control characters (Cc),
# format characters (Cf: direction overrides and isolates, zero-width spaces and joiners,
# byte order marks), line and paragraph separators. They let one name pass for another.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
HIDDEN_CHARACTERS_MESSAGE = N_(
    "Remove the invisible or control characters (such as direction overrides, "
    "zero-width spaces or line breaks)."
)


def has_hidden_characters(text: str) -> bool:
    return any(unicodedata.category(ch) in HIDDEN_CATEGORIES for ch in text)


# REQUIRE_VERIFIED_EMAIL for the code running now: the web sets it from the app's
# configuration before each request (``accounts.views``); commands and jobs keep the
# default, which is the setting's default.
verification_required: ContextVar[bool] = ContextVar("verification_required", default=True)

# How long the links in account mail work.
VERIFY_LINK_LIFETIME = timedelta(days=3)
RESET_LINK_LIFETIME = timedelta(hours=1)


def awaits_verification(user: User) -> bool:
    """Whether ``user`` must confirm their address before endorsing, nominating or being
    appointed a reviewer (logging in and logging contributions need no confirmation)."""
    return verification_required.get() and user.is_authenticated and user.email_verified_at is None


def must_be_verified(user: User, doing: str) -> str | None:
    """Why ``user`` may not do ``doing`` ("endorse", "nominate") yet, or None."""
    if awaits_verification(user):
        return (
            f"Confirm your email address before you {doing}: open the link we sent to "
            f"{user.email}, or ask for a new one on your profile (Settings)."
        )
    return None


def can_manage_accounts(actor: User) -> bool:
    return actor.is_authenticated and actor.is_organizer


def can_change_role(actor: User, target: User) -> bool:
    # An organizer cannot demote or deactivate themself: a programme must keep one.
    return can_manage_accounts(actor) and actor.id != target.id


def current_login(
    login_id: str, now: float, lifetime: timedelta | int | float
) -> tuple[int, str, int] | None:
    """The account id, session token and start of a login id (``<id>:<session token>:
    <login start>``, see ``User.get_id``) while the login is not expired; else None. Whether
    the token is still the account's is for the caller to check."""
    user_id, token, started = [*login_id.split(":", 2), "", ""][:3]
    if not user_id.isdigit() or not token or not started.isdigit():
        return None
    if login_expired(int(started), now, lifetime):
        return None
    return int(user_id), token, int(started)


def login_expired(started_at: int, now: float, lifetime: timedelta | int | float) -> bool:
    """Whether a login that began at ``started_at`` (seconds since the epoch) is over: a
    login lasts ``lifetime`` (REMEMBER_COOKIE_DURATION) from the moment the password was
    given, however long the browser keeps its cookies."""
    seconds = lifetime.total_seconds() if isinstance(lifetime, timedelta) else float(lifetime)
    return now - started_at > seconds


def sees_profile(viewer: User, member: User) -> bool:
    """A member whose profile is not public shows visitors who are not logged in only
    their name; logged-in members see every active member's page as it is."""
    return member.profile_public or viewer.is_authenticated
