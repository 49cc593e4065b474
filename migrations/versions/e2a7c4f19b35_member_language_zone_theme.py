"""Members' language, time zone and colour theme ("" follows the browser)

Revision ID: e2a7c4f19b35
Revises: b8e4f1a2c7d3
Create Date: 2026-11-30 17:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e2a7c4f19b35"
down_revision: str | None = "b8e4f1a2c7d3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("language", sa.String(length=8), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("time_zone", sa.String(length=64), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("theme", sa.String(length=8), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("theme")
        batch.drop_column("time_zone")
        batch.drop_column("language")
