"""Imports of contributions: CSV files staged between preview and import, feeds polled
for new items, and the drafts those items become until their owner decides.

Drafts live in a table of their own, never in ``contributions``: every list, count,
search, meter and nomination reads contributions, so a draft can never show up in any of
them.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nominee import clock
from nominee.accounts.models import User
from nominee.categories.models import Category
from nominee.contributions.models import Contribution, ContributionType, Visibility
from nominee.db import Base


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class BatchStatus(enum.StrEnum):
    STAGED = "staged"  # checked, waiting for its uploader
    IMPORTING = "importing"  # a large file, being imported by a job
    IMPORTED = "imported"  # its rows are gone; the counts stay for the page
    FAILED = "failed"  # a row was refused at import: nothing was logged


class ImportBatch(Base):
    """A CSV file read and checked, waiting for its uploader to import or cancel it.

    Its rows (``ImportRow``) are in the database, not in files, so any app host serves
    the preview and the import. Importing or cancelling deletes the batch with its rows;
    the scheduler deletes those left over after ``IMPORT_KEEP`` (``services``). A file of
    more than ``rules.INLINE_ROWS`` valid rows is imported by a job (``status``), whose
    outcome stays here for the preview page until the batch expires.
    ``for_members``: an organizer's file, whose rows name their member by email.
    """

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    uploader_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    for_members: Mapped[bool] = mapped_column(default=False)
    filename: Mapped[str] = mapped_column(String(200), default="")
    total_rows: Mapped[int] = mapped_column(default=0)
    valid_rows: Mapped[int] = mapped_column(default=0)
    # A problem with the whole file (not UTF-8, no header...): nothing can be imported.
    file_error: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[BatchStatus] = mapped_column(_enum(BatchStatus), default=BatchStatus.STAGED)
    imported: Mapped[int] = mapped_column(default=0)
    members: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    # Why the import failed (a row refused at import time).
    failure: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)

    uploader: Mapped[User] = relationship()

    @property
    def error_rows(self) -> int:
        return self.total_rows - self.valid_rows


class ImportRow(Base):
    """One line of a staged file: what it says (``data``, ready for the contribution
    services) or why it cannot be imported (``errors``, in plain words)."""

    __tablename__ = "import_rows"
    __table_args__ = (Index("ix_import_rows_batch_valid", "batch_id", "valid", "line"),)

    batch_id: Mapped[int] = mapped_column(
        ForeignKey("import_batches.id", ondelete="CASCADE"), primary_key=True
    )
    line: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200), default="")
    valid: Mapped[bool] = mapped_column(default=False)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    errors: Mapped[list[str]] = mapped_column(JSON, default=list)


class Feed(Base):
    """A member's blog, channel or podcast feed, polled for new items (``services``).

    ``etag`` and ``last_modified`` are the feed server's validators from the last answer,
    sent back on the next poll (a conditional GET: 304 when nothing changed).
    """

    __tablename__ = "feeds"
    __table_args__ = (UniqueConstraint("owner_id", "url", name="uq_feeds_owner_url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(String(200), default="")
    type_id: Mapped[int] = mapped_column(ForeignKey("contribution_types.id"))
    primary_category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    polled_at: Mapped[datetime | None] = mapped_column(index=True)
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    owner: Mapped[User] = relationship()
    type: Mapped[ContributionType] = relationship()
    primary_category: Mapped[Category] = relationship()


class DraftStatus(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    DISCARDED = "discarded"


class ContributionDraft(Base):
    """An item of a feed, waiting for its owner to confirm (it becomes a contribution),
    edit or discard it. Confirmed and discarded drafts stay, so the item is never
    imported again: ``item_key`` and ``link_key`` (SHA-256 of the item's id and of its
    link) are unique per owner."""

    __tablename__ = "contribution_drafts"
    __table_args__ = (
        UniqueConstraint("owner_id", "item_key", name="uq_contribution_drafts_item"),
        UniqueConstraint("owner_id", "link_key", name="uq_contribution_drafts_link"),
        Index("ix_contribution_drafts_owner_status", "owner_id", "status", "contributed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    feed_id: Mapped[int | None] = mapped_column(
        ForeignKey("feeds.id", ondelete="SET NULL"), index=True
    )
    item_key: Mapped[str] = mapped_column(String(64))
    link_key: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(2000))
    contributed_on: Mapped[date]
    summary: Mapped[str] = mapped_column(Text, default="")
    type_id: Mapped[int] = mapped_column(ForeignKey("contribution_types.id"))
    primary_category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    visibility: Mapped[Visibility] = mapped_column(_enum(Visibility), default=Visibility.PUBLIC)
    status: Mapped[DraftStatus] = mapped_column(_enum(DraftStatus), default=DraftStatus.PENDING)
    contribution_id: Mapped[int | None] = mapped_column(
        ForeignKey("contributions.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    decided_at: Mapped[datetime | None]

    feed: Mapped[Feed | None] = relationship()
    type: Mapped[ContributionType] = relationship()
    primary_category: Mapped[Category] = relationship()
    contribution: Mapped[Contribution | None] = relationship()
