"""conflict clearances: an organizer clears a detected conflict of one reviewer on one nomination

Revision ID: b3d9f0a4c6e1
Revises: f1a2b3c4d5e6
Create Date: 2026-11-30 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import nominee.db

revision: str = "b3d9f0a4c6e1"
down_revision: str | None = "f1a2b3c4d5e6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conflict_clearances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("cleared_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", nominee.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cleared_by_id"],
            ["users.id"],
            name=op.f("fk_conflict_clearances_cleared_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["nomination_id"],
            ["nominations.id"],
            name=op.f("fk_conflict_clearances_nomination_id_nominations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["users.id"],
            name=op.f("fk_conflict_clearances_reviewer_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflict_clearances")),
        sa.UniqueConstraint(
            "nomination_id",
            "reviewer_id",
            name=op.f("uq_conflict_clearances_nomination_id_reviewer_id"),
        ),
    )
    with op.batch_alter_table("conflict_clearances", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conflict_clearances_reviewer_id"), ["reviewer_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("conflict_clearances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conflict_clearances_reviewer_id"))
    op.drop_table("conflict_clearances")
