"""The contributions the pages show: a contribution with its endorsements, a member's
page, the owner's list with its totals, the choices of the forms, the types in use."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    BigInteger,
    BindParameter,
    Boolean,
    Column,
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

from nominee import i18n
from nominee.accounts.models import User, user_categories
from nominee.accounts.rules import sees_profile
from nominee.awards import queries as award_queries
from nominee.awards.models import Award
from nominee.categories.models import Category
from nominee.charts import (
    ActivityChart,
    activity_chart,
    activity_rows,
    chart_from_json,
    chart_to_json,
    months_back,
)
from nominee.contributions import rules
from nominee.contributions.models import (
    Contribution,
    ContributionFigure,
    ContributionType,
    ReachMetric,
    Visibility,
    contribution_categories,
)
from nominee.endorsements import queries as endorsements
from nominee.endorsements.models import Endorsement
from nominee.endorsements.rules import awaits_verification_to_endorse, can_endorse
from nominee.pagination import Keyset, Page, paginate
from nominee.sharedcache import SharedCache

# How long a member's figures are kept: their key changes with every change to them
# (``nominee.activity``), so this only bounds the memory that old versions take.
FIGURES_SECONDS = 600.0
# How long the types' counts are kept: a change drops them as it commits, so this only
# bounds how long a page that read them just before that commit can keep them stale.
TYPES_IN_USE = "types_in_use"  # its key in the shared cache
TYPES_IN_USE_SECONDS = 60.0

# Many-to-one joined into the page's query, the many-to-many in one more query.
LIST_OPTIONS = (
    joinedload(Contribution.type),
    joinedload(Contribution.primary_category),
    selectinload(Contribution.categories),
)


class Named(NamedTuple):
    name: str


class ListedType(NamedTuple):
    name: str
    quantity_label: str | None
    audience_label: str | None


class Listed(NamedTuple):
    """A contribution as a list of them shows it (``contribution_list``): plain columns,
    its type's labels and its categories' names, no objects."""

    id: int
    title: str
    role: str
    contributed_on: date
    quantity: int
    audience: int
    endorsement_count: int
    visibility: Visibility
    type: ListedType
    primary_category: Named
    categories: list[Named]

    @property
    def is_public(self) -> bool:
        return self.visibility is Visibility.PUBLIC


def listed_page(
    session: Session,
    conditions: Sequence[ColumnElement[bool]],
    order: Sequence[ColumnElement[Any]],
    page: int,
    per_page: int,
    total: int,
) -> Page:
    """The ``page`` of the contributions matching ``conditions`` in ``order``, as
    ``Listed`` rows: one query for the rows, one more for their further categories."""
    stmt = cast(
        "Select[Any]",
        select(
            Contribution.id,
            Contribution.title,
            Contribution.role,
            Contribution.contributed_on,
            Contribution.quantity,
            Contribution.audience,
            Contribution.endorsement_count,
            Contribution.visibility,
            ContributionType.name,
            ContributionType.quantity_label,
            ContributionType.audience_label,
            Category.name,
        )
        .join(ContributionType, ContributionType.id == Contribution.type_id)
        .join(Category, Category.id == Contribution.primary_category_id)
        .where(*conditions)
        .order_by(*order),
    )
    found = paginate(session, stmt, page, per_page, scalars=False, total=total)
    further: dict[int, list[Named]] = defaultdict(list)
    if found.items:
        for contribution_id, name in session.execute(
            select(cast(Column[int], contribution_categories.c.contribution_id), Category.name)
            .join(Category, Category.id == contribution_categories.c.category_id)
            .where(contribution_categories.c.contribution_id.in_([r[0] for r in found.items]))
            .order_by(
                contribution_categories.c.contribution_id, contribution_categories.c.category_id
            )
        ):
            further[contribution_id].append(Named(name))
    found.items = [
        Listed(
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            row[5],
            row[6],
            row[7],
            ListedType(row[8], row[9], row[10]),
            Named(row[11]),
            further.get(row[0], []),
        )
        for row in found.items
    ]
    return found


def visible_contribution(
    session: Session, viewer: User, contribution_id: int
) -> Contribution | None:
    """The contribution, or None when it does not exist or ``viewer`` may not see it."""
    contribution = session.get(
        Contribution, contribution_id, options=[joinedload(Contribution.owner)]
    )
    if contribution is None or not rules.can_view_contribution(viewer, contribution):
        return None
    return contribution


@dataclass(frozen=True)
class ContributionPage:
    """What the contribution page shows (its names are the template's)."""

    contribution: Contribution
    endorsements: Keyset
    my_endorsement: Endorsement | None
    can_endorse: bool
    must_verify: bool  # only an unconfirmed address keeps the viewer from endorsing
    can_edit: bool


def contribution_page(
    session: Session,
    viewer: User,
    contribution: Contribution,
    endorsers_after: str | None,
    per_page: int,
) -> ContributionPage:
    """The contribution page for ``viewer``: its active endorsements after the cursor
    ``endorsers_after``, the viewer's own endorsement and what the viewer may do."""
    return ContributionPage(
        contribution=contribution,
        endorsements=endorsements.active_endorsements(
            session, contribution, endorsers_after, per_page
        ),
        my_endorsement=endorsements.endorsement_of(session, viewer, contribution),
        can_endorse=can_endorse(viewer, contribution),
        must_verify=awaits_verification_to_endorse(viewer, contribution),
        can_edit=rules.can_edit_contribution(viewer, contribution),
    )


def all_types(session: Session) -> list[ContributionType]:
    """Every type, retired ones too, in their order (filters over past records)."""
    return list(
        session.scalars(
            select(ContributionType).order_by(ContributionType.position, ContributionType.name)
        )
    )


def choosable_types(session: Session, contribution: Contribution | None) -> list[ContributionType]:
    """Active types, plus the retired one the contribution already has."""
    kept = contribution.type_id if contribution is not None else None
    return list(
        session.scalars(
            select(ContributionType)
            .where(or_(ContributionType.retired.is_(False), ContributionType.id == kept))
            .options(selectinload(ContributionType.metrics))
            .order_by(ContributionType.position, ContributionType.name)
        )
    )


def choosable_categories(session: Session, contribution: Contribution | None) -> list[Category]:
    """Active categories, plus retired ones the contribution already carries."""
    kept: set[int] = set()
    if contribution is not None:
        kept = {contribution.primary_category_id, *(c.id for c in contribution.categories)}
    return list(
        session.scalars(
            select(Category)
            .where(or_(Category.retired.is_(False), Category.id.in_(kept)))
            .order_by(Category.name)
        )
    )


def types_in_use(session: Session, cache: SharedCache | None) -> list[tuple[ContributionType, int]]:
    """Every type with how many contributions have it, active ones first. The counts read
    every contribution, so they are kept in the shared cache (``TYPES_IN_USE_SECONDS``)
    under a version that a service adding, deleting or retyping a contribution drops
    when it commits: counts read before such a change are never read after it."""
    types = session.scalars(
        select(ContributionType)
        .options(selectinload(ContributionType.metrics))
        .order_by(ContributionType.retired, ContributionType.position, ContributionType.name)
    ).all()
    counts = (
        _type_counts(session)
        if cache is None
        else cache.remember_versioned(
            TYPES_IN_USE,
            TYPES_IN_USE_SECONDS,
            lambda: _type_counts(session),
            lambda counts: [[type_id, count] for type_id, count in counts.items()],
            lambda kept: {type_id: count for type_id, count in kept},
        )
    )
    return [(contribution_type, counts.get(contribution_type.id, 0)) for contribution_type in types]


def _type_counts(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(Contribution.type_id, func.count()).group_by(Contribution.type_id)
    ).all()
    return {type_id: count for type_id, count in rows}


def contribution_filters(
    *,
    owner_id: int | None = None,
    type_id: int | None = None,
    category_id: int | None = None,
    visibility: Visibility | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> list[ColumnElement[bool]]:
    """WHERE conditions shared by a list and its totals, so both count the same set."""
    conditions: list[ColumnElement[bool]] = []
    if owner_id is not None:
        conditions.append(Contribution.owner_id == owner_id)
    if type_id is not None:
        conditions.append(Contribution.type_id == type_id)
    if category_id is not None:
        conditions.append(
            or_(
                Contribution.primary_category_id == category_id,
                Contribution.categories.any(Category.id == category_id),
            )
        )
    if visibility is not None:
        conditions.append(Contribution.visibility == visibility)
    if date_from is not None:
        conditions.append(Contribution.contributed_on >= date_from)
    if date_to is not None:
        conditions.append(Contribution.contributed_on <= date_to)
    return conditions


@dataclass(frozen=True)
class MetricTotal:
    name: str
    unit: str
    total: int
    retired: bool


@dataclass(frozen=True)
class TypeTotals:
    """One type's row of a totals table: its contributions, their active endorsements and
    the sum of each reach metric recorded with them."""

    id: int
    name: str
    contributions: int
    endorsements: int
    figures: list[MetricTotal]


def reach_totals(session: Session, conditions: Sequence[ColumnElement[bool]]) -> list[TypeTotals]:
    """Count, active endorsements and the total of each reach metric, per type, for the
    contributions matching ``conditions``: one statement (a UNION ALL of the per-type and
    the per-metric sums)."""
    per_type = (
        select(
            literal(0).label("metric"),
            ContributionType.id,
            ContributionType.name,
            ContributionType.position,
            func.count(Contribution.id).label("contributions"),
            func.coalesce(func.sum(Contribution.endorsement_count), 0).label("total"),
            null().cast(String).label("metric_name"),
            null().cast(String).label("unit"),
            null().cast(Boolean).label("retired"),
            null().cast(Integer).label("metric_position"),
        )
        .join(Contribution.type)
        .where(*conditions)
        .group_by(ContributionType.id, ContributionType.name, ContributionType.position)
    )
    per_metric = (
        select(
            literal(1),
            ContributionType.id,
            ContributionType.name,
            ContributionType.position,
            null().cast(Integer),
            func.coalesce(func.sum(ContributionFigure.value), 0),
            ReachMetric.name,
            ReachMetric.unit,
            ReachMetric.retired,
            ReachMetric.position,
        )
        .select_from(Contribution)
        .join(ContributionType, ContributionType.id == Contribution.type_id)
        .join(ContributionFigure, ContributionFigure.contribution_id == Contribution.id)
        .join(ReachMetric, ReachMetric.id == ContributionFigure.metric_id)
        .where(*conditions)
        .group_by(
            ContributionType.id,
            ContributionType.name,
            ContributionType.position,
            ReachMetric.id,
            ReachMetric.name,
            ReachMetric.unit,
            ReachMetric.retired,
            ReachMetric.position,
        )
    )
    rows = session.execute(union_all(per_type, per_metric)).all()
    figures: dict[int, list[Any]] = {}
    for row in sorted(
        (r for r in rows if r.metric), key=lambda r: (r.retired, r.metric_position, r.metric_name)
    ):
        figures.setdefault(row.id, []).append(
            MetricTotal(row.metric_name, row.unit, int(row.total), bool(row.retired))
        )
    return [
        TypeTotals(row.id, row.name, row.contributions, int(row.total), figures.get(row.id, []))
        for row in sorted((r for r in rows if not r.metric), key=lambda r: (r.position, r.name))
    ]


def _totals_to_json(totals: Sequence[TypeTotals]) -> list[Any]:
    return [
        [
            t.id,
            t.name,
            t.contributions,
            t.endorsements,
            [[f.name, f.unit, f.total, f.retired] for f in t.figures],
        ]
        for t in totals
    ]


def _totals_from_json(kept: list[Any]) -> list[TypeTotals]:
    return [
        TypeTotals(id_, name, count, endorsed, [MetricTotal(*f) for f in figures])
        for id_, name, count, endorsed, figures in kept
    ]


def _member_filters(member: User, show_private: bool) -> list[ColumnElement[bool]]:
    # Built only when the shared cache has not kept what they select.
    return contribution_filters(
        owner_id=member.id, visibility=None if show_private else Visibility.PUBLIC
    )


def _scope(member: User, show_private: bool) -> str:
    # The version first read with the member's row: what is read after it is as new.
    return f"{member.id}:{member.activity_version}:{'all' if show_private else 'public'}"


def member_totals(
    session: Session, cache: SharedCache | None, member: User, show_private: bool
) -> list[TypeTotals]:
    """``reach_totals`` of the member's contributions (their public ones only unless
    ``show_private``): the same for every viewer, so kept in the shared cache under the
    member's ``activity_version``."""

    def count() -> list[TypeTotals]:
        return reach_totals(session, _member_filters(member, show_private))

    if cache is None:
        return count()
    return cache.remember(
        f"member-totals:{_scope(member, show_private)}",
        FIGURES_SECONDS,
        count,
        _totals_to_json,
        _totals_from_json,
    )


def member_activity(
    session: Session,
    cache: SharedCache | None,
    member: User,
    show_private: bool,
    start: date,
    end: date,
) -> ActivityChart:
    """The chart of the member's contributions per month and type from ``start`` to
    ``end``, kept in the shared cache as ``member_totals`` are, once per language (its
    months, its legend's "Other" and its bars' titles are in the reader's)."""

    def draw() -> ActivityChart:
        rows = member_activity_rows(session, cache, member, show_private, start, end)
        return activity_chart(start, end, rows)

    if cache is None:
        return draw()
    language = i18n.current().language
    return cache.remember(
        f"member-activity:{_scope(member, show_private)}:{start}:{end}:{language}",
        FIGURES_SECONDS,
        draw,
        chart_to_json,
        chart_from_json,
    )


def member_activity_rows(
    session: Session,
    cache: SharedCache | None,
    member: User,
    show_private: bool,
    start: date,
    end: date,
) -> list[tuple[int, str, int, int, int]]:
    """The figures of ``member_activity``'s chart (``activity_rows``), kept in the shared
    cache under the member's ``activity_version`` (the reviewer's page draws the chart
    itself, kept whole per process: ``templating.kept_fragment``)."""
    conditions = _member_filters(member, show_private)
    if cache is None:
        return activity_rows(session, start, end, *conditions)
    return cache.remember(
        f"member-activity-rows:{_scope(member, show_private)}:{start}:{end}",
        FIGURES_SECONDS,
        lambda: activity_rows(session, start, end, *conditions),
        list,
        lambda kept: [tuple(row) for row in kept],
    )


def member_listing(
    session: Session,
    cache: SharedCache | None,
    member: User,
    show_private: bool,
    page: int,
    per_page: int,
    total: int,
) -> Page:
    """Page ``page`` of the member's contributions (their public ones only unless
    ``show_private``), newest first, as ``listed_page`` reads it: the same for every
    viewer, so kept in the shared cache as ``member_totals`` are. Besides the member's own
    contributions, a page shows the names of their types and categories and the labels of
    their headline figures: the services renaming those draw the members' versions anew
    too. The key holds the page as shown (past the last: the last), so that no address
    keeps more than one of the member's real pages."""
    shown = min(max(1, page), max(1, -(-total // per_page)))

    def read() -> Page:
        conditions = _member_filters(member, show_private)
        order = (Contribution.contributed_on.desc(), Contribution.id.desc())
        return listed_page(session, conditions, order, shown, per_page, total)

    if cache is None:
        return read()
    return cache.remember(
        f"member-list:{_scope(member, show_private)}:{shown}:{per_page}",
        FIGURES_SECONDS,
        read,
        _listing_to_json,
        lambda kept: _listing_from_json(kept, shown, per_page, total),
    )


def _listing_to_json(found: Page) -> list[Any]:
    return [
        [
            c.id,
            c.title,
            c.role,
            c.contributed_on.isoformat(),
            c.quantity,
            c.audience,
            c.endorsement_count,
            c.visibility.value,
            list(c.type),
            c.primary_category.name,
            [category.name for category in c.categories],
        ]
        for c in found.items
    ]


def _listing_from_json(kept: list[Any], page: int, per_page: int, total: int) -> Page:
    items = [
        Listed(
            id_,
            title,
            role,
            date.fromisoformat(day),
            quantity,
            audience,
            endorsements,
            Visibility(visibility),
            ListedType(*type_),
            Named(category),
            [Named(name) for name in further],
        )
        for (
            id_,
            title,
            role,
            day,
            quantity,
            audience,
            endorsements,
            visibility,
            type_,
            category,
            further,
        ) in kept
    ]
    return Page(items=items, page=page, per_page=per_page, total=total)


@dataclass(frozen=True)
class OwnList:
    """A page of the owner's contributions and the totals per type of all that match."""

    page: Page
    totals: Sequence[TypeTotals]


def own_contributions(
    session: Session,
    owner: User,
    *,
    type_id: int | None = None,
    category_id: int | None = None,
    visibility: Visibility | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    oldest_first: bool = False,
    page: int,
    per_page: int,
    cache: SharedCache | None = None,
) -> OwnList:
    """A page of the owner's contributions matching the filters, and their totals (kept
    in ``cache`` when nothing filters them: the member page's own totals)."""
    conditions = contribution_filters(
        owner_id=owner.id,
        type_id=type_id,
        category_id=category_id,
        visibility=visibility,
        date_from=date_from,
        date_to=date_to,
    )
    if oldest_first:
        order = (Contribution.contributed_on.asc(), Contribution.id.asc())
    else:
        order = (Contribution.contributed_on.desc(), Contribution.id.desc())
    filtered = any(
        value is not None for value in (type_id, category_id, visibility, date_from, date_to)
    )
    totals = (
        reach_totals(session, conditions)
        if filtered
        else member_totals(session, cache, owner, show_private=True)
    )
    return OwnList(
        page=listed_page(
            session,
            conditions,
            order,
            page,
            per_page,
            total=sum(row.contributions for row in totals),
        ),
        totals=totals,
    )


@dataclass(frozen=True)
class MemberPage:
    """What a member's page shows (its names are the template's)."""

    member: User
    show_private: bool
    page: Page  # of the member's contributions the viewer may see, newest first
    totals: Sequence[TypeTotals]
    received: Keyset  # newest first, paged by keyset, with the total
    given: Keyset
    activity: ActivityChart
    activity_start: date
    activity_end: date
    awards: Sequence[Award]  # of published cycles, latest term first


# Flat outer joins: SQLite materialises the nested join a joinedload of a many-to-many
# writes, reading every member's categories (4 ms at 20,000 members). Built once, the
# member bound when it runs, as every member page asks it.
@cache
def _member_with_categories_select() -> Select[User]:
    """Built at first use, not at import (its loader options need every model mapped)."""
    return (
        select(User)
        .outerjoin(user_categories, user_categories.c.user_id == User.id)
        .outerjoin(Category, Category.id == user_categories.c.category_id)
        .where(User.id == bindparam("member_id"))
        .options(contains_eager(User.categories), joinedload(User.primary_category))
    )


def _member_with_categories(session: Session, member_id: int) -> User | None:
    found = session.scalars(_member_with_categories_select(), {"member_id": member_id})
    return found.unique().one_or_none()


@dataclass(frozen=True)
class PrivateProfile:
    """The page of a member whose profile is not public, for a visitor who is not
    logged in: their name only."""

    member: User


def member_page(
    session: Session,
    viewer: User,
    member_id: int,
    *,
    today: date,
    page: int,
    per_page: int,
    received_after: str | None = None,
    given_after: str | None = None,
    cache: SharedCache | None = None,
) -> MemberPage | PrivateProfile | None:
    """The member's page as ``viewer`` may see it (None: no such page for them): their
    contributions with totals per type, the endorsements they received and gave, and
    their activity over the twelve months up to ``today``; only their name when their
    profile is private and ``viewer`` is not logged in."""
    member = _member_with_categories(session, member_id)
    if member is None or not rules.can_view_member(viewer, member):
        return None
    if not sees_profile(viewer, member):
        return PrivateProfile(member)
    show_private = rules.can_see_private_contributions(viewer, member)
    totals = member_totals(session, cache, member, show_private)
    received = endorsements.received_list(
        session, member, viewer, sum(row.endorsements for row in totals), received_after
    )
    given = endorsements.given_list(session, member, viewer, given_after)
    activity_start = months_back(today)
    activity = member_activity(session, cache, member, show_private, activity_start, today)
    return MemberPage(
        member=member,
        show_private=show_private,
        page=member_listing(
            session,
            cache,
            member,
            show_private,
            page,
            per_page,
            total=sum(row.contributions for row in totals),
        ),
        totals=totals,
        received=received,
        given=given,
        activity=activity,
        activity_start=activity_start,
        activity_end=today,
        awards=award_queries.awards_for_member(session, member.id),
    )


class ContributionRow(NamedTuple):
    """A contribution as the API shows it: its columns with its owner's and type's names,
    its categories' ids and its figures, read as rows rather than entities."""

    id: int
    owner_id: int
    owner_name: str
    type_id: int
    type_name: str
    role: str
    title: str
    contributed_on: date
    url: str | None
    description_md: str
    primary_category_id: int
    category_ids: list[int]  # sorted
    figures: list[tuple[int, str, int]]  # metric id, metric name, value
    visibility: Visibility
    endorsement_count: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, contribution: Contribution) -> ContributionRow:
        return cls(
            id=contribution.id,
            owner_id=contribution.owner.id,
            owner_name=contribution.owner.display_name,
            type_id=contribution.type_id,
            type_name=contribution.type.name,
            role=contribution.role,
            title=contribution.title,
            contributed_on=contribution.contributed_on,
            url=contribution.url,
            description_md=contribution.description_md,
            primary_category_id=contribution.primary_category_id,
            category_ids=sorted(c.id for c in contribution.categories),
            figures=[(f.metric_id, f.metric.name, f.value) for f in contribution.figures],
            visibility=contribution.visibility,
            endorsement_count=contribution.endorsement_count,
            created_at=contribution.created_at,
            updated_at=contribution.updated_at,
        )


def _categories_and_figures() -> Select[Any]:
    # Kind 0: a category (its id); kind 1: a figure (metric id, name, value).
    ids: BindParameter[list[int]] = bindparam("ids", expanding=True)
    parts = union_all(
        select(
            literal(0).label("kind"),
            contribution_categories.c.contribution_id,
            contribution_categories.c.category_id.label("key"),
            null().cast(String).label("name"),
            null().cast(BigInteger).label("value"),
        ).where(contribution_categories.c.contribution_id.in_(ids)),
        select(
            literal(1),
            ContributionFigure.contribution_id,
            ContributionFigure.metric_id,
            ReachMetric.name,
            ContributionFigure.value,
        )
        .join(ReachMetric, ReachMetric.id == ContributionFigure.metric_id)
        .where(ContributionFigure.contribution_id.in_(ids)),
    ).subquery()
    return select(parts).order_by(parts.c.kind, parts.c.contribution_id, parts.c.key)


# The categories and figures of a page of contributions (their ``ids``, bound when it
# runs): built once, since building it, and its cache key, took longer than running it.
_CATEGORIES_AND_FIGURES = _categories_and_figures()


def contributions_after(
    session: Session,
    viewer: User,
    *,
    owner_id: int,
    type_id: int | None = None,
    category_id: int | None = None,
    visibility: Visibility | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    after: tuple[date, int] | None = None,
    limit: int,
) -> list[ContributionRow]:
    """A member's contributions that ``viewer`` may see, newest first, the ``limit`` that
    come after ``after`` (a date and id: the last of the previous page): a keyset page
    (no OFFSET, no count), the same filters as "My contributions". Two queries: the
    contributions, then their categories and figures together."""
    conditions = contribution_filters(
        owner_id=owner_id,
        type_id=type_id,
        category_id=category_id,
        visibility=visibility,
        date_from=date_from,
        date_to=date_to,
    )
    stmt = (
        select(
            Contribution.id,
            Contribution.owner_id,
            User.display_name,
            Contribution.type_id,
            ContributionType.name,
            Contribution.role,
            Contribution.title,
            Contribution.contributed_on,
            Contribution.url,
            Contribution.description_md,
            Contribution.primary_category_id,
            Contribution.visibility,
            Contribution.endorsement_count,
            Contribution.created_at,
            Contribution.updated_at,
        )
        .join(User, User.id == Contribution.owner_id)
        .join(ContributionType, ContributionType.id == Contribution.type_id)
        .where(*conditions, rules.visible_to(viewer))
    )
    if after is not None:
        day, last_id = after
        stmt = stmt.where(
            or_(
                Contribution.contributed_on < day,
                and_(Contribution.contributed_on == day, Contribution.id < last_id),
            )
        )
    rows = session.execute(
        stmt.order_by(Contribution.contributed_on.desc(), Contribution.id.desc()).limit(limit)
    ).all()
    categories: dict[int, list[int]] = defaultdict(list)
    figures: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    if rows:
        found = session.execute(_CATEGORIES_AND_FIGURES, {"ids": [row.id for row in rows]})
        for part in found:
            kind, contribution_id, key, name, value = cast("tuple[int, int, int, str, int]", part)
            if kind == 0:
                categories[contribution_id].append(key)
            else:
                figures[contribution_id].append((key, name, value))
    return [
        ContributionRow(
            id=row.id,
            owner_id=row.owner_id,
            owner_name=row.display_name,
            type_id=row.type_id,
            type_name=row.name,
            role=row.role,
            title=row.title,
            contributed_on=row.contributed_on,
            url=row.url,
            description_md=row.description_md,
            primary_category_id=row.primary_category_id,
            category_ids=categories[row.id],
            figures=figures[row.id],
            visibility=row.visibility,
            endorsement_count=row.endorsement_count,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )
        for row in rows
    ]
