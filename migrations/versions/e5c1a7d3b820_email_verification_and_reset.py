"""users: email_verified_at, reset_generation (email verification, password reset)

Revision ID: e5c1a7d3b820
Revises: e7c1a4d9b250
Create Date: 2026-12-10 09:00:00.000000

Accounts that exist before this migration count as verified from their creation: they
registered when no address was checked, and refusing them endorsements, nominations and
appointments until they dig up a link nobody sent them would lock the community out.
New accounts and changed addresses are verified by the link in their mail.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import nominee.db

revision: str = "e5c1a7d3b820"
down_revision: str | None = "e7c1a4d9b250"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("email_verified_at", nominee.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("reset_generation", sa.Integer(), server_default="0", nullable=False)
        )
    users = sa.table("users", sa.column("email_verified_at"), sa.column("created_at"))
    op.execute(users.update().values(email_verified_at=users.c.created_at))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("reset_generation")
        batch_op.drop_column("email_verified_at")
