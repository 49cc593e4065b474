"""What the appeal pages, the home page and the cycle page read about appeals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session, joinedload

from nominee.appeals.models import Appeal, AppealStatus
from nominee.cycles.models import Cycle
from nominee.nominations.models import Nomination


def appeal_of(session: Session, nomination_id: int) -> Appeal | None:
    return session.scalar(
        select(Appeal)
        .where(Appeal.nomination_id == nomination_id)
        .options(joinedload(Appeal.decided_by))
    )


def appeal_to_answer(session: Session, appeal_id: int) -> Appeal | None:
    """The appeal with its nomination, nominee, category, cycle and who answered."""
    return session.scalar(
        select(Appeal)
        .where(Appeal.id == appeal_id)
        .options(
            joinedload(Appeal.nomination).joinedload(Nomination.nominee),
            joinedload(Appeal.nomination).joinedload(Nomination.category),
            joinedload(Appeal.nomination).joinedload(Nomination.cycle),
            joinedload(Appeal.nomination).joinedload(Nomination.decided_by),
            joinedload(Appeal.decided_by),
        )
    )


def appeals_of_cycle(session: Session, cycle_id: int) -> Sequence[Appeal]:
    """The cycle's appeals, open ones first, then newest (a cycle has a few)."""
    return session.scalars(
        select(Appeal)
        .join(Nomination, Nomination.id == Appeal.nomination_id)
        .where(Nomination.cycle_id == cycle_id)
        .options(
            joinedload(Appeal.nomination).joinedload(Nomination.nominee),
            joinedload(Appeal.nomination).joinedload(Nomination.category),
        )
        .order_by(
            case((Appeal.status == AppealStatus.OPEN, 0), else_=1),
            Appeal.created_at.desc(),
            Appeal.id.desc(),
        )
    ).all()


@dataclass(frozen=True)
class OpenAppeals:
    cycle_id: int
    cycle: str
    count: int


def open_appeals_select() -> Select[int, str, int]:
    """Per cycle, the appeals waiting for an organizer: (cycle id, name, count), grouped."""
    return (
        select(Cycle.id, Cycle.name, func.count(Appeal.id))
        .join(Nomination, Nomination.cycle_id == Cycle.id)
        .join(Appeal, Appeal.nomination_id == Nomination.id)
        .where(Appeal.status == AppealStatus.OPEN)
        .group_by(Cycle.id, Cycle.name)
    )


def open_appeals(session: Session) -> list[OpenAppeals]:
    """Per cycle, the appeals waiting for an organizer: one grouped query."""
    rows = session.execute(open_appeals_select().order_by(Cycle.id)).all()
    return [OpenAppeals(cycle_id, name, count) for cycle_id, name, count in rows]
