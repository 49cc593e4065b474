"""an award has one live renewal at most; the reason for deciding with too few reviews

Revision ID: b7d2e4f1a9c3
Revises: 040ef695feed
Create Date: 2026-11-28 10:00:00.000000

``uq_nominations_renewal_live`` makes "an award is renewed once" hold when two cycles
open at the same moment. ``decision_override_reason`` keeps why an organizer decided a
nomination with fewer submitted reviews than the cycle asks.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7d2e4f1a9c3"
down_revision: str | None = "040ef695feed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = "status IN ('awaiting_acceptance', 'submitted', 'in_review', 'awarded', 'declined')"


def upgrade() -> None:
    # Overlapping cycles may have put one award up twice: the later, undecided renewal
    # is withdrawn (its history says why) so that the index can be built.
    op.execute(
        "UPDATE nominations SET status = 'withdrawn', "
        "withdrawn_reason = 'Already up for renewal in an earlier cycle.' "
        "WHERE kind = 'renewal' "
        "AND status IN ('awaiting_acceptance', 'submitted', 'in_review') "
        "AND EXISTS (SELECT 1 FROM nominations AS earlier "
        "WHERE earlier.renewal_of_award_id = nominations.renewal_of_award_id "
        f"AND earlier.id < nominations.id AND earlier.{LIVE})"
    )
    with op.batch_alter_table("nominations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("decision_override_reason", sa.Text(), nullable=False, server_default="")
        )
        batch_op.create_index(
            "uq_nominations_renewal_live",
            ["renewal_of_award_id"],
            unique=True,
            sqlite_where=sa.text(LIVE),
            postgresql_where=sa.text(LIVE),
        )
    with op.batch_alter_table("nominations", schema=None) as batch_op:
        batch_op.alter_column("decision_override_reason", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("nominations", schema=None) as batch_op:
        batch_op.drop_index("uq_nominations_renewal_live")
        batch_op.drop_column("decision_override_reason")
