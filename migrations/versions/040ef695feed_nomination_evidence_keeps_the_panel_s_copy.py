"""nomination evidence keeps the panel's copy (rule 8, the panel judges what it saw)

Revision ID: 040ef695feed
Revises: 5a3ec68b6e27
Create Date: 2026-11-30 05:49:58.642937

Each evidence row of a nomination gets a copy of its contribution, taken as the
nomination goes into review: type (with its name, weight and figure labels), role,
title, date, link, description (Markdown and the rendered HTML), category, figures,
visibility and endorsement count, and ``frozen_at``. Nominations already in review or
decided are copied here from their contributions as they are now, dated when they went
into review (their history says; now when it does not). Their stored counters are left
as they are.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import nominee.db

revision: str = "040ef695feed"
down_revision: str | None = "5a3ec68b6e27"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FROZEN_COPY = (
    "frozen_at IS NULL OR (type_id IS NOT NULL AND title IS NOT NULL "
    "AND contributed_on IS NOT NULL AND quantity IS NOT NULL AND audience IS NOT NULL "
    "AND visibility IS NOT NULL AND endorsement_count IS NOT NULL)"
)
COPIED = (
    "type_id",
    "role",
    "title",
    "contributed_on",
    "url",
    "description_md",
    "description_html",
    "primary_category_id",
    "quantity",
    "audience",
    "visibility",
    "endorsement_count",
)
# UPDATE ... FROM: PostgreSQL, and SQLite from 3.33.
BACKFILL = """
UPDATE nomination_evidence
SET frozen_at = COALESCE(
        (SELECT max(e.created_at) FROM nomination_events AS e
         WHERE e.nomination_id = nomination_evidence.nomination_id
           AND e.to_status = 'in_review'),
        :now),
    type_name = t.name,
    type_weight = t.weight,
    quantity_label = t.quantity_label,
    audience_label = t.audience_label,
    {copied}
FROM contributions AS c, contribution_types AS t
WHERE c.id = nomination_evidence.contribution_id
  AND t.id = c.type_id
  AND nomination_evidence.nomination_id IN (
      SELECT id FROM nominations WHERE status IN ('in_review', 'awarded', 'declined'))
""".format(copied=",\n    ".join(f"{name} = c.{name}" for name in COPIED))


def upgrade() -> None:
    with op.batch_alter_table("nomination_evidence", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("frozen_at", nominee.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("type_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("type_name", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("type_weight", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("quantity_label", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("audience_label", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("role", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("title", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("contributed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("url", sa.String(length=2000), nullable=True))
        batch_op.add_column(sa.Column("description_md", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("description_html", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("primary_category_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("quantity", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("audience", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "visibility",
                sa.Enum("public", "private", name="visibility", native_enum=False, length=16),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("endorsement_count", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_nomination_evidence_type_id_contribution_types"),
            "contribution_types",
            ["type_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_nomination_evidence_primary_category_id_categories"),
            "categories",
            ["primary_category_id"],
            ["id"],
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_nomination_evidence_frozen_copy"), FROZEN_COPY
        )

    now = sa.bindparam("now", datetime.now(UTC), type_=nominee.db.UTCDateTime())
    op.get_bind().execute(sa.text(BACKFILL).bindparams(now))


def downgrade() -> None:
    with op.batch_alter_table("nomination_evidence", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_nomination_evidence_frozen_copy"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_nomination_evidence_primary_category_id_categories"),
            type_="foreignkey",
        )
        batch_op.drop_constraint(
            batch_op.f("fk_nomination_evidence_type_id_contribution_types"), type_="foreignkey"
        )
        for column in (
            "endorsement_count",
            "visibility",
            "audience",
            "quantity",
            "primary_category_id",
            "description_html",
            "description_md",
            "url",
            "contributed_on",
            "title",
            "role",
            "audience_label",
            "quantity_label",
            "type_weight",
            "type_name",
            "type_id",
            "frozen_at",
        ):
            batch_op.drop_column(column)
