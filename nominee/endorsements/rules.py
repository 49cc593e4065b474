"""Who may endorse what."""

from __future__ import annotations

from nominee.accounts.models import User
from nominee.accounts.rules import must_be_verified
from nominee.contributions.models import Contribution
from nominee.i18n import N_, _

COMMENT_MAX = 280
ALREADY_ENDORSED = N_("You have already endorsed this contribution.")  # _() where raised


def endorsement_refusal(user: User, contribution: Contribution) -> str | None:
    """Why ``user`` may not endorse ``contribution``, or None when they may."""
    return _refusal_but_verification(user, contribution) or must_be_verified(user, "endorse")


def awaits_verification_to_endorse(user: User, contribution: Contribution) -> bool:
    """Whether only an unconfirmed address keeps ``user`` from endorsing: the page says
    so where the button would be, with a way to get the link again."""
    return (
        _refusal_but_verification(user, contribution) is None
        and must_be_verified(user, "endorse") is not None
    )


def _refusal_but_verification(user: User, contribution: Contribution) -> str | None:
    if user.is_anonymous:
        return _("Log in to endorse contributions.")
    if not user.is_active:
        return _("Your account is deactivated.")
    if contribution.owner_id == user.id:
        return _("You cannot endorse your own contribution.")
    if not contribution.is_public:
        return _("Private contributions cannot be endorsed.")
    if not contribution.owner.is_active_account:
        return _("This member's account is deactivated.")
    return None


def can_endorse(user: User, contribution: Contribution) -> bool:
    return endorsement_refusal(user, contribution) is None


def comment_error(comment: str) -> str | None:
    if len(comment.strip()) > COMMENT_MAX:
        return _("A comment can be at most %(max)s characters long.", max=COMMENT_MAX)
    return None
