"""Open Badges credentials: the issuer's signing keys and each award's status index.

Revision ID: c4e8b2a61f93
Revises: d2f7a1c9e604
Create Date: 2026-11-30
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import nominee.db
from nominee.credentials import proofs

revision: str = "c4e8b2a61f93"
down_revision: str | None = "d2f7a1c9e604"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "issuer_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_key_multibase", sa.String(100), nullable=False),
        sa.Column("secret_key_multibase", sa.String(100), nullable=False),
        sa.Column("created_at", nominee.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retired_at", nominee.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_issuer_keys"),
        sa.UniqueConstraint("public_key_multibase", name="uq_issuer_keys_public_key_multibase"),
    )
    with op.batch_alter_table("awards") as batch:
        batch.add_column(sa.Column("status_index", sa.Integer(), nullable=True))
        batch.create_unique_constraint("uq_awards_status_index", ["status_index"])
    # The awards granted before: their id, as new ones get it.
    op.execute("UPDATE awards SET status_index = id")
    # The issuer's signing key, made with the schema: the first requests that show a
    # credential (public GETs, several hosts at once) then never have to write one.
    public, secret = proofs.new_key()
    keys = sa.table(
        "issuer_keys",
        sa.column("public_key_multibase", sa.String),
        sa.column("secret_key_multibase", sa.String),
        sa.column("created_at", nominee.db.UTCDateTime(timezone=True)),
    )
    op.bulk_insert(
        keys,
        [
            {
                "public_key_multibase": public,
                "secret_key_multibase": secret,
                "created_at": datetime.now(UTC),
            }
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("awards") as batch:
        batch.drop_constraint("uq_awards_status_index", type_="unique")
        batch.drop_column("status_index")
    op.drop_table("issuer_keys")
