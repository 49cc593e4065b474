"""The endorsements the pages show: on a contribution, and received and given on a
member's page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from nominee.accounts.models import User
from nominee.contributions.models import Contribution
from nominee.contributions.rules import visible_to
from nominee.endorsements.models import Endorsement
from nominee.pagination import Page, paginate


def endorsement_of(session: Session, user: User, contribution: Contribution) -> Endorsement | None:
    """``user``'s endorsement of ``contribution``, active or withdrawn."""
    if not user.is_authenticated:
        return None
    return session.scalar(
        select(Endorsement).where(
            Endorsement.contribution_id == contribution.id, Endorsement.endorser_id == user.id
        )
    )


def active_endorsements(
    session: Session, contribution: Contribution, page: int, per_page: int
) -> Page:
    """A page of the contribution's active endorsements, newest first, with their
    endorsers (the total is the stored ``endorsement_count``: no count query)."""
    stmt = (
        select(Endorsement)
        .where(Endorsement.contribution_id == contribution.id, Endorsement.withdrawn_at.is_(None))
        .options(joinedload(Endorsement.endorser))
        .order_by(Endorsement.created_at.desc(), Endorsement.id.desc())
    )
    return paginate(session, stmt, page, per_page, total=contribution.endorsement_count)


def _latest_stmt(condition: ColumnElement[bool], viewer: User, limit: int) -> Select[int, datetime]:
    return (
        select(Endorsement.id, Endorsement.created_at)
        .join(Endorsement.contribution)
        .where(condition, Endorsement.withdrawn_at.is_(None), visible_to(viewer))
        .order_by(Endorsement.created_at.desc(), Endorsement.id.desc())
        .limit(limit)
    )


def _with_people(
    session: Session, latest: Select[*tuple[Any, ...]]
) -> Sequence[Row[*tuple[Any, ...]]]:
    """The endorsements whose ids ``latest`` picks, with their contribution and people,
    newest first: the eager joins touch those few rows only."""
    picked = latest.subquery()
    return session.execute(
        select(Endorsement, *(c for c in picked.c if c.name not in ("id", "created_at")))
        .join(picked, picked.c.id == Endorsement.id)
        .options(
            joinedload(Endorsement.contribution),
            joinedload(Endorsement.endorser),
            joinedload(Endorsement.endorsee),
        )
        .order_by(picked.c.created_at.desc(), picked.c.id.desc())
    ).all()


def received(
    session: Session, member: User, viewer: User, limit: int = 10
) -> Sequence[Endorsement]:
    """The latest active endorsements ``member`` received on contributions ``viewer`` may
    see. How many there are is the sum of those contributions' ``endorsement_count``."""
    rows = _with_people(session, _latest_stmt(Endorsement.endorsee_id == member.id, viewer, limit))
    return [row.Endorsement for row in rows]


def given(
    session: Session, member: User, viewer: User, limit: int = 10
) -> tuple[int, Sequence[Endorsement]]:
    """How many active endorsements ``member`` gave on contributions ``viewer`` may see,
    and the latest of them: one query, the total counted by a window function over the
    matching rows before the limit (no rows, no total: zero)."""
    latest = _latest_stmt(Endorsement.endorser_id == member.id, viewer, limit).add_columns(
        func.count().over().label("total")
    )
    rows = _with_people(session, latest)
    return (rows[0].total if rows else 0), [row.Endorsement for row in rows]


def endorsements_after(
    session: Session,
    member: User,
    viewer: User,
    *,
    direction: str,
    after: tuple[datetime, int] | None,
    limit: int,
) -> list[Endorsement]:
    """The active endorsements ``member`` received (``direction`` "received") or gave
    ("given") on contributions ``viewer`` may see, newest first, the ``limit`` after
    ``after`` (the created time and id of the previous page's last): a keyset page of
    the member page's lists."""
    column = Endorsement.endorsee_id if direction == "received" else Endorsement.endorser_id
    latest = _latest_stmt(column == member.id, viewer, limit)
    if after is not None:
        moment, last_id = after
        latest = latest.where(
            or_(
                Endorsement.created_at < moment,
                and_(Endorsement.created_at == moment, Endorsement.id < last_id),
            )
        )
    return [row.Endorsement for row in _with_people(session, latest)]
