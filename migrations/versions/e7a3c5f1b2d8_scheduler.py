"""scheduler: the moments it ran, and cycles that move by themselves at their dates

Revision ID: e7a3c5f1b2d8
Revises: e5c1a7d3b820
Create Date: 2026-12-10 10:00:00.000000

``scheduled_runs`` keeps one row per due moment the scheduler ran (its unique key), in
the transaction of that work, so no moment runs twice. ``cycles.moves_automatically``
is the organizer's choice per cycle; existing cycles wait for an organizer, as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import nominee.db

revision: str = "e7a3c5f1b2d8"
down_revision: str | None = "e5c1a7d3b820"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scheduled_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("ran_at", nominee.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_runs")),
        sa.UniqueConstraint("key", name=op.f("uq_scheduled_runs_key")),
    )
    with op.batch_alter_table("cycles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "moves_automatically", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("cycles", schema=None) as batch_op:
        batch_op.drop_column("moves_automatically")
    op.drop_table("scheduled_runs")
