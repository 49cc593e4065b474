"""A page of a longer list: the value views render and queries return."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, true
from sqlalchemy.orm import QueryableAttribute, Session

from nominee.inputs import INT_MAX

CURSOR_TIME = "%Y%m%dT%H%M%S.%f"


@dataclass
class Page:
    items: Sequence[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(
    session: Session,
    stmt: Select[Any],
    page: int,
    per_page: int,
    *,
    scalars: bool = True,
    total: int | None = None,
    backwards: Select[Any] | None = None,
) -> Page:
    """Run ``stmt`` for ``page`` (past the last page: the last one), plus one count query
    unless the caller already knows the ``total`` (from totals it shows anyway).

    ``backwards``: the same statement in the opposite order (its ties broken the opposite
    way too), from which a page past the middle is read, then turned round: an OFFSET
    walks every row it skips, so the last page of a long list cost a walk of all of it.
    """
    if total is None:
        total = (
            session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
        )
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    start = (page - 1) * per_page
    end = min(start + per_page, total)
    if backwards is not None and start > total - end:
        result = session.execute(backwards.limit(end - start).offset(total - end))
        rows = result.scalars().all() if scalars else result.all()
        return Page(items=rows[::-1], page=page, per_page=per_page, total=total)
    result = session.execute(stmt.limit(per_page).offset(start))
    items = result.scalars().all() if scalars else result.all()
    return Page(items=items, page=page, per_page=per_page, total=total)


@dataclass(frozen=True)
class Keyset:
    """A page of a list read newest first by keyset: the rows after a cursor (the last
    row's time and id), so a deep page costs what the first does. ``after`` is the cursor
    this page starts after (None: the first page), ``next`` the next page's (None: the
    last page)."""

    items: Sequence[Any]
    total: int
    after: str | None
    next: str | None


def encode_cursor(moment: datetime, row_id: int) -> str:
    """A cursor from a row's time (in UTC, as the columns keep it) and id."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return f"{moment.strftime(CURSOR_TIME)}_{row_id}"


def decode_cursor(text: str | None) -> tuple[datetime, int] | None:
    """The (time, id) a cursor holds; None for none or one that is not a cursor."""
    if not text:
        return None
    moment, _, row_id = text.partition("_")
    try:
        position = datetime.strptime(moment, CURSOR_TIME).replace(tzinfo=UTC), int(row_id)
    except ValueError:
        return None
    return position if 0 < position[1] <= INT_MAX else None


def older_than(
    moment: QueryableAttribute[datetime], row_id: QueryableAttribute[int], cursor: str | None
) -> ColumnElement[bool]:
    """Rows after ``cursor`` in newest-first order (every row without one)."""
    position = decode_cursor(cursor)
    if position is None:
        return true()
    return older_than_position(moment, row_id, position[0], position[1])


def older_than_position(
    moment: QueryableAttribute[datetime],
    row_id: QueryableAttribute[int],
    at: datetime | ColumnElement[datetime],
    before_id: int | ColumnElement[int],
) -> ColumnElement[bool]:
    """Rows older than the one of time ``at`` and id ``before_id`` (values, or parameters
    bound when the statement runs) in newest-first order."""
    # The plain bound first: SQLite plans the OR alone, its values bound, as a walk of the
    # whole index from the newest row (see ``nominee.auditlog.queries``).
    return and_(moment <= at, or_(moment < at, and_(moment == at, row_id < before_id)))


def keyset(
    rows: Sequence[Any],
    per_page: int,
    total: int,
    after: str | None,
    key: Callable[[Any], tuple[datetime, int]],
) -> Keyset:
    """The page from ``rows`` read with a limit of ``per_page + 1`` (one more tells
    whether there is a next page)."""
    items = rows[:per_page]
    following = encode_cursor(*key(items[-1])) if len(rows) > per_page else None
    return Keyset(
        items=items,
        total=total,
        after=after if decode_cursor(after) else None,
        next=following,
    )
