"""Full-text search: FTS5 tables and triggers on SQLite, tsvector columns on PostgreSQL;
and Discover's index of contributions by type, newest first.

The statements are ``nominee.search.schema``'s (the same that follow ``create_all``);
they are outside the models, and ``migrations/env.py`` puts back SQLite's triggers after
any later migration whose batch mode rebuilds one of their tables.

Revision ID: b7e4c2a9d1f3
Revises: b4e8c2d6f913
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

from nominee.search import schema

revision: str = "b7e4c2a9d1f3"
down_revision: str | None = "b4e8c2d6f913"
branch_labels = None
depends_on = None


def upgrade() -> None:
    schema.install(op.get_bind())
    op.create_index("ix_contributions_type_recent", "contributions", ["type_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_contributions_type_recent", table_name="contributions")
    schema.uninstall(op.get_bind())
