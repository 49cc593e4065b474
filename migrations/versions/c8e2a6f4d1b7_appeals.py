"""appeals: a declined nominee appeals once, within the cycle's appeal period

Revision ID: c8e2a6f4d1b7
Revises: b3d9f0a4c6e1
Create Date: 2026-11-30 12:30:00.000000

``cycles.appeal_days`` is the period (existing cycles get the default, 14 days);
``appeals`` holds one appeal per nomination and its answer.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import nominee.db

revision: str = "c8e2a6f4d1b7"
down_revision: str | None = "b3d9f0a4c6e1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cycles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("appeal_days", sa.Integer(), server_default=sa.text("14"), nullable=False)
        )
    op.create_table(
        "appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("appellant_id", sa.Integer(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "upheld",
                "dismissed",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", nominee.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", nominee.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status = 'open' OR (decided_at IS NOT NULL AND response != '')",
            name=op.f("ck_appeals_answered_has_response"),
        ),
        sa.ForeignKeyConstraint(
            ["appellant_id"],
            ["users.id"],
            name=op.f("fk_appeals_appellant_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_appeals_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["nomination_id"],
            ["nominations.id"],
            name=op.f("fk_appeals_nomination_id_nominations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
        sa.UniqueConstraint("nomination_id", name=op.f("uq_appeals_nomination_id")),
    )
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeals_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeals_status"))
    op.drop_table("appeals")
    with op.batch_alter_table("cycles", schema=None) as batch_op:
        batch_op.drop_column("appeal_days")
