"""The endorsements the pages show: on a contribution, and received and given on a
member's page."""

from __future__ import annotations

import enum
import functools
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, bindparam, func, or_, select, true
from sqlalchemy.orm import Session, aliased, joinedload

from nominee.accounts.models import User
from nominee.contributions.models import Contribution
from nominee.endorsements.models import Endorsement
from nominee.pagination import Keyset, decode_cursor, keyset, older_than, older_than_position

# The member page's lists of endorsements received and given, per page.
MEMBER_PAGE_LIST = 10


def endorsement_of(session: Session, user: User, contribution: Contribution) -> Endorsement | None:
    """``user``'s endorsement of ``contribution``, active or withdrawn."""
    if not user.is_authenticated:
        return None
    return session.scalar(
        select(Endorsement).where(
            Endorsement.contribution_id == contribution.id, Endorsement.endorser_id == user.id
        )
    )


NEWEST_FIRST = (Endorsement.created_at.desc(), Endorsement.id.desc())


def _position(endorsement: Endorsement | Listed | EndorsementRow) -> tuple[datetime, int]:
    return endorsement.created_at, endorsement.id


def _after(cursor: str | None) -> ColumnElement[bool]:
    return older_than(Endorsement.created_at, Endorsement.id, cursor)


def active_endorsements(
    session: Session, contribution: Contribution, after: str | None, per_page: int
) -> Keyset:
    """The contribution's active endorsements after the cursor ``after``, newest first,
    with their endorsers (the total is the stored ``endorsement_count``: no count query)."""
    rows = session.scalars(
        select(Endorsement)
        .where(
            Endorsement.contribution_id == contribution.id,
            Endorsement.withdrawn_at.is_(None),
            _after(after),
        )
        .options(joinedload(Endorsement.endorser))
        .order_by(*NEWEST_FIRST)
        .limit(per_page + 1)
    ).all()
    return keyset(rows, per_page, contribution.endorsement_count, after, _position)


class Audience(enum.Enum):
    """What a viewer may see of the endorsements' contributions (``seen_by``)."""

    EVERY = "every"  # organizers
    ACTIVE = "active"  # reviewers: those of active accounts
    OWN_AND_PUBLIC = "own"  # members: public ones and their own
    PUBLIC = "public"  # visitors


def audience_of(viewer: User) -> Audience:
    if viewer.is_authenticated and viewer.is_organizer:
        return Audience.EVERY
    if viewer.is_authenticated and viewer.is_reviewer:
        return Audience.ACTIVE
    if viewer.is_authenticated:
        return Audience.OWN_AND_PUBLIC
    return Audience.PUBLIC


def _seen(audience: Audience, viewer_id: Any) -> ColumnElement[bool]:
    if audience is Audience.EVERY:
        return true()
    if audience is Audience.ACTIVE:
        return Endorsement.endorsee.has(User.is_active_account.is_(True))
    if audience is Audience.OWN_AND_PUBLIC:
        # Their own contributions, whatever their visibility (they are active: logged in).
        return or_(Endorsement.public.is_(True), Endorsement.endorsee_id == viewer_id)
    return Endorsement.public.is_(True)


def seen_by(viewer: User) -> ColumnElement[bool]:
    """``contributions.rules.visible_to`` for an endorsement's contribution, read off the
    endorsement (``Endorsement.public``, kept by the services): no join per row for
    members and visitors; reviewers see every contribution of an active account."""
    return _seen(audience_of(viewer), viewer.id if viewer.is_authenticated else None)


def _latest_stmt(
    condition: ColumnElement[bool], viewer: User, after: str | None, limit: int
) -> Select[int, datetime]:
    return (
        select(Endorsement.id, Endorsement.created_at)
        .where(condition, Endorsement.withdrawn_at.is_(None), seen_by(viewer), _after(after))
        .order_by(*NEWEST_FIRST)
        .limit(limit)
    )


class Person(NamedTuple):
    """The other member of a listed endorsement: what a name and its link need."""

    id: int
    display_name: str
    name_holders: int
    is_active_account: bool


class Listed(NamedTuple):
    """An endorsement as the member page lists it: its contribution's title and the
    other member (the endorser of one received, the endorsee of one given)."""

    id: int
    created_at: datetime
    comment: str
    contribution_id: int
    title: str
    person: Person


class Direction(enum.Enum):
    """Which endorsements of a member a list shows: those they received (its ``person``
    is the endorser) or those they gave (the endorsee)."""

    RECEIVED = "received"
    GIVEN = "given"


@functools.cache
def _listed_stmt(direction: Direction, audience: Audience, paged: bool) -> Select[Any]:
    """The member page's list of endorsements as one statement with its values bound at
    run time (``member_id``, ``viewer_id`` for a member, ``before_at`` and ``before_id``
    when ``paged``): built once per kind, so a page does not build it again, nor
    SQLAlchemy its cache key (most of the list's time). The endorsements are picked by
    the index first, then joined to their contribution and other member: plain rows,
    only the columns a list shows. The first page of those given counts them all too,
    with a subquery run once (``count() OVER ()`` would read every one before picking)."""
    if direction is Direction.RECEIVED:
        mine, theirs = Endorsement.endorsee_id, Endorsement.endorser_id
    else:
        mine, theirs = Endorsement.endorser_id, Endorsement.endorsee_id
    shown = (
        mine == bindparam("member_id"),
        Endorsement.withdrawn_at.is_(None),
        _seen(audience, bindparam("viewer_id")),
    )
    latest = select(Endorsement.id, Endorsement.created_at).where(*shown)
    if paged:
        latest = latest.where(
            older_than_position(
                Endorsement.created_at,
                Endorsement.id,
                bindparam("before_at", type_=Endorsement.created_at.type),
                bindparam("before_id", type_=Endorsement.id.type),
            )
        )
    elif direction is Direction.GIVEN:
        counted = select(func.count(Endorsement.id)).where(*shown).correlate(None)
        latest = latest.add_columns(counted.scalar_subquery().label("total"))
    picked = latest.order_by(*NEWEST_FIRST).limit(MEMBER_PAGE_LIST + 1).subquery()
    return (
        select(
            Endorsement.id,
            Endorsement.created_at,
            Endorsement.comment,
            Endorsement.contribution_id,
            Contribution.title,
            User.id,
            User.display_name,
            User.name_holders,
            User.is_active_account,
            *(c for c in picked.c if c.name not in ("id", "created_at")),
        )
        .join(picked, picked.c.id == Endorsement.id)
        .join(Contribution, Contribution.id == Endorsement.contribution_id)
        .join(User, User.id == theirs)
        .order_by(picked.c.created_at.desc(), picked.c.id.desc())
    )


def _listed(
    session: Session, direction: Direction, member: User, viewer: User, after: str | None
) -> list[Any]:
    """The rows of ``_listed_stmt`` for ``member``'s list as ``viewer`` may see it, after
    the cursor ``after``."""
    position = decode_cursor(after)
    audience = audience_of(viewer)
    values: dict[str, Any] = {"member_id": member.id}
    if audience is Audience.OWN_AND_PUBLIC:
        values["viewer_id"] = viewer.id
    if position is not None:
        values["before_at"], values["before_id"] = position
    stmt = _listed_stmt(direction, audience, position is not None)
    return list(session.execute(stmt, values).all())


def _listed_items(rows: list[Any]) -> list[Listed]:
    return [
        Listed(row[0], row[1], row[2], row[3], row[4], Person(row[5], row[6], row[7], row[8]))
        for row in rows
    ]


class EndorsementRow(NamedTuple):
    """An endorsement as the API shows it: its columns with its contribution's title and
    both members' names, read as a row rather than entities."""

    id: int
    created_at: datetime
    contribution_id: int
    contribution_title: str
    endorser_id: int
    endorser_name: str
    endorsee_id: int
    endorsee_name: str
    comment: str
    withdrawn_at: datetime | None

    @classmethod
    def of(cls, endorsement: Endorsement) -> EndorsementRow:
        return cls(
            endorsement.id,
            endorsement.created_at,
            endorsement.contribution_id,
            endorsement.contribution.title,
            endorsement.endorser.id,
            endorsement.endorser.display_name,
            endorsement.endorsee.id,
            endorsement.endorsee.display_name,
            endorsement.comment,
            endorsement.withdrawn_at,
        )


@cache
def _people() -> tuple[type[User], type[User]]:
    """The endorser and endorsee aliases of ``_rows``, made once (made per request,
    SQLAlchemy adapted each of their columns again)."""
    return aliased(User), aliased(User)


def _rows(session: Session, latest: Select[*tuple[Any, ...]]) -> list[EndorsementRow]:
    """The endorsements whose ids ``latest`` picks, newest first, as ``EndorsementRow``:
    the joins touch those few rows only."""
    picked = latest.subquery()
    endorser, endorsee = _people()
    rows = session.execute(
        select(
            Endorsement.id,
            Endorsement.created_at,
            Endorsement.contribution_id,
            Contribution.title,
            endorser.id,
            endorser.display_name,
            endorsee.id,
            endorsee.display_name,
            Endorsement.comment,
            Endorsement.withdrawn_at,
        )
        .join(picked, picked.c.id == Endorsement.id)
        .join(Contribution, Contribution.id == Endorsement.contribution_id)
        .join(endorser, endorser.id == Endorsement.endorser_id)
        .join(endorsee, endorsee.id == Endorsement.endorsee_id)
        .order_by(picked.c.created_at.desc(), picked.c.id.desc())
    ).all()
    return [EndorsementRow._make(row) for row in rows]


def received(
    session: Session,
    member: User,
    viewer: User,
    after: str | None = None,
    per_page: int = MEMBER_PAGE_LIST,
) -> Keyset:
    """The active endorsements ``member`` received on contributions ``viewer`` may see,
    newest first after the cursor ``after``, as ``EndorsementRow`` (the API's list, which
    shows no total)."""
    condition = Endorsement.endorsee_id == member.id
    rows = _rows(session, _latest_stmt(condition, viewer, after, per_page + 1))
    return keyset(rows, per_page, 0, after, _position)


def received_list(
    session: Session, member: User, viewer: User, total: int, after: str | None = None
) -> Keyset:
    """``received`` as the member page lists it: ``Listed`` rows, whose ``person`` is the
    endorser."""
    rows = _listed_items(_listed(session, Direction.RECEIVED, member, viewer, after))
    return keyset(rows, MEMBER_PAGE_LIST, total, after, _position)


def given_list(session: Session, member: User, viewer: User, after: str | None = None) -> Keyset:
    """``given`` as the member page lists it: ``Listed`` rows, whose ``person`` is the
    endorsee; the total counted as ``given`` counts it (with the first page's rows)."""
    found = _listed(session, Direction.GIVEN, member, viewer, after)
    if decode_cursor(after) is None:
        total = found[0].total if found else 0
    else:
        total = _count_given(session, Endorsement.endorser_id == member.id, viewer)
    return keyset(_listed_items(found), MEMBER_PAGE_LIST, total, after, _position)


def _given_count(condition: ColumnElement[bool], viewer: User) -> Select[int]:
    return select(func.count(Endorsement.id)).where(
        condition, Endorsement.withdrawn_at.is_(None), seen_by(viewer)
    )


def _count_given(session: Session, condition: ColumnElement[bool], viewer: User) -> int:
    return session.scalar(_given_count(condition, viewer)) or 0


def given(
    session: Session,
    member: User,
    viewer: User,
    after: str | None = None,
    per_page: int = MEMBER_PAGE_LIST,
) -> Keyset:
    """The active endorsements ``member`` gave on contributions ``viewer`` may see, newest
    first after the cursor ``after``, as ``EndorsementRow`` (the API's list, which shows
    no total)."""
    condition = Endorsement.endorser_id == member.id
    rows = _rows(session, _latest_stmt(condition, viewer, after, per_page + 1))
    return keyset(rows, per_page, 0, after, _position)
