"""What the landing page shows a member.

A few cheap queries whatever the size of the programme (the page is benchmarked): the
open cycles, the nominations waiting for the member's answer, and the latest public
contributions of other members (newest ids first, so the primary key serves the order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from nominee.accounts.models import User
from nominee.contributions.models import Contribution, Visibility
from nominee.cycles.models import Cycle, CycleStatus
from nominee.nominations.models import Nomination, NominationStatus

RECENT_SHOWN = 6
OPEN_CYCLES_SHOWN = 5


@dataclass(frozen=True)
class Landing:
    open_cycles: Sequence[Cycle]
    awaiting: int  # nominations of the member waiting for their answer
    recent: Sequence[Contribution]  # other members' latest public contributions


def landing(session: Session, member: User) -> Landing:
    open_cycles = session.scalars(
        select(Cycle)
        .where(Cycle.status == CycleStatus.OPEN)
        .order_by(Cycle.nominations_close_on, Cycle.id)
        .limit(OPEN_CYCLES_SHOWN)
    ).all()
    awaiting = session.scalar(
        select(func.count(Nomination.id)).where(
            Nomination.nominee_id == member.id,
            Nomination.status == NominationStatus.AWAITING_ACCEPTANCE,
        )
    )
    recent = session.scalars(
        select(Contribution)
        .join(User, User.id == Contribution.owner_id)
        .where(
            Contribution.visibility == Visibility.PUBLIC,
            Contribution.owner_id != member.id,
            User.is_active_account.is_(True),
        )
        .options(joinedload(Contribution.owner), joinedload(Contribution.type))
        .order_by(Contribution.id.desc())
        .limit(RECENT_SHOWN)
    ).all()
    return Landing(open_cycles=open_cycles, awaiting=awaiting or 0, recent=recent)
