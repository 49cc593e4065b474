"""Who may do what with the outbox."""

from __future__ import annotations

from nominee.accounts.models import User


def can_retry(user: User) -> bool:
    """Organizers see the mail that failed and send it again."""
    return user.is_organizer
