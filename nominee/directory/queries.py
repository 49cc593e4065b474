"""What the awardee directory and the logged-out home page read.

The directory lists one card per award: an awardee with awards in two categories has
two. Each page is a handful of queries whatever the size of the programme: the filters'
choices (categories, published cycles, the awardees' countries), the count and the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import ColumnElement, Select, distinct, func, select
from sqlalchemy.orm import Session, aliased, contains_eager, joinedload

from nominee import countries
from nominee.accounts.models import User
from nominee.awards.models import Award, AwardStatus
from nominee.categories.models import Category
from nominee.contributions.models import Contribution
from nominee.cycles.models import Cycle, CycleStatus
from nominee.directory import rules
from nominee.directory.rules import Tab
from nominee.pagination import Page, paginate

PER_PAGE = 24
LATEST_SHOWN = 6


@dataclass(frozen=True)
class Filters:
    """The directory's filters; None: not filtered."""

    category_id: int | None = None
    country: str | None = None
    year: int | None = None  # the year the award's term starts
    cycle_id: int | None = None
    name: str | None = None  # a part of the display name, any case

    def __bool__(self) -> bool:
        return any(value is not None for value in vars(self).values())


@dataclass(frozen=True)
class Choices:
    """What the filters offer: every category, the published cycles (latest first) and
    their award years, the countries of the tab's listed awardees (by name)."""

    categories: Sequence[tuple[int, str]]
    cycles: Sequence[tuple[int, str]]
    years: Sequence[int]
    countries: Sequence[tuple[str, str]]


def _tab_condition(tab: Tab, today: date) -> ColumnElement[bool]:
    if tab is Tab.CURRENT:
        return rules.current(today)
    # Alumni: past awards of members who hold no current award (those are listed as
    # awardees now). Published cycles only, or a decision would show before publishing.
    held, held_cycle = _held()
    holds_one = (
        select(held.id)
        .join(held_cycle, held_cycle.id == held.cycle_id)
        .where(
            held.member_id == Award.member_id,
            held.status == AwardStatus.ACTIVE,
            held.ends_on >= today,
            held_cycle.status == CycleStatus.PUBLISHED,
        )
        .exists()
    )
    return rules.past(today) & ~holds_one


@cache
def _held() -> tuple[type[Award], type[Cycle]]:
    """The aliases the alumni's condition reads the awards still held through, made once:
    made per request, SQLAlchemy adapted each of their columns again (more time than the
    queries took)."""
    return aliased(Award), aliased(Cycle)


def _listed(tab: Tab, today: date) -> Select[Award]:
    return (
        select(Award)
        .join(Award.member)
        .join(Award.cycle)
        .where(rules.published(), rules.listed_member(), _tab_condition(tab, today))
    )


def _filtered(stmt: Select[Award], filters: Filters) -> Select[Award]:
    if filters.category_id is not None:
        stmt = stmt.where(Award.category_id == filters.category_id)
    if filters.country is not None:
        stmt = stmt.where(User.country == filters.country)
    if filters.year is not None:
        stmt = stmt.where(
            Award.starts_on >= date(filters.year, 1, 1),
            Award.starts_on <= date(filters.year, 12, 31),
        )
    if filters.cycle_id is not None:
        stmt = stmt.where(Award.cycle_id == filters.cycle_id)
    if filters.name:
        stmt = stmt.where(User.display_name.icontains(filters.name, autoescape=True))
    return stmt


def awardees(
    session: Session, tab: Tab, filters: Filters, today: date, page: int, per_page: int = PER_PAGE
) -> Page:
    """One page of the tab's awards (with member, category and cycle) by member name."""
    stmt = (
        _filtered(_listed(tab, today), filters)
        .options(
            contains_eager(Award.member),
            contains_eager(Award.cycle),
            joinedload(Award.category),
        )
        .order_by(User.display_name, User.id, Award.starts_on.desc(), Award.id)
    )
    return paginate(session, stmt, page, per_page)


def choices(session: Session, tab: Tab, today: date) -> Choices:
    categories = session.execute(select(Category.id, Category.name).order_by(Category.name))
    cycles = session.scalars(
        select(Cycle)
        .where(rules.published())
        .order_by(Cycle.review_close_on.desc(), Cycle.id.desc())
    ).all()
    codes = session.scalars(
        _listed(tab, today).with_only_columns(User.country).where(User.country != "").distinct()
    ).all()
    return Choices(
        categories=[(row.id, row.name) for row in categories],
        cycles=[(cycle.id, cycle.name) for cycle in cycles],
        years=sorted({cycle.award_starts_on.year for cycle in cycles}, reverse=True),
        countries=sorted(
            ((code, countries.country_name(code)) for code in codes),
            key=lambda pair: countries.sort_key(pair[1]),
        ),
    )


# The logged-out home page


@dataclass(frozen=True)
class Figures:
    """The programme at a glance."""

    awardees: int  # members holding a current award (public profile or not)
    members: int  # active accounts
    contributions: int  # logged, public or private
    cycles: int  # published


def figures(session: Session, today: date) -> Figures:
    """The four figures in one statement."""
    awardees = (
        select(func.count(distinct(Award.member_id)))
        .join(Award.cycle)
        .where(rules.published(), rules.current(today))
        .scalar_subquery()
    )
    members = select(func.count(User.id)).where(User.is_active_account.is_(True)).scalar_subquery()
    contributions = select(func.count(Contribution.id)).scalar_subquery()
    cycles = select(func.count(Cycle.id)).where(rules.published()).scalar_subquery()
    row = session.execute(select(awardees, members, contributions, cycles)).one()
    return Figures(*(int(value or 0) for value in row))


def latest_awardees(session: Session, today: date, limit: int = LATEST_SHOWN) -> Sequence[Award]:
    """The newest current awards of members with a public profile, newest first."""
    return session.scalars(
        _listed(Tab.CURRENT, today)
        .options(
            contains_eager(Award.member),
            contains_eager(Award.cycle),
            joinedload(Award.category),
        )
        .order_by(Award.id.desc())
        .limit(limit)
    ).all()
