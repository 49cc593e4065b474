"""Search and Discover: what a logged-in member finds.

Search asks the database's own full-text index (``nominee.search.schema``) for the
newest ``WINDOW`` matches of every word typed as a prefix, ranks those (FTS5's bm25 on
SQLite, ``ts_rank`` on PostgreSQL: a word in a title or a name counts most), and shows
a page of them. Ranking a bounded window keeps a common prefix ("da") as cheap as a rare
word at any size; past it the page says so and asks for another word. Only public
contributions of active members are in reach: a private one is not even indexed.

Discover lists the newest public contributions of others that the member has not
endorsed, newest first, by keyset (``before`` an id), so every page costs the same.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Exists,
    Float,
    Integer,
    Select,
    bindparam,
    exists,
    func,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session, aliased, joinedload

from nominee.accounts.models import User
from nominee.categories.models import Category
from nominee.contributions.models import (
    Contribution,
    ContributionType,
    Visibility,
    contribution_categories,
)
from nominee.endorsements.models import Endorsement
from nominee.search.rules import Scope, fts5_match, terms, tsquery

WINDOW = 500
DISCOVER_PER_PAGE = 20

_SQLITE = {
    Scope.CONTRIBUTIONS: (
        "SELECT rowid AS id, bm25(contribution_search, 10.0, 1.0, 4.0) AS score "
        "FROM contribution_search WHERE contribution_search MATCH :match "
        "ORDER BY rowid DESC LIMIT :window"
    ),
    Scope.MEMBERS: (
        "SELECT rowid AS id, bm25(member_search, 10.0, 1.0, 4.0) AS score "
        "FROM member_search WHERE member_search MATCH :match "
        "ORDER BY rowid DESC LIMIT :window"
    ),
}
# PostgreSQL: a GIN index finds every match of a prefix, however many, and the newest
# are then sorted out of all of them (a common prefix reads most of the table). So the
# newest PROBE rows are read first, newest first, and when WINDOW of them match, those
# are the newest matches; only a rarer word asks the GIN index (the second branch runs
# only then: its condition is a one-time filter). ts_rank is higher for a better match:
# negated, so that both engines sort ascending.
PROBE = 5_000
_POSTGRESQL = """
WITH q AS (SELECT to_tsquery('simple', :match) AS q),
probe AS MATERIALIZED (
    SELECT r.id, r.search_vector
    FROM (SELECT id, search_vector FROM {table} ORDER BY id DESC LIMIT :probe) r, q
    WHERE r.search_vector @@ q.q LIMIT :window
),
found AS (
    SELECT id, search_vector FROM probe WHERE (SELECT count(*) FROM probe) >= :window
    UNION ALL
    SELECT g.id, g.search_vector FROM (
        SELECT t.id, t.search_vector FROM {table} t, q
        WHERE t.search_vector @@ q.q ORDER BY t.id DESC LIMIT :window
    ) g
    WHERE (SELECT count(*) FROM probe) < :window
)
SELECT found.id AS id, -ts_rank(found.search_vector, q.q) AS score FROM found, q
"""
_TABLES = {Scope.CONTRIBUTIONS: "contributions", Scope.MEMBERS: "users"}


@dataclass(frozen=True)
class Results:
    words: list[str]  # what was looked for (empty: nothing to look for)
    items: Sequence[Any]  # this page's contributions or members, best first
    total: int  # matches ranked (at most WINDOW)
    page: int
    per_page: int
    capped: bool  # more matched than were ranked

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _matches(dialect: str, scope: Scope) -> Any:
    """The newest ``window`` matches of the words bound as ``match`` (``fts5_match`` or
    ``tsquery``) as a subquery of (id, score); ``_window`` gives the values bound."""
    if dialect == "sqlite":
        stmt = text(_SQLITE[scope]).bindparams(bindparam("match"), bindparam("window"))
    else:
        stmt = text(_POSTGRESQL.format(table=_TABLES[scope])).bindparams(
            bindparam("match"), bindparam("window"), bindparam("probe")
        )
    return stmt.columns(id=Integer, score=Float).subquery("matched")


def _window(dialect: str, words: list[str]) -> dict[str, Any]:
    if dialect == "sqlite":
        return {"match": fts5_match(words), "window": WINDOW}
    return {"match": tsquery(words), "window": WINDOW, "probe": PROBE}


def _owner_active() -> Exists:
    """The contribution's owner is active, asked per row rather than by a join: SQLite
    planned that join with a Bloom filter over every member, built before the first row
    (at large scale most of Discover's time)."""
    return exists().where(User.id == Contribution.owner_id, User.is_active_account.is_(True))


@functools.cache
def _ranked(dialect: str, scope: Scope) -> Select[Any]:
    """The matches of ``scope`` in reach, best first, each id with their number: built
    once per engine and scope (the words are bound when it runs), since building it and
    its cache key took a good part of the search's time."""
    matched = _matches(dialect, scope)
    ranked = select(matched.c.id, func.count().over().label("total"))
    if scope is Scope.CONTRIBUTIONS:
        ranked = ranked.join(Contribution, Contribution.id == matched.c.id).where(
            Contribution.visibility == Visibility.PUBLIC, _owner_active()
        )
    else:
        ranked = ranked.join(User, User.id == matched.c.id).where(User.is_active_account.is_(True))
    return ranked.order_by(matched.c.score, matched.c.id.desc())


@functools.cache
def _ranked_page(dialect: str, scope: Scope) -> Select[Any]:
    return _ranked(dialect, scope).limit(bindparam("limit")).offset(bindparam("offset"))


@functools.cache
def _ranked_count(dialect: str, scope: Scope) -> Select[Any]:
    return select(func.count()).select_from(_ranked(dialect, scope).subquery())


def search(session: Session, scope: Scope, query: str, page: int, per_page: int) -> Results:
    """Page ``page`` of what ``query`` finds in ``scope`` (past the last: the last), best
    first: one query ranks the window and picks the page's ids with the number of
    matches (ids only: sorting whole rows costs more), the next loads those rows."""
    words = terms(query)
    if not words:
        return Results(words, [], 0, 1, per_page, capped=False)
    dialect = session.get_bind().dialect.name
    window = _window(dialect, words)
    page = max(1, page)
    paged = _ranked_page(dialect, scope)
    values = {**window, "limit": per_page, "offset": (page - 1) * per_page}
    rows = session.execute(paged, values).all()
    if not rows and page > 1:
        total = session.scalar(_ranked_count(dialect, scope), window) or 0
        page = max(1, -(-total // per_page))
        rows = session.execute(paged, {**values, "offset": (page - 1) * per_page}).all()
    total = rows[0].total if rows else 0
    items = _load(session, scope, [row.id for row in rows])
    return Results(words, items, total, page, per_page, capped=total >= WINDOW)


def _load(session: Session, scope: Scope, ids: list[int]) -> list[Any]:
    """The rows of ``ids``, in that order."""
    if not ids:
        return []
    loaded: dict[int, Any]
    if scope is Scope.CONTRIBUTIONS:
        loaded = {c.id: c for c in _listed(session, _BY_IDS, {"ids": ids})}
    else:
        loaded = {
            u.id: u
            for u in session.scalars(
                select(User).where(User.id.in_(ids)).options(joinedload(User.primary_category))
            )
        }
    return [loaded[i] for i in ids if i in loaded]


@dataclass(frozen=True)
class Named:
    id: int
    name: str


@dataclass(frozen=True)
class Owner:
    id: int
    display_name: str


@dataclass(frozen=True)
class Listed:
    """A contribution as a list of results shows it: plain values read in one query (at
    large scale, building ORM objects with their owner, type and categories was most of
    the page's time)."""

    id: int
    title: str
    contributed_on: date
    endorsement_count: int
    owner_id: int
    owner: Owner
    type: Named
    primary_category_id: int
    primary_category: Named
    categories: list[Named]
    is_public: bool


@functools.cache
def _aliases() -> tuple[type[Category], type[User]]:
    """The category and owner aliases of ``_listed_select``, made once: Discover builds
    its statement per request, and SQLAlchemy adapted each column of new aliases again."""
    return aliased(Category), aliased(User)


def _listed_select(*where: ColumnElement[bool]) -> Select[Any]:
    """The columns a list of contributions shows, of those ``where`` holds."""
    category, owner = _aliases()  # ``where`` may ask of User itself
    return cast(
        "Select[Any]",
        select(
            Contribution.id,
            Contribution.title,
            Contribution.contributed_on,
            Contribution.endorsement_count,
            Contribution.owner_id,
            owner.display_name,
            Contribution.type_id,
            ContributionType.name.label("type_name"),
            Contribution.primary_category_id,
            category.name.label("category_name"),
            Contribution.visibility,
        )
        .join(owner, owner.id == Contribution.owner_id)
        .join(ContributionType, ContributionType.id == Contribution.type_id)
        .join(category, category.id == Contribution.primary_category_id)
        .where(*where),
    )


# Search's page of results by their ``ids`` and their further categories, bound when
# they run: built once, since building them (and their cache keys) took longer than
# running them.
_BY_IDS = _listed_select(Contribution.id.in_(bindparam("ids", expanding=True)))
_FURTHER_CATEGORIES = (
    select(
        contribution_categories.c.contribution_id.label("contribution_id"),
        Category.id,
        Category.name,
    )
    .join(Category, Category.id == contribution_categories.c.category_id)
    .where(contribution_categories.c.contribution_id.in_(bindparam("ids", expanding=True)))
    .order_by(Category.name)
)


def _listed(
    session: Session, stmt: Select[Any], values: dict[str, Any] | None = None
) -> list[Listed]:
    """The contributions ``stmt`` (``_listed_select``) reads, with their extra categories
    in a second query."""
    rows = session.execute(stmt, values).all()
    extra: dict[int, list[Named]] = {row.id: [] for row in rows}
    if rows:
        for link in session.execute(_FURTHER_CATEGORIES, {"ids": list(extra)}):
            extra[link.contribution_id].append(Named(link.id, link.name))
    return [
        Listed(
            id=row.id,
            title=row.title,
            contributed_on=row.contributed_on,
            endorsement_count=row.endorsement_count,
            owner_id=row.owner_id,
            owner=Owner(row.owner_id, row.display_name),
            type=Named(row.type_id, row.type_name),
            primary_category_id=row.primary_category_id,
            primary_category=Named(row.primary_category_id, row.category_name),
            categories=extra[row.id],
            is_public=row.visibility is Visibility.PUBLIC,
        )
        for row in rows
    ]


@dataclass(frozen=True)
class Discovered:
    items: Sequence[Listed]
    next_before: int | None  # the ``before`` of the next (older) page; None: the last


def discover(
    session: Session,
    member: User,
    *,
    type_id: int | None = None,
    category_id: int | None = None,
    before: int | None = None,
    per_page: int = DISCOVER_PER_PAGE,
) -> Discovered:
    """Public contributions of other active members that ``member`` has not endorsed,
    newest first (the primary key's order), of a type and a category when given."""
    endorsed = exists().where(
        Endorsement.contribution_id == Contribution.id,
        Endorsement.endorser_id == member.id,
        Endorsement.withdrawn_at.is_(None),
    )
    where = [
        Contribution.visibility == Visibility.PUBLIC,
        Contribution.owner_id != member.id,
        _owner_active(),
        ~endorsed,
    ]
    if type_id is not None:
        where.append(Contribution.type_id == type_id)
    if category_id is not None:
        where.append(
            or_(
                Contribution.primary_category_id == category_id,
                # Per row, on the (contribution, category) key: the newest-first scan stops
                # after a page, where a list of the category's every contribution did not.
                # A scalar subquery, not EXISTS: PostgreSQL turns an EXISTS under OR into
                # one hashed pass over every contribution of the category (14 ms at large
                # scale, growing with it), a scalar subquery stays a probe per row.
                select(literal(1))
                .where(
                    contribution_categories.c.contribution_id == Contribution.id,
                    contribution_categories.c.category_id == category_id,
                )
                .limit(1)
                .scalar_subquery()
                .is_not(None),
            )
        )
    if before is not None:
        where.append(Contribution.id < before)
    stmt = _listed_select(*where).order_by(Contribution.id.desc()).limit(per_page + 1)
    items = _listed(session, stmt)
    more = len(items) > per_page
    items = items[:per_page]
    return Discovered(items=items, next_before=items[-1].id if more else None)
