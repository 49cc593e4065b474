"""Who may do what with accounts."""

from __future__ import annotations

from nominee.accounts.models import User


def can_manage_accounts(actor: User) -> bool:
    return actor.is_authenticated and actor.is_organizer


def can_change_role(actor: User, target: User) -> bool:
    # An organizer cannot demote or deactivate themself: a programme must keep one.
    return can_manage_accounts(actor) and actor.id != target.id
