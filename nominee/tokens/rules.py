"""What a token may be given and do: scopes by role, names, expiry, prefix."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from nominee.accounts.models import Role, User
from nominee.i18n import N_, _
from nominee.inputs import has_control_characters
from nominee.tokens.models import ApiToken

PREFIX = "nmn_"
NAME_MAX = 80
# How long a token lives when its owner picks; "never" is allowed but not the default.
EXPIRY_DAYS = (7, 30, 90, 365)
# The last use is written at most this often per token: not a write on every request.
LAST_USE_RESOLUTION = timedelta(minutes=1)
# How long a write's reply is kept for its Idempotency-Key.
IDEMPOTENCY_WINDOW = timedelta(hours=24)
IDEMPOTENCY_KEY_MAX = 255


class Scope(enum.StrEnum):
    READ = "read"
    CONTRIBUTIONS_WRITE = "contributions:write"
    ENDORSEMENTS_WRITE = "endorsements:write"
    REVIEWS_WRITE = "reviews:write"
    ADMIN = "admin"

    @property
    def description(self) -> str:
        return _(SCOPE_DESCRIPTIONS[self])


SCOPE_DESCRIPTIONS = {
    Scope.READ: N_("Read what your account can see"),
    Scope.CONTRIBUTIONS_WRITE: N_("Log, edit and delete your contributions"),
    Scope.ENDORSEMENTS_WRITE: N_("Endorse contributions and withdraw endorsements"),
    Scope.REVIEWS_WRITE: N_("Write and submit your reviews (reviewers)"),
    Scope.ADMIN: N_("Organizer data: dashboard rows and decision exports (organizers)"),
}


def scopes_for(user: User) -> list[Scope]:
    """The scopes ``user``'s role allows, in the order the page lists them."""
    allowed = [Scope.READ, Scope.CONTRIBUTIONS_WRITE, Scope.ENDORSEMENTS_WRITE]
    if user.role in (Role.REVIEWER, Role.ORGANIZER):
        allowed.append(Scope.REVIEWS_WRITE)
    if user.role is Role.ORGANIZER:
        allowed.append(Scope.ADMIN)
    return allowed


def scopes_error(user: User, scopes: list[str]) -> str | None:
    if not scopes:
        return _("Choose at least one scope.")
    allowed = {scope.value for scope in scopes_for(user)}
    beyond = sorted(set(scopes) - allowed)
    if beyond:
        return _("Your role does not allow: %(scopes)s.", scopes=", ".join(beyond))
    return None


def name_error(name: str) -> str | None:
    name = name.strip()
    if not 1 <= len(name) <= NAME_MAX:
        return _("Name the token in 1 to %(max)d characters.", max=NAME_MAX)
    if has_control_characters(name):
        return _("The name cannot hold control characters.")
    return None


def expiry_error(days: int | None) -> str | None:
    if days is not None and days not in EXPIRY_DAYS:
        return _("Choose an expiry from the list.")
    return None


def is_usable(token: ApiToken, now: datetime) -> bool:
    """Not revoked, not expired, and its owner's account is active."""
    return (
        token.revoked_at is None
        and (token.expires_at is None or token.expires_at > now)
        and token.user.is_active
    )


def grants(token: ApiToken, scope: Scope) -> bool:
    """Whether ``token`` allows ``scope`` now: given when it was made, and still within
    what its owner's role allows (a demoted organizer's token loses "admin" at once)."""
    return scope.value in token.scopes and scope in scopes_for(token.user)


def is_stale_use(last_used_at: datetime | None, now: datetime) -> bool:
    """Whether the last use recorded is old enough to be written again."""
    return last_used_at is None or now - last_used_at >= LAST_USE_RESOLUTION
