"""What the import pages read: a staged file's rows a page at a time, a member's feeds,
their pending drafts, and the types and categories a file may name."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from nominee.accounts.models import User
from nominee.categories.models import Category
from nominee.contributions.models import ContributionType
from nominee.imports import rules
from nominee.imports.models import ContributionDraft, DraftStatus, Feed, ImportBatch, ImportRow
from nominee.pagination import Page, paginate


def batch_rows(
    session: Session, batch: ImportBatch, *, valid: bool, page: int, per_page: int
) -> Page:
    """A page of the file's rows that will be imported (``valid``) or that will not."""
    stmt = (
        select(ImportRow)
        .where(ImportRow.batch_id == batch.id, ImportRow.valid.is_(valid))
        .order_by(ImportRow.line)
    )
    total = batch.valid_rows if valid else batch.error_rows
    return paginate(session, stmt, page, per_page, total=total)


def owners_of(session: Session, rows: Page) -> dict[int, User]:
    """The members the rows of an organizer's file name."""
    ids = {row.owner_id for row in rows.items if row.owner_id is not None}
    if not ids:
        return {}
    return {user.id: user for user in session.scalars(select(User).where(User.id.in_(ids)))}


@dataclass(frozen=True)
class FileColumns:
    """What a file may name: the active types with their roles and reach metrics, the
    active categories, and the metric columns of the template."""

    types: list[ContributionType]
    categories: list[Category]
    metric_columns: list[str]


def file_columns(session: Session) -> FileColumns:
    types = list(
        session.scalars(
            select(ContributionType)
            .where(ContributionType.retired.is_(False))
            .options(selectinload(ContributionType.metrics))
            .order_by(ContributionType.position, ContributionType.name)
        )
    )
    categories = list(
        session.scalars(select(Category).where(Category.retired.is_(False)).order_by(Category.name))
    )
    columns: dict[str, str] = {}
    for contribution_type in types:
        for metric in contribution_type.active_metrics:
            columns.setdefault(rules.column_key(metric.name), metric.name)
    return FileColumns(types, categories, list(columns.values()))


def feeds_of(session: Session, owner: User) -> list[Feed]:
    return list(
        session.scalars(
            select(Feed)
            .where(Feed.owner_id == owner.id)
            .options(joinedload(Feed.type), joinedload(Feed.primary_category))
            .order_by(Feed.created_at, Feed.id)
        )
    )


def pending_drafts(session: Session, owner: User, page: int, per_page: int) -> Page:
    """The owner's drafts waiting for a decision, newest item first."""
    stmt = (
        select(ContributionDraft)
        .where(
            ContributionDraft.owner_id == owner.id,
            ContributionDraft.status == DraftStatus.PENDING,
        )
        .options(
            joinedload(ContributionDraft.type).selectinload(ContributionType.metrics),
            joinedload(ContributionDraft.primary_category),
            joinedload(ContributionDraft.feed),
        )
        .order_by(ContributionDraft.contributed_on.desc(), ContributionDraft.id.desc())
    )
    return paginate(session, stmt, page, per_page)


def own_draft(session: Session, owner: User, draft_id: int) -> ContributionDraft | None:
    draft = session.get(ContributionDraft, draft_id)
    if draft is None or draft.owner_id != owner.id:
        return None
    return draft
