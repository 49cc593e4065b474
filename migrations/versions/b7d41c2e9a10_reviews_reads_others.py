"""reviews.reads_others: a submitted review opens the other reviews only with every score

Revision ID: b7d41c2e9a10
Revises: b7d2e4f1a9c3
Create Date: 2026-12-01 10:00:00.000000

A submitted review is final. It opens the other reviews of its nomination only when it
scores every criterion of the rubric; an abstention submitted without every score never
does. Reviews submitted before this revision are marked by that rule.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7d41c2e9a10"
down_revision: str | None = "b7d2e4f1a9c3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reads_others", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.alter_column("reads_others", server_default=None)
    op.execute(
        """
        UPDATE reviews SET reads_others = TRUE
        WHERE status = 'submitted'
          AND (SELECT count(*) FROM review_scores WHERE review_scores.review_id = reviews.id)
            = (SELECT count(*) FROM rubric_criteria, nominations
               WHERE nominations.id = reviews.nomination_id
                 AND rubric_criteria.cycle_id = nominations.cycle_id)
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_column("reads_others")
