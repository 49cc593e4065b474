"""mail preferences: a member's email mode per notification kind, and their last digest

Revision ID: e7c1a4d9b250
Revises: e7a3c5d9f214
Create Date: 2026-12-09 10:00:00.000000

A row only where a member chose another mode than the kind's default (defaults live in
``nominee.notifications.kinds``), so existing members need none.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import nominee.db

revision: str = "e7c1a4d9b250"
down_revision: str | None = "e7a3c5d9f214"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mail_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column(
            "mode",
            sa.Enum(
                "immediate",
                "digest",
                "off",
                name="mode",
                native_enum=False,
                create_constraint=True,
                length=10,
            ),
            nullable=False,
        ),
        sa.Column("updated_at", nominee.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_mail_preferences_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "kind", name=op.f("pk_mail_preferences")),
    )
    op.create_table(
        "mail_digests",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("last_digest_at", nominee.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_mail_digests_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_mail_digests")),
    )


def downgrade() -> None:
    op.drop_table("mail_digests")
    op.drop_table("mail_preferences")
