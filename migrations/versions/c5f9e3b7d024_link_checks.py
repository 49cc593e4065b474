"""link checks: the latest check of each evidence link (answer, failing and broken since)

Revision ID: c5f9e3b7d024
Revises: b4e8d2a6c913
Create Date: 2026-11-30 14:47:06.540385
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import nominee.db

revision: str = "c5f9e3b7d024"
down_revision: str | None = "b4e8d2a6c913"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "link_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url_hash", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("checked_at", nominee.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("final_url", sa.String(length=2000), nullable=True),
        sa.Column("ok_at", nominee.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("failing_since", nominee.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("broken_since", nominee.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("notified_at", nominee.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_checks")),
        sa.UniqueConstraint("url_hash", name=op.f("uq_link_checks_url_hash")),
    )
    with op.batch_alter_table("link_checks", schema=None) as batch_op:
        batch_op.create_index("ix_link_checks_broken_since", ["broken_since"], unique=False)
        batch_op.create_index("ix_link_checks_checked_at", ["checked_at"], unique=False)
        batch_op.create_index("ix_link_checks_url", ["url"], unique=False, postgresql_using="hash")


def downgrade() -> None:
    with op.batch_alter_table("link_checks", schema=None) as batch_op:
        batch_op.drop_index("ix_link_checks_url")
        batch_op.drop_index("ix_link_checks_checked_at")
        batch_op.drop_index("ix_link_checks_broken_since")

    op.drop_table("link_checks")
