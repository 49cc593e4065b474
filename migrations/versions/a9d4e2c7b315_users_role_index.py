"""Index users.role: the staff (organizers and reviewers) are read for pick-lists.

Revision ID: a9d4e2c7b315
Revises: f3b1c9d2a7e4
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision: str = "a9d4e2c7b315"
down_revision: str | None = "f3b1c9d2a7e4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_users_role"), "users", ["role"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_users_role"), table_name="users")
