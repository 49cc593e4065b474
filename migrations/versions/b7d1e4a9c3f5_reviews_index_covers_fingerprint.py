"""The reviews' covering index also carries the time of submission and the id

``ix_reviews_nomination_reviewer_status`` (nomination, reviewer, status) gains
``submitted_at`` and ``id``: the calibration's fingerprint (how many submitted reviews a
cycle has, their ids summed and the last submission), read on every view of the
reviewers' calibration page, comes from the index alone instead of each review's row
(3.3 ms to 1.7 at 9,000 submitted reviews, SQLite). The reviewers' loads still read it
by its prefix.

Revision ID: b7d1e4a9c3f5
Revises: a5c2e8f1d3b7
Create Date: 2026-12-01 03:20:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "b7d1e4a9c3f5"
down_revision: str | None = "a5c2e8f1d3b7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_reviews_nomination_reviewer_status"
NARROW = ["nomination_id", "reviewer_id", "status"]


def upgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.drop_index(NAME)
        batch.create_index(NAME, [*NARROW, "submitted_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.drop_index(NAME)
        batch.create_index(NAME, NARROW, unique=False)
