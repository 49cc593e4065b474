"""What the credentials read: the issuer's keys, an award's public evidence, the revoked
entries of a status list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nominee.awards.models import Award, AwardStatus
from nominee.contributions.models import Contribution, Visibility
from nominee.credentials.models import IssuerKey
from nominee.cycles.models import RubricCriterion
from nominee.nominations.models import NominationEvidence


def issuer_keys(session: Session) -> Sequence[IssuerKey]:
    """Every key the issuer ever signed with, oldest first."""
    return session.scalars(select(IssuerKey).order_by(IssuerKey.id)).all()


def signing_key(keys: Sequence[IssuerKey]) -> IssuerKey | None:
    """The key that signs now: the newest one not retired."""
    current = [key for key in keys if key.retired_at is None]
    return current[-1] if current else None


@dataclass(frozen=True)
class EvidenceItem:
    contribution_id: int
    title: str


def public_evidence(session: Session, nomination_id: int | None) -> Sequence[EvidenceItem]:
    """The nomination's evidence that is public now (its owner may have made an item
    private since, or deleted it), in date order."""
    if nomination_id is None:
        return []
    rows = session.execute(
        select(Contribution.id, Contribution.title)
        .join(NominationEvidence, NominationEvidence.contribution_id == Contribution.id)
        .where(
            NominationEvidence.nomination_id == nomination_id,
            Contribution.visibility == Visibility.PUBLIC,
        )
        .order_by(Contribution.contributed_on, Contribution.id)
    ).all()
    return [EvidenceItem(row.id, row.title) for row in rows]


def criteria(session: Session, cycle_id: int) -> Sequence[tuple[str, str]]:
    """The cycle's rubric: (name, description) in order."""
    return [
        (row.name, row.description)
        for row in session.execute(
            select(RubricCriterion.name, RubricCriterion.description)
            .where(RubricCriterion.cycle_id == cycle_id)
            .order_by(RubricCriterion.position, RubricCriterion.id)
        )
    ]


@dataclass(frozen=True)
class ListState:
    revoked: frozenset[int]  # positions in the list
    changed_at: datetime | None  # the latest revocation among them


def revoked_in_list(session: Session, number: int, size: int) -> ListState:
    """The revoked awards' positions in status list ``number`` (entries ``number * size``
    to ``(number + 1) * size - 1``) and when the last of them was revoked."""
    first = number * size
    rows = session.execute(
        select(Award.status_index, Award.revoked_at).where(
            Award.status == AwardStatus.REVOKED,
            Award.status_index >= first,
            Award.status_index < first + size,
        )
    ).all()
    stamps = [row.revoked_at for row in rows if row.revoked_at is not None]
    return ListState(
        revoked=frozenset(row.status_index - first for row in rows),
        changed_at=max(stamps) if stamps else None,
    )


def last_status_list(session: Session, size: int) -> int:
    """The number of the last status list in use (0 when no award has a place yet)."""
    highest = session.scalar(select(func.max(Award.status_index)))
    return (highest or 0) // size
