"""The category lists the pages show."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from nominee.categories.models import Category


def for_organizers(session: Session) -> list[Category]:
    """Every category, the active ones first, by name."""
    return list(session.scalars(select(Category).order_by(Category.retired, Category.name)))


def by_name(session: Session) -> list[Category]:
    """Every category, retired ones too, by name (filters over past records)."""
    return list(session.scalars(select(Category).order_by(Category.name)))


def active_choices(session: Session) -> list[tuple[int, str]]:
    """(id, name) of the categories a member may still choose, by name."""
    rows = session.execute(
        select(Category.id, Category.name)
        .where(Category.retired.is_(False))
        .order_by(Category.name)
    )
    return [(row.id, row.name) for row in rows]
