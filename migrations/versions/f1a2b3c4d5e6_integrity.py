"""integrity: scans of the endorsement graph, the latest result per member, and the
organizers' reviews of flags

Revision ID: f1a2b3c4d5e6
Revises: e7a3c5f1b2d8
Create Date: 2026-11-30 12:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import nominee.db

revision: str = "f1a2b3c4d5e6"
down_revision: str | None = "e7a3c5f1b2d8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "integrity_scans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("started_at", nominee.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", nominee.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("endorsements", sa.Integer(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("flagged", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["cycles.id"],
            name=op.f("fk_integrity_scans_cycle_id_cycles"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integrity_scans")),
    )
    op.create_table(
        "integrity_results",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("scan_id", sa.Integer(), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("distinct_endorsers", sa.Integer(), nullable=False),
        sa.Column("effective_endorsers", sa.Double(), nullable=False),
        sa.Column("signals", sa.JSON(), nullable=False),
        sa.Column(
            "verdict",
            sa.Enum(
                "legitimate",
                "confirmed",
                name="verdict",
                native_enum=False,
                length=16,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("verdict_note", sa.Text(), nullable=False),
        sa.Column("reviewed_at", nominee.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["scan_id"],
            ["integrity_scans.id"],
            name=op.f("fk_integrity_results_scan_id_integrity_scans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_integrity_results_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_integrity_results")),
    )
    op.create_index("ix_integrity_results_flagged_score", "integrity_results", ["flagged", "score"])
    op.create_table(
        "integrity_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column(
            "verdict",
            sa.Enum(
                "legitimate",
                "confirmed",
                name="verdict",
                native_enum=False,
                length=16,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("accounts", sa.JSON(), nullable=False),
        sa.Column("signals", sa.JSON(), nullable=False),
        sa.Column("created_at", nominee.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["users.id"],
            name=op.f("fk_integrity_reviews_member_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["users.id"],
            name=op.f("fk_integrity_reviews_reviewer_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integrity_reviews")),
    )
    op.create_index(
        "ix_integrity_reviews_member_created", "integrity_reviews", ["member_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_integrity_reviews_member_created", table_name="integrity_reviews")
    op.drop_table("integrity_reviews")
    op.drop_index("ix_integrity_results_flagged_score", table_name="integrity_results")
    op.drop_table("integrity_results")
    op.drop_table("integrity_scans")
