"""Endorsements say whether everybody may see them (``endorsements.public``); figures
covered for the reach totals

The member page's lists and counts of endorsements read the endorser and endorsee
indexes alone: ``public`` (the contribution is public and its owner's account active) is
copied onto each endorsement and kept so by the services, and both indexes cover it. A
member's reach totals read the figures' values off an index.

Revision ID: c4e8a1f7d2b6
Revises: c4d8e2f1a9b7
Create Date: 2026-11-30 18:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4e8a1f7d2b6"
down_revision: str | None = "c4d8e2f1a9b7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = """
UPDATE endorsements SET public = EXISTS (
    SELECT 1 FROM contributions JOIN users ON users.id = contributions.owner_id
    WHERE contributions.id = endorsements.contribution_id
      AND contributions.visibility = 'public' AND users.active
)
"""


def upgrade() -> None:
    with op.batch_alter_table("endorsements") as batch:
        batch.add_column(
            sa.Column("public", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    op.execute(BACKFILL)
    op.drop_index("ix_endorsements_endorsee_created", table_name="endorsements")
    op.drop_index("ix_endorsements_endorser_created", table_name="endorsements")
    op.create_index(
        "ix_endorsements_endorsee_created",
        "endorsements",
        ["endorsee_id", "created_at", "endorser_id", "withdrawn_at", "public"],
    )
    op.create_index(
        "ix_endorsements_endorser_created",
        "endorsements",
        ["endorser_id", "created_at", "endorsee_id", "withdrawn_at", "public"],
    )
    op.create_index(
        "ix_contribution_figures_contribution_value",
        "contribution_figures",
        ["contribution_id", "metric_id", "value"],
    )


def downgrade() -> None:
    op.drop_index("ix_contribution_figures_contribution_value", table_name="contribution_figures")
    op.drop_index("ix_endorsements_endorser_created", table_name="endorsements")
    op.drop_index("ix_endorsements_endorsee_created", table_name="endorsements")
    op.create_index(
        "ix_endorsements_endorsee_created",
        "endorsements",
        ["endorsee_id", "created_at", "endorser_id", "withdrawn_at"],
    )
    op.create_index(
        "ix_endorsements_endorser_created",
        "endorsements",
        ["endorser_id", "created_at", "endorsee_id", "withdrawn_at"],
    )
    with op.batch_alter_table("endorsements") as batch:
        batch.drop_column("public")
