from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    String,
    Table,
    Text,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nominee import clock
from nominee.categories.models import Category
from nominee.db import Base
from nominee.enums import LabelledEnum, enum_column
from nominee.i18n import N_, _


class CycleStatus(LabelledEnum):
    DRAFT = "draft"
    OPEN = "open"
    IN_REVIEW = "in_review"
    DECIDED = "decided"
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        """The status in the reader's language ("In review", "En revisión")."""
        return _(_CYCLE_STATUS_LABELS[self.value])


_CYCLE_STATUS_LABELS = {
    "draft": N_("Draft"),
    "open": N_("Open"),
    "in_review": N_("In review"),
    "decided": N_("Decided"),
    "published": N_("Published"),
}

# Marked for the catalogue: the new-cycle form offers them in the organizer's language
# (a cycle keeps the words it was saved with).
DEFAULT_RUBRIC = (
    (
        N_("Impact"),
        N_("How much the community gained: reach, depth and usefulness of the work."),
        1.0,
    ),
    (
        N_("Consistency"),
        N_("Sustained contribution across the look-back window, not a single burst."),
        1.0,
    ),
    (
        N_("Community focus"),
        N_("Work done for others: answering, teaching, organising, mentoring."),
        1.0,
    ),
    (N_("Expertise"), N_("Technical depth and accuracy shown in the contributions."), 1.0),
)


cycle_categories = Table(
    "cycle_categories",
    Base.metadata,
    Column("cycle_id", ForeignKey("cycles.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True),
)


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


class Cycle(Base):
    """An award round. ``version`` guards status moves against lost updates."""

    __tablename__ = "cycles"
    __table_args__ = (
        CheckConstraint("nominations_open_on < nominations_close_on", name="open_before_close"),
        CheckConstraint("nominations_close_on <= review_close_on", name="close_before_review"),
        CheckConstraint("lookback_months BETWEEN 1 AND 60", name="lookback_range"),
        CheckConstraint("award_term_months BETWEEN 1 AND 60", name="term_range"),
        CheckConstraint("min_evidence >= 1 AND min_evidence <= max_evidence", name="evidence"),
        CheckConstraint("peer_nomination_limit >= 0", name="peer_limit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    status: Mapped[CycleStatus] = mapped_column(
        enum_column(CycleStatus, "status"), default=CycleStatus.DRAFT, index=True
    )
    nominations_open_on: Mapped[date]
    nominations_close_on: Mapped[date]
    review_close_on: Mapped[date]
    lookback_months: Mapped[int] = mapped_column(default=12)
    award_term_months: Mapped[int] = mapped_column(default=12)
    min_evidence: Mapped[int] = mapped_column(default=3)
    max_evidence: Mapped[int] = mapped_column(default=30)
    peer_nomination_limit: Mapped[int] = mapped_column(default=3)
    reviewers_per_nomination: Mapped[int] = mapped_column(default=3)
    # The organizer's choice: the scheduler opens it and closes its nominations at its
    # dates (``rules.scheduled_move``), or it waits for an organizer to move it.
    # The database's default, not the ORM's: a cycle inserted without it (by code that
    # predates it, on a schema that predates it) says nothing of it.
    moves_automatically: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Days after publishing in which a declined nominee may appeal, once (0: no appeals).
    appeal_days: Mapped[int] = mapped_column(default=14, server_default=text("14"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    published_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)
    # The version of the cycle's assignments and reviews (``reviews.services``: any change
    # to them draws a new one, in its transaction): the reviewers' loads are kept under it
    # (``reviews.queries.reviewer_loads``). Random, so that two databases' cycles sharing
    # a cache (tests on one Redis) do not share a key; a core update, so it is not an edit
    # of the cycle (``version`` stays).
    review_activity: Mapped[int] = mapped_column(
        BigInteger, default=lambda: secrets.randbits(53), server_default=text("0")
    )

    categories: Mapped[list[Category]] = relationship(
        secondary=cycle_categories, order_by=Category.name
    )
    criteria: Mapped[list[RubricCriterion]] = relationship(
        back_populates="cycle",
        order_by="RubricCriterion.position",
        cascade="all, delete-orphan",
    )

    # Not fetched back after an insert: read when first used.
    __mapper_args__ = {"version_id_col": version}

    @property
    def lookback_start(self) -> date:
        return add_months(self.nominations_close_on, -self.lookback_months)

    @property
    def award_starts_on(self) -> date:
        return self.review_close_on + timedelta(days=1)

    @property
    def award_ends_on(self) -> date:
        return add_months(self.award_starts_on, self.award_term_months) - timedelta(days=1)

    def __str__(self) -> str:
        return self.name


class RubricCriterion(Base):
    __tablename__ = "rubric_criteria"
    __table_args__ = (CheckConstraint("weight > 0", name="weight_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[float] = mapped_column(default=1.0)
    position: Mapped[int] = mapped_column(default=0)

    cycle: Mapped[Cycle] = relationship(back_populates="criteria")
