"""What the nomination pages read: a member's nominations, and a nomination's evidence
as a page shows it (rule 8, the panel judges what it saw).

From the moment a nomination goes into review, each of its evidence rows holds a copy of
the contribution taken then (``nominee.nominations.services.refresh_counters`` takes
it). The panel (reviewers and organizers) reads that copy; everybody else reads the
contribution as it is now, as far as they may see it. Either way an item says whether
its owner changed the contribution after the copy was taken.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Result, Select, bindparam, case, select
from sqlalchemy.orm import Session, joinedload

from nominee.contributions.models import Contribution, ContributionType, Visibility
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


def newest_first(items: Iterable[EvidenceItem]) -> list[EvidenceItem]:
    return sorted(items, key=lambda item: (-item.contributed_on.toordinal(), item.id))


# What ``panel_evidence`` reads of each side, as plain columns (no entity per row): the
# columns an item shows and those that tell whether its owner changed it.
_SHOWN = (
    "role",
    "title",
    "contributed_on",
    "url",
    "description_html",
    "quantity",
    "audience",
    "visibility",
    "endorsement_count",
)
_PANEL_FIELDS = tuple(dict.fromkeys((*_SHOWN, *OWNER_FIELDS)))
_COPY_TYPE = ("type_name", "type_weight", "quantity_label", "audience_label")


def panel_evidence(session: Session, nomination_id: int) -> list[EvidenceItem]:
    """The nomination's evidence as the panel judges it, newest first, in one query of
    plain columns: the copy where one was taken, else the contribution now, and whether
    its owner changed it since."""
    return evidence_items(session, nomination_id, as_panel=True)


def evidence_items(session: Session, nomination_id: int, *, as_panel: bool) -> list[EvidenceItem]:
    """The nomination's evidence newest first, in one query of plain columns: as the panel
    saw it (``as_panel``: the copy where one was taken), else as it is now; the link's
    check with it."""
    result = session.execute(_evidence_query(as_panel), {"nomination_id": nomination_id})
    return newest_first(_items(result, as_panel))


@cache
def _evidence_query(as_panel: bool) -> Select[*tuple[Any, ...]]:
    """``evidence_items``'s query, the nomination as a parameter: built once per side (the
    pages of a nomination ask it every time; building it took longer than its answer)."""
    shown_url = (
        case(
            (NominationEvidence.frozen_at.is_not(None), NominationEvidence.url),
            else_=Contribution.url,
        )
        if as_panel
        else Contribution.url
    )
    return (
        select(
            NominationEvidence.frozen_at,
            *(getattr(NominationEvidence, name) for name in _COPY_TYPE),
            *(getattr(NominationEvidence, name).label(f"copy_{name}") for name in _PANEL_FIELDS),
            Contribution.id,
            *(getattr(Contribution, name).label(f"now_{name}") for name in _PANEL_FIELDS),
            ContributionType.name,
            ContributionType.weight,
            ContributionType.quantity_label.label("now_quantity_label"),
            ContributionType.audience_label.label("now_audience_label"),
            LinkCheck.broken_since,
        )
        .join(Contribution, Contribution.id == NominationEvidence.contribution_id)
        .join(ContributionType, ContributionType.id == Contribution.type_id)
        .outerjoin(LinkCheck, LinkCheck.url == shown_url)
        .where(NominationEvidence.nomination_id == bindparam("nomination_id"))
    )


def _items(result: Result[Any], as_panel: bool) -> Iterator[EvidenceItem]:
    """The items of ``_evidence_query``'s rows, read by position (a row's mapping costs
    more than the rest of an item)."""
    at = {key: index for index, key in enumerate(result.keys())}
    frozen_at, id_at, broken_at = at["frozen_at"], at["id"], at["broken_since"]
    copy_type = [at[name] for name in _COPY_TYPE]
    now_type = [at[name] for name in ("name", "weight", "now_quantity_label", "now_audience_label")]
    copy_shown = [at[f"copy_{name}"] for name in _SHOWN]
    now_shown = [at[f"now_{name}"] for name in _SHOWN]
    owner_pairs = [(at[f"copy_{name}"], at[f"now_{name}"]) for name in OWNER_FIELDS]
    for row in result:
        frozen = row[frozen_at] is not None
        as_copy = frozen and as_panel
        type_at, shown_at = (copy_type, copy_shown) if as_copy else (now_type, now_shown)
        # In the order of _SHOWN.
        role, title, day, url, html, quantity, audience, visibility, endorsements = (
            row[index] for index in shown_at
        )
        yield EvidenceItem(
            id=row[id_at],
            type=ItemType(*(row[index] for index in type_at)),
            role=role or "",
            title=title,
            contributed_on=day,
            url=url,
            description_html=html or "",
            quantity=quantity,
            audience=audience,
            visibility=visibility,
            endorsement_count=endorsements,
            frozen_at=row[frozen_at],
            changed=frozen and any(row[copy] != row[now] for copy, now in owner_pairs),
            link_broken_since=row[broken_at],
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
