"""Members' country and public-profile switch, for the public awardee directory.

Revision ID: d2f7a1c9e604
Revises: a9d4e2c7b315
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "d2f7a1c9e604"
down_revision: str | None = "a9d4e2c7b315"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("country", sa.String(2), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("profile_public", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch.create_index("ix_users_country", ["country"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_index("ix_users_country")
        batch.drop_column("profile_public")
        batch.drop_column("country")
