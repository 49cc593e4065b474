"""reach metrics as data; the impact score: settings per cycle, guidance per category, and
the score kept on each nomination

Revision ID: f3b1c9d2a7e4
Revises: c8e2a6f4d1b7
Create Date: 2026-11-30 12:00:00.000000

Each contribution type's two reach slots (``quantity_label``, ``audience_label``) become
rows of ``reach_metrics`` (marked with the slot they came from), and every contribution's
``quantity`` and ``audience`` of a type that asked for them becomes a row of
``contribution_figures``: nothing is lost, and downgrading writes the slot metrics'
names and values back. The headline columns stay: the slot metrics keep them current, and
nomination totals and the panel's frozen evidence read them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import nominee.db

revision: str = "f3b1c9d2a7e4"
down_revision: str | None = "c8e2a6f4d1b7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SLOTS = (("quantity", "quantity_label", 10), ("audience", "audience_label", 20))
SAME_SUFFIX = " (audience)"


def upgrade() -> None:
    op.create_table(
        "reach_metrics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("maximum", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("legacy_slot", sa.String(length=16), nullable=True),
        sa.CheckConstraint("maximum >= 1", name=op.f("ck_reach_metrics_maximum_positive")),
        sa.ForeignKeyConstraint(
            ["type_id"],
            ["contribution_types.id"],
            name=op.f("fk_reach_metrics_type_id_contribution_types"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reach_metrics")),
        sa.UniqueConstraint("type_id", "name", name="uq_reach_metrics_type_name"),
    )
    op.create_index(op.f("ix_reach_metrics_type_id"), "reach_metrics", ["type_id"])
    op.create_table(
        "contribution_figures",
        sa.Column("contribution_id", sa.Integer(), nullable=False),
        sa.Column("metric_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("value >= 0", name=op.f("ck_contribution_figures_value_not_negative")),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contributions.id"],
            name=op.f("fk_contribution_figures_contribution_id_contributions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["metric_id"],
            ["reach_metrics.id"],
            name=op.f("fk_contribution_figures_metric_id_reach_metrics"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "contribution_id", "metric_id", name=op.f("pk_contribution_figures")
        ),
    )
    op.create_index(
        op.f("ix_contribution_figures_metric_id"), "contribution_figures", ["metric_id"]
    )
    op.create_table(
        "impact_settings",
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("reach_weight", sa.Double(), nullable=False),
        sa.Column("type_cap", sa.Double(), nullable=False),
        sa.Column("month_points", sa.Double(), nullable=False),
        sa.Column("type_points", sa.Double(), nullable=False),
        sa.Column("category_points", sa.Double(), nullable=False),
        sa.Column("endorsement_points", sa.Double(), nullable=False),
        sa.Column("type_weights", sa.JSON(), nullable=False),
        sa.Column("updated_at", nominee.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["cycles.id"],
            name=op.f("fk_impact_settings_cycle_id_cycles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("cycle_id", name=op.f("pk_impact_settings")),
    )
    op.create_table(
        "impact_guidance",
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_impact_guidance_category_id_categories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("category_id", name=op.f("pk_impact_guidance")),
    )
    with op.batch_alter_table("nominations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("impact_score", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("impact_percentile", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("impact_breakdown", sa.JSON(), nullable=True))

    types = sa.table(
        "contribution_types",
        sa.column("id", sa.Integer),
        sa.column("quantity_label", sa.String),
        sa.column("audience_label", sa.String),
    )
    metrics = sa.table(
        "reach_metrics",
        sa.column("type_id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("unit", sa.String),
        sa.column("required", sa.Boolean),
        sa.column("maximum", sa.BigInteger),
        sa.column("position", sa.Integer),
        sa.column("retired", sa.Boolean),
        sa.column("legacy_slot", sa.String),
    )
    conn = op.get_bind()
    rows = conn.execute(sa.select(types.c.id, types.c.quantity_label, types.c.audience_label))
    new = []
    for type_id, quantity_label, audience_label in rows.all():
        for (slot, _, position), label in zip(SLOTS, (quantity_label, audience_label), strict=True):
            if label:
                name = label[:40]
                if slot == "audience" and quantity_label and name == quantity_label[:40]:
                    # A metric's name is unique in its type: the second of two same labels
                    # says which figure it was.
                    name = name[: 40 - len(SAME_SUFFIX)] + SAME_SUFFIX
                new.append(
                    {
                        "type_id": type_id,
                        "name": name,
                        "unit": "",
                        "required": False,
                        "maximum": 1_000_000_000,
                        "position": position,
                        "retired": False,
                        "legacy_slot": slot,
                    }
                )
    if new:
        op.bulk_insert(metrics, new)
    for slot, _, _ in SLOTS:
        # One statement per slot, whatever the number of contributions.
        op.execute(
            "INSERT INTO contribution_figures (contribution_id, metric_id, value) "
            f"SELECT c.id, m.id, c.{slot} FROM contributions c "
            "JOIN reach_metrics m ON m.type_id = c.type_id "
            f"AND m.legacy_slot = '{slot}'"
        )


def downgrade() -> None:
    for slot, label_column, _ in SLOTS:
        op.execute(
            f"UPDATE contributions SET {slot} = COALESCE(("
            "SELECT f.value FROM contribution_figures f "
            "JOIN reach_metrics m ON m.id = f.metric_id "
            f"WHERE f.contribution_id = contributions.id AND m.legacy_slot = '{slot}'"
            f"), {slot})"
        )
        op.execute(
            f"UPDATE contribution_types SET {label_column} = ("
            "SELECT m.name FROM reach_metrics m "
            f"WHERE m.type_id = contribution_types.id AND m.legacy_slot = '{slot}' "
            "AND NOT m.retired)"
        )
    with op.batch_alter_table("nominations", schema=None) as batch_op:
        batch_op.drop_column("impact_breakdown")
        batch_op.drop_column("impact_percentile")
        batch_op.drop_column("impact_score")
    op.drop_table("impact_guidance")
    op.drop_table("impact_settings")
    op.drop_index(op.f("ix_contribution_figures_metric_id"), table_name="contribution_figures")
    op.drop_table("contribution_figures")
    op.drop_index(op.f("ix_reach_metrics_type_id"), table_name="reach_metrics")
    op.drop_table("reach_metrics")
