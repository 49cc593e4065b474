"""What the nomination pages read: a member's nominations, and a nomination's evidence
as a page shows it (rule 8, the panel judges what it saw).

From the moment a nomination goes into review, each of its evidence rows holds a copy of
the contribution taken then (``nominee.nominations.services.refresh_counters`` takes
it). The panel (reviewers and organizers) reads that copy; everybody else reads the
contribution as it is now, as far as they may see it. Either way an item says whether
its owner changed the contribution after the copy was taken.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import cast

from sqlalchemy import case, select
from sqlalchemy.orm import Session, joinedload

from nominee.contributions.models import Contribution, Visibility
from nominee.linkchecks.models import LinkCheck
from nominee.nominations.models import COPIED_COLUMNS, Nomination, NominationEvidence

# What the owner edits; a copy differing in one of these was changed after review began.
# (The HTML follows the Markdown; endorsements are not the owner's doing.)
OWNER_FIELDS = tuple(
    name for name in COPIED_COLUMNS if name not in ("description_html", "endorsement_count")
)


@dataclass(frozen=True)
class ItemType:
    name: str
    weight: float
    quantity_label: str | None
    audience_label: str | None


@dataclass(frozen=True)
class EvidenceItem:
    """One evidence item, shaped like the contribution the templates know."""

    id: int  # the contribution's
    type: ItemType
    role: str
    title: str
    contributed_on: date
    url: str | None
    description_html: str
    quantity: int
    audience: int
    visibility: Visibility
    endorsement_count: int
    frozen_at: datetime | None  # when the panel's copy was taken (None: not yet)
    changed: bool  # its owner changed the contribution after the copy was taken
    link_broken_since: datetime | None = None  # its link's check (``nominee.linkchecks``)

    @property
    def is_public(self) -> bool:
        return self.visibility is Visibility.PUBLIC


def _changed(row: NominationEvidence, contribution: Contribution) -> bool:
    return row.frozen_at is not None and any(
        getattr(row, name) != getattr(contribution, name) for name in OWNER_FIELDS
    )


def as_it_is(row: NominationEvidence, contribution: Contribution) -> EvidenceItem:
    """The contribution now."""
    kind = contribution.type
    return EvidenceItem(
        id=contribution.id,
        type=ItemType(kind.name, kind.weight, kind.quantity_label, kind.audience_label),
        role=contribution.role,
        title=contribution.title,
        contributed_on=contribution.contributed_on,
        url=contribution.url,
        description_html=contribution.description_html,
        quantity=contribution.quantity,
        audience=contribution.audience,
        visibility=contribution.visibility,
        endorsement_count=contribution.endorsement_count,
        frozen_at=row.frozen_at,
        changed=_changed(row, contribution),
    )


def as_the_panel_saw(row: NominationEvidence, contribution: Contribution) -> EvidenceItem:
    """The copy taken as the nomination went into review; the contribution now before."""
    if row.frozen_at is None:
        return as_it_is(row, contribution)
    # The copy's columns are nullable only for the rows not copied yet.
    return EvidenceItem(
        id=contribution.id,
        type=ItemType(
            cast(str, row.type_name),
            cast(float, row.type_weight),
            row.quantity_label,
            row.audience_label,
        ),
        role=row.role or "",
        title=cast(str, row.title),
        contributed_on=cast(date, row.contributed_on),
        url=row.url,
        description_html=row.description_html or "",
        quantity=cast(int, row.quantity),
        audience=cast(int, row.audience),
        visibility=cast(Visibility, row.visibility),
        endorsement_count=cast(int, row.endorsement_count),
        frozen_at=row.frozen_at,
        changed=_changed(row, contribution),
    )


def newest_first(items: Iterable[EvidenceItem]) -> list[EvidenceItem]:
    return sorted(items, key=lambda item: (-item.contributed_on.toordinal(), item.id))


def panel_evidence(session: Session, nomination_id: int) -> list[EvidenceItem]:
    """The nomination's evidence as the panel judges it, newest first, in one query."""
    shown_url = case(
        (NominationEvidence.frozen_at.is_not(None), NominationEvidence.url),
        else_=Contribution.url,
    )
    rows = session.execute(
        select(NominationEvidence, Contribution, LinkCheck.broken_since)
        .join(Contribution, Contribution.id == NominationEvidence.contribution_id)
        .outerjoin(LinkCheck, LinkCheck.url == shown_url)
        .where(NominationEvidence.nomination_id == nomination_id)
        .options(joinedload(Contribution.type))
    ).all()
    return newest_first(
        replace(as_the_panel_saw(row, contribution), link_broken_since=broken_since)
        for row, contribution, broken_since in rows
    )


@dataclass(frozen=True)
class MemberNominations:
    about_me: list[Nomination]  # the member is the nominee (self nominations included)
    made: list[Nomination]  # the member nominated somebody else


def nominations_of_member(session: Session, member_id: int) -> MemberNominations:
    """The nominations about ``member_id`` and those they made of others, newest first: one
    query (every relation shown is a many-to-one, joined), whatever the member has."""
    rows = session.scalars(
        select(Nomination)
        .where((Nomination.nominee_id == member_id) | (Nomination.nominator_id == member_id))
        .options(
            joinedload(Nomination.cycle),
            joinedload(Nomination.category),
            joinedload(Nomination.nominee),
            joinedload(Nomination.nominator),
            joinedload(Nomination.award),
        )
        .order_by(Nomination.created_at.desc(), Nomination.id.desc())
    ).all()
    about_me = [n for n in rows if n.nominee_id == member_id]
    made = [n for n in rows if n.nominee_id != member_id]
    return MemberNominations(list(about_me), list(made))
