"""Indexes for the public awardee directory's filters: awards by category over their
term's end, and by the start of their term (the award year).

Revision ID: c4e8b2d6f1a3
Revises: c4e8b2a61f93
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision: str = "c4e8b2d6f1a3"
down_revision: str | None = "c4e8b2a61f93"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_awards_category_ends", "awards", ["category_id", "ends_on"])
    op.create_index("ix_awards_starts_on", "awards", ["starts_on"])


def downgrade() -> None:
    op.drop_index("ix_awards_starts_on", table_name="awards")
    op.drop_index("ix_awards_category_ends", table_name="awards")
