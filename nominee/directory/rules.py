"""Who is listed where: the directory's tabs, as conditions on awards.

Only awards of published cycles are ever listed (rule 5: nothing before publishing), and
only of active members whose profile is public (their privacy setting). A revoked award
is never listed; it stays verifiable by its own link, which says it is revoked.
"""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import ColumnElement, and_, or_

from nominee.accounts.models import User
from nominee.awards.models import Award, AwardStatus
from nominee.cycles.models import Cycle, CycleStatus

# The longest name search taken: longer is refused with a message (no name is longer
# than a display name, 80 characters).
NAME_SEARCH_MAX = 100


class Tab(enum.StrEnum):
    CURRENT = "current"  # awardees now: their award's term has not ended
    ALUMNI = "alumni"  # past awardees: their awards ended (expired, not revoked)


def published() -> ColumnElement[bool]:
    return Cycle.status == CycleStatus.PUBLISHED


def listed_member() -> ColumnElement[bool]:
    """Members the public pages may name: active accounts with a public profile."""
    return and_(User.is_active_account.is_(True), User.profile_public.is_(True))


def current(today: date) -> ColumnElement[bool]:
    """An award held now, or about to begin (published, its term not yet started)."""
    return and_(Award.status == AwardStatus.ACTIVE, Award.ends_on >= today)


def past(today: date) -> ColumnElement[bool]:
    """An award whose term ended: expired, never revoked."""
    return or_(
        Award.status == AwardStatus.EXPIRED,
        and_(Award.status == AwardStatus.ACTIVE, Award.ends_on < today),
    )
