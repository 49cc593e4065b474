from __future__ import annotations

import re

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nominee import activity, audit, sharedcache
from nominee.accounts.models import User
from nominee.categories.models import Category
from nominee.contributions.models import Contribution, contribution_categories
from nominee.errors import DomainError
from nominee.i18n import _


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "item"


def _check_unique_name(session: Session, name: str, exclude_id: int | None = None) -> None:
    stmt = select(Category.id).where(func.lower(Category.name) == name.lower())
    if exclude_id is not None:
        stmt = stmt.where(Category.id != exclude_id)
    if session.scalar(stmt) is not None:
        raise DomainError(_("A category with this name exists already."), field="name")


SLUG_MAX = 80


def _free_slug(session: Session, name: str, exclude_id: int | None = None) -> str:
    """The name's slug, numbered when another category has it already: "C#" and "C++"
    are different names with the same slug."""
    base = slugify(name)[: SLUG_MAX - 4]
    slug, number = base, 1
    while True:
        stmt = select(Category.id).where(Category.slug == slug)
        if exclude_id is not None:
            stmt = stmt.where(Category.id != exclude_id)
        if session.scalar(stmt) is None:
            return slug
        number += 1
        slug = f"{base}-{number}"


def _flush(session: Session) -> None:
    """Flush; a category saved at the same moment under the same name is a clean refusal."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise DomainError(_("A category with this name exists already."), field="name") from None


def create_category(session: Session, actor: User, *, name: str, description: str) -> Category:
    name = name.strip()
    _check_unique_name(session, name)
    category = Category(name=name, slug=_free_slug(session, name), description=description.strip())
    session.add(category)
    _flush(session)
    audit.record(session, actor, "category.created", category, after={"name": name})
    # The programme's set-up state counts the active categories (the home page's notice).
    sharedcache.stale_after_commit(session, sharedcache.PROGRAMME)
    return category


def _lists_renamed(session: Session, category_id: int) -> None:
    """The kept lists of contributions (``contributions.queries.member_listing``) of
    every member with a contribution in the category name it as it was: they are read
    again."""
    activity.changed(
        session,
        select(Contribution.owner_id)
        .where(
            or_(
                Contribution.primary_category_id == category_id,
                Contribution.id.in_(
                    select(contribution_categories.c.contribution_id).where(
                        contribution_categories.c.category_id == category_id
                    )
                ),
            )
        )
        .distinct(),
    )


def update_category(
    session: Session, actor: User, category: Category, *, name: str, description: str, retired: bool
) -> Category:
    name = name.strip()
    _check_unique_name(session, name, exclude_id=category.id)
    before = {"name": category.name, "retired": category.retired}
    slug = _free_slug(session, name, exclude_id=category.id)
    category.name = name
    category.slug = slug
    category.description = description.strip()
    category.retired = retired
    _flush(session)
    if name != before["name"]:
        _lists_renamed(session, category.id)
    audit.record(
        session,
        actor,
        "category.updated",
        category,
        before=before,
        after={"name": name, "retired": retired},
    )
    sharedcache.stale_after_commit(session, sharedcache.PROGRAMME)
    return category
