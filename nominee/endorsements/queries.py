"""The endorsements the pages show: on a contribution, and received and given on a
member's page."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Row, Select, func, or_, select, true
from sqlalchemy.orm import Session, aliased, joinedload

from nominee.accounts.models import User
from nominee.contributions.models import Contribution
from nominee.endorsements.models import Endorsement
from nominee.pagination import Keyset, decode_cursor, keyset, older_than

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


def seen_by(viewer: User) -> ColumnElement[bool]:
    """``contributions.rules.visible_to`` for an endorsement's contribution, read off the
    endorsement (``Endorsement.public``, kept by the services): no join per row for
    members and visitors; reviewers see every contribution of an active account."""
    if viewer.is_authenticated and viewer.is_organizer:
        return true()
    if viewer.is_authenticated and viewer.is_reviewer:
        return Endorsement.endorsee.has(User.is_active_account.is_(True))
    if viewer.is_authenticated:
        # Their own contributions, whatever their visibility (they are active: logged in).
        return or_(Endorsement.public.is_(True), Endorsement.endorsee_id == viewer.id)
    return Endorsement.public.is_(True)


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


def _listed(
    session: Session, latest: Select[*tuple[Any, ...]], person_id: Any
) -> list[tuple[Listed, Row[*tuple[Any, ...]]]]:
    """The endorsements ``latest`` picks as plain rows (only the columns a list shows,
    no objects), newest first, each with the row of ``latest``'s other columns."""
    picked = latest.subquery()
    rows = session.execute(
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
        .join(User, User.id == person_id)
        .order_by(picked.c.created_at.desc(), picked.c.id.desc())
    ).all()
    return [
        (
            Listed(row[0], row[1], row[2], row[3], row[4], Person(row[5], row[6], row[7], row[8])),
            row,
        )
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
    condition = Endorsement.endorsee_id == member.id
    latest = _latest_stmt(condition, viewer, after, MEMBER_PAGE_LIST + 1)
    rows = [listed for listed, _row in _listed(session, latest, Endorsement.endorser_id)]
    return keyset(rows, MEMBER_PAGE_LIST, total, after, _position)


def given_list(session: Session, member: User, viewer: User, after: str | None = None) -> Keyset:
    """``given`` as the member page lists it: ``Listed`` rows, whose ``person`` is the
    endorsee; the total counted as ``given`` counts it."""
    condition = Endorsement.endorser_id == member.id
    if decode_cursor(after) is None:
        latest = _latest_stmt(condition, viewer, None, MEMBER_PAGE_LIST + 1).add_columns(
            func.count().over().label("total")
        )
        found = _listed(session, latest, Endorsement.endorsee_id)
        total = found[0][1].total if found else 0
    else:
        found = _listed(
            session,
            _latest_stmt(condition, viewer, after, MEMBER_PAGE_LIST + 1),
            Endorsement.endorsee_id,
        )
        total = _count_given(session, condition, viewer)
    rows = [listed for listed, _row in found]
    return keyset(rows, MEMBER_PAGE_LIST, total, after, _position)


def _count_given(session: Session, condition: ColumnElement[bool], viewer: User) -> int:
    return (
        session.scalar(
            select(func.count(Endorsement.id)).where(
                condition, Endorsement.withdrawn_at.is_(None), seen_by(viewer)
            )
        )
        or 0
    )


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
