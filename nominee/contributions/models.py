from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Enum,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nominee import clock
from nominee.accounts.models import User
from nominee.categories.models import Category
from nominee.db import Base
from nominee.i18n import N_, _

_VISIBILITY_LABELS = {"public": N_("Public"), "private": N_("Private")}


class Visibility(enum.StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"

    @property
    def label(self) -> str:
        return _(_VISIBILITY_LABELS[self.value])


class ContributionType(Base):
    """A kind of community work. Data, not code: organizers edit the list.

    ``quantity_label`` and ``audience_label`` name the reach figures the type asks for
    (a talk: sessions and attendees); a type without one does not ask for it.
    """

    __tablename__ = "contribution_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    quantity_label: Mapped[str | None] = mapped_column(String(40))
    audience_label: Mapped[str | None] = mapped_column(String(40))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    weight: Mapped[float] = mapped_column(default=1.0)
    position: Mapped[int] = mapped_column(default=0)
    retired: Mapped[bool] = mapped_column(default=False)

    metrics: Mapped[list[ReachMetric]] = relationship(
        back_populates="type",
        order_by="(ReachMetric.retired, ReachMetric.position, ReachMetric.id)",
        cascade="all, delete-orphan",
    )

    @property
    def active_metrics(self) -> list[ReachMetric]:
        return [metric for metric in self.metrics if not metric.retired]

    def __str__(self) -> str:
        return self.name


class ReachMetric(Base):
    """One reach figure a contribution type asks for (a talk: sessions, attendees,
    recording views). Data, not code: organizers define them per type.

    A retired metric is no longer asked for, but the values recorded with it stay and are
    shown. ``legacy_slot`` ("quantity" or "audience") marks the metric whose value is also
    kept in the contribution's headline figure of that name, which nomination totals and
    the panel's frozen copy of evidence count.
    """

    __tablename__ = "reach_metrics"
    __table_args__ = (
        UniqueConstraint("type_id", "name", name="uq_reach_metrics_type_name"),
        CheckConstraint("maximum >= 1", name="maximum_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    type_id: Mapped[int] = mapped_column(
        ForeignKey("contribution_types.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(40), default="")
    required: Mapped[bool] = mapped_column(default=False)
    maximum: Mapped[int] = mapped_column(BigInteger, default=1_000_000)
    position: Mapped[int] = mapped_column(default=0)
    retired: Mapped[bool] = mapped_column(default=False)
    legacy_slot: Mapped[str | None] = mapped_column(String(16))

    type: Mapped[ContributionType] = relationship(back_populates="metrics")

    @property
    def field_name(self) -> str:
        """The form field's name: a headline figure's keeps its old name ("quantity",
        "audience"), so forms and scripts that post it go on working."""
        return self.legacy_slot or f"metric_{self.id}"

    @property
    def label(self) -> str:
        """The name, with the unit when it says more ("Attendees (people)", "Readers")."""
        if self.unit and self.unit.lower() not in self.name.lower():
            return _("%(name)s (%(unit)s)", name=self.name, unit=self.unit)
        return self.name

    def __str__(self) -> str:
        return self.name


class ContributionFigure(Base):
    """The value a contribution recorded for one reach metric of its type."""

    __tablename__ = "contribution_figures"
    __table_args__ = (
        CheckConstraint("value >= 0", name="value_not_negative"),
        # Covering for a member's reach totals per type and metric (``reach_totals``): the
        # sum reads the index, not each figure's row.
        Index(
            "ix_contribution_figures_contribution_value", "contribution_id", "metric_id", "value"
        ),
    )

    contribution_id: Mapped[int] = mapped_column(
        ForeignKey("contributions.id", ondelete="CASCADE"), primary_key=True
    )
    metric_id: Mapped[int] = mapped_column(
        ForeignKey("reach_metrics.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    value: Mapped[int] = mapped_column(BigInteger, default=0)

    metric: Mapped[ReachMetric] = relationship(lazy="joined")


contribution_categories = Table(
    "contribution_categories",
    Base.metadata,
    Column("contribution_id", ForeignKey("contributions.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True),
)


class Contribution(Base):
    __tablename__ = "contributions"
    __table_args__ = (
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint("audience >= 0", name="audience_not_negative"),
        CheckConstraint("endorsement_count >= 0", name="endorsement_count_not_negative"),
        # Covering: the member page's list, activity chart and reach totals read these
        # indexes alone, however many contributions a heavy member has.
        Index("ix_contributions_owner_date", "owner_id", "contributed_on", "type_id", "visibility"),
        # Discover by type, newest first: the type's rows in id order, however rare it is.
        Index("ix_contributions_type_recent", "type_id", "id"),
        Index(
            "ix_contributions_owner_type",
            "owner_id",
            "type_id",
            "visibility",
            "quantity",
            "audience",
            "endorsement_count",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    type_id: Mapped[int] = mapped_column(ForeignKey("contribution_types.id"))
    role: Mapped[str] = mapped_column(String(40), default="")
    title: Mapped[str] = mapped_column(String(200))
    contributed_on: Mapped[date]
    url: Mapped[str | None] = mapped_column(String(2000))
    description_md: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    primary_category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    quantity: Mapped[int] = mapped_column(default=0)
    audience: Mapped[int] = mapped_column(default=0)
    visibility: Mapped[Visibility] = mapped_column(
        Enum(
            Visibility,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=Visibility.PUBLIC,
    )
    # Kept by the endorsement services, so lists never count millions of rows.
    endorsement_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)

    owner: Mapped[User] = relationship()
    type: Mapped[ContributionType] = relationship()
    primary_category: Mapped[Category] = relationship()
    categories: Mapped[list[Category]] = relationship(secondary=contribution_categories)
    figures: Mapped[list[ContributionFigure]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    def figure_values(self) -> dict[int, int]:
        """The recorded value per metric id."""
        return {figure.metric_id: figure.value for figure in self.figures}

    def shown_figures(self) -> list[tuple[ReachMetric, int]]:
        """Every recorded figure with its metric, in the type's order (retired ones last)."""
        order = {metric.id: index for index, metric in enumerate(self.type.metrics)}
        figures = sorted(self.figures, key=lambda f: order.get(f.metric_id, len(order)))
        return [(figure.metric, figure.value) for figure in figures]

    @property
    def is_public(self) -> bool:
        return self.visibility is Visibility.PUBLIC
