"""outbox failures: failed_at and recipients; a partial index for the due query

Revision ID: e7a3c5d9f214
Revises: d4b8f2a6c913
Create Date: 2026-12-10 09:00:00.000000

The sender gives a message up (``failed_at``) after its last attempt or a permanent
refusal, and keeps the addresses it was for (``recipients``) for the organizers' page.
The due query reads only messages neither sent nor given up: a partial index holds just
those, so it stays small however many were sent.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import nominee.db

revision: str = "e7a3c5d9f214"
down_revision: str | None = "d4b8f2a6c913"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = "dispatched_at IS NULL AND failed_at IS NULL"
FAILED = "failed_at IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failed_at", nominee.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("recipients", sa.String(length=500), nullable=True))
        batch_op.drop_index("ix_outbox_due")
        batch_op.create_index(
            "ix_outbox_pending",
            ["available_at"],
            unique=False,
            postgresql_where=sa.text(PENDING),
            sqlite_where=sa.text(PENDING),
        )
        batch_op.create_index(
            "ix_outbox_failed",
            ["failed_at"],
            unique=False,
            postgresql_where=sa.text(FAILED),
            sqlite_where=sa.text(FAILED),
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_failed")
        batch_op.drop_index("ix_outbox_pending")
        batch_op.create_index("ix_outbox_due", ["dispatched_at", "available_at"], unique=False)
        batch_op.drop_column("recipients")
        batch_op.drop_column("failed_at")
