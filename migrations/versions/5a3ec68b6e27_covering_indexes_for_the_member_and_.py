"""covering indexes for the member and contribution pages; the renewal foreign key on PostgreSQL

Revision ID: 5a3ec68b6e27
Revises: 6216c386240d
Create Date: 2026-11-27 02:17:19.330940

The member page's list, activity chart and reach totals, and its "received" and "given"
endorsements, read covering indexes; a contribution's endorsements are paged newest first.

The initial schema declared ``nominations.renewal_of_award_id -> awards.id`` inline with
``use_alter`` (the two tables reference each other): SQLite got it inside CREATE TABLE,
PostgreSQL never got it (an ALTER was due after ``awards``). It is added here where missing.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5a3ec68b6e27"
down_revision: str | None = "6216c386240d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RENEWAL_FK = "fk_nominations_renewal_of_award_id_awards"


def _has_renewal_fk() -> bool:
    foreign_keys = sa.inspect(op.get_bind()).get_foreign_keys("nominations")
    return any(fk["constrained_columns"] == ["renewal_of_award_id"] for fk in foreign_keys)


def _replace_index(batch_op, name: str, columns: list[str]) -> None:
    batch_op.drop_index(name)
    batch_op.create_index(name, columns, unique=False)


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_events_type_created", ["object_type", "created_at"], unique=False
        )

    with op.batch_alter_table("contributions", schema=None) as batch_op:
        _replace_index(
            batch_op,
            "ix_contributions_owner_date",
            ["owner_id", "contributed_on", "type_id", "visibility"],
        )
        _replace_index(
            batch_op,
            "ix_contributions_owner_type",
            ["owner_id", "type_id", "visibility", "quantity", "audience", "endorsement_count"],
        )

    with op.batch_alter_table("endorsements", schema=None) as batch_op:
        _replace_index(
            batch_op,
            "ix_endorsements_endorsee_created",
            ["endorsee_id", "created_at", "endorser_id", "withdrawn_at"],
        )
        _replace_index(
            batch_op,
            "ix_endorsements_endorser_created",
            ["endorser_id", "created_at", "endorsee_id", "withdrawn_at"],
        )
        batch_op.create_index(
            "ix_endorsements_contribution_created",
            ["contribution_id", "created_at"],
            unique=False,
        )

    if not _has_renewal_fk():
        with op.batch_alter_table("nominations", schema=None) as batch_op:
            batch_op.create_foreign_key(
                RENEWAL_FK, "awards", ["renewal_of_award_id"], ["id"], ondelete="SET NULL"
            )


def downgrade() -> None:
    # Back to what the initial schema gave each database: SQLite keeps its inline key.
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(RENEWAL_FK, "nominations", type_="foreignkey")
    with op.batch_alter_table("endorsements", schema=None) as batch_op:
        batch_op.drop_index("ix_endorsements_contribution_created")
        _replace_index(batch_op, "ix_endorsements_endorser_created", ["endorser_id", "created_at"])
        _replace_index(batch_op, "ix_endorsements_endorsee_created", ["endorsee_id", "created_at"])

    with op.batch_alter_table("contributions", schema=None) as batch_op:
        _replace_index(batch_op, "ix_contributions_owner_type", ["owner_id", "type_id"])
        _replace_index(batch_op, "ix_contributions_owner_date", ["owner_id", "contributed_on"])

    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_type_created")
