"""Members carry the version of their activity (``users.activity_version``)

A member's figures that are the same for every viewer (reach totals per type, the twelve
months of activity) are kept in the shared cache under a key that carries this version;
every service that changes the member's contributions, their figures or the endorsements
they received sets a new one in the same transaction, so a kept value is never read
after its data changed, on any host.

Revision ID: d9f3b7e1c5a2
Revises: c4e8a1f7d2b6
Create Date: 2026-11-30 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d9f3b7e1c5a2"
down_revision: str | None = "c4e8a1f7d2b6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("activity_version", sa.BigInteger(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("activity_version")
