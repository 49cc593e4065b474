"""contribution imports: staged CSV files, feeds and drafts

Revision ID: b4e8c2d6f913
Revises: c4e8b2d6f1a3
Create Date: 2026-11-30 14:37:46.510488

``import_batches`` and ``import_rows`` stage a CSV file between its preview and its
import (deleted on import, cancel, or after a day); ``feeds`` are the members' feeds
with their ETag and Last-Modified; ``contribution_drafts`` the feeds' items waiting for
their owner (kept once decided, so an item is never imported twice).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import nominee.db

revision: str = "b4e8c2d6f913"
down_revision: str | None = "c4e8b2d6f1a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("primary_category_id", sa.Integer(), nullable=False),
        sa.Column("etag", sa.String(length=500), nullable=True),
        sa.Column("last_modified", sa.String(length=100), nullable=True),
        sa.Column("polled_at", nominee.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", nominee.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_feeds_owner_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["primary_category_id"],
            ["categories.id"],
            name=op.f("fk_feeds_primary_category_id_categories"),
        ),
        sa.ForeignKeyConstraint(
            ["type_id"], ["contribution_types.id"], name=op.f("fk_feeds_type_id_contribution_types")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feeds")),
        sa.UniqueConstraint("owner_id", "url", name="uq_feeds_owner_url"),
    )
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feeds_polled_at"), ["polled_at"], unique=False)

    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uploader_id", sa.Integer(), nullable=False),
        sa.Column("for_members", sa.Boolean(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("valid_rows", sa.Integer(), nullable=False),
        sa.Column("file_error", sa.String(length=500), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "staged",
                "importing",
                "imported",
                "failed",
                name="batchstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("failure", sa.String(length=500), nullable=True),
        sa.Column("created_at", nominee.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["uploader_id"],
            ["users.id"],
            name=op.f("fk_import_batches_uploader_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batches")),
    )
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_import_batches_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_import_batches_uploader_id"), ["uploader_id"], unique=False
        )

    op.create_table(
        "contribution_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("feed_id", sa.Integer(), nullable=True),
        sa.Column("item_key", sa.String(length=64), nullable=False),
        sa.Column("link_key", sa.String(length=64), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("contributed_on", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("primary_category_id", sa.Integer(), nullable=False),
        sa.Column(
            "visibility",
            sa.Enum("public", "private", name="visibility", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "confirmed",
                "discarded",
                name="draftstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("contribution_id", sa.Integer(), nullable=True),
        sa.Column("created_at", nominee.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", nominee.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contributions.id"],
            name=op.f("fk_contribution_drafts_contribution_id_contributions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["feed_id"],
            ["feeds.id"],
            name=op.f("fk_contribution_drafts_feed_id_feeds"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_contribution_drafts_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["primary_category_id"],
            ["categories.id"],
            name=op.f("fk_contribution_drafts_primary_category_id_categories"),
        ),
        sa.ForeignKeyConstraint(
            ["type_id"],
            ["contribution_types.id"],
            name=op.f("fk_contribution_drafts_type_id_contribution_types"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contribution_drafts")),
        sa.UniqueConstraint("owner_id", "item_key", name="uq_contribution_drafts_item"),
        sa.UniqueConstraint("owner_id", "link_key", name="uq_contribution_drafts_link"),
    )
    with op.batch_alter_table("contribution_drafts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contribution_drafts_feed_id"), ["feed_id"], unique=False
        )
        batch_op.create_index(
            "ix_contribution_drafts_owner_status",
            ["owner_id", "status", "contributed_on"],
            unique=False,
        )

    op.create_table(
        "import_rows",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batches.id"],
            name=op.f("fk_import_rows_batch_id_import_batches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_import_rows_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("batch_id", "line", name=op.f("pk_import_rows")),
    )
    with op.batch_alter_table("import_rows", schema=None) as batch_op:
        batch_op.create_index(
            "ix_import_rows_batch_valid", ["batch_id", "valid", "line"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("import_rows", schema=None) as batch_op:
        batch_op.drop_index("ix_import_rows_batch_valid")

    op.drop_table("import_rows")
    with op.batch_alter_table("contribution_drafts", schema=None) as batch_op:
        batch_op.drop_index("ix_contribution_drafts_owner_status")
        batch_op.drop_index(batch_op.f("ix_contribution_drafts_feed_id"))

    op.drop_table("contribution_drafts")
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_batches_uploader_id"))
        batch_op.drop_index(batch_op.f("ix_import_batches_created_at"))

    op.drop_table("import_batches")
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feeds_polled_at"))

    op.drop_table("feeds")
