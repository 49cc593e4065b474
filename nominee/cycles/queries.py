"""What the cycle pages read: the cycles a user may see, the categories a cycle may take."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from nominee.accounts.models import User
from nominee.categories.models import Category
from nominee.cycles import rules
from nominee.cycles.models import Cycle
from nominee.pagination import Page, paginate


def visible_cycles(
    session: Session, viewer: User, page: int, per_page: int, *, with_categories: bool = False
) -> Page:
    """The cycles ``viewer`` may see, latest opening first (with their categories loaded
    in one more query when asked)."""
    stmt = (
        select(Cycle)
        .where(Cycle.status.in_(rules.visible_statuses(viewer)))
        .order_by(Cycle.nominations_open_on.desc(), Cycle.id.desc())
    )
    if with_categories:
        stmt = stmt.options(selectinload(Cycle.categories))
    return paginate(session, stmt, page, per_page)


def categories_to_choose(session: Session, cycle: Cycle | None) -> list[Category]:
    """The categories a cycle's scope may hold, by name: the active ones, and the retired
    ones already in ``cycle``'s scope (None: a new cycle)."""
    in_scope = {c.id for c in cycle.categories} if cycle else set()
    rows = session.scalars(select(Category).order_by(Category.name))
    return [c for c in rows if not c.retired or c.id in in_scope]
