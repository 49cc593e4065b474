"""The programme's settings: name and time zone set by organizers, first-run set-up

Revision ID: c4d8e2f1a9b7
Revises: e2a7c4f19b35
Create Date: 2026-11-30 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import nominee.db

revision: str = "c4d8e2f1a9b7"
down_revision: str | None = "e2a7c4f19b35"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "programme_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("set_up_at", nominee.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", nominee.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_settings")),
    )


def downgrade() -> None:
    op.drop_table("programme_settings")
