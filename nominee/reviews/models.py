from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nominee import clock
from nominee.accounts.models import User
from nominee.categories.models import Category
from nominee.cycles.models import Cycle, RubricCriterion
from nominee.db import Base
from nominee.enums import LabelledEnum, enum_column
from nominee.i18n import N_, _
from nominee.nominations.models import Nomination


class _Labelled(LabelledEnum):
    """Labels in the reader's language, from ``_LABELS`` (marked for the catalogue)."""

    @property
    def label(self) -> str:
        return _(_LABELS[type(self).__name__, self.value])


class ReviewStatus(_Labelled):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class Confidence(_Labelled):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Recommendation(_Labelled):
    AWARD = "award"
    DECLINE = "decline"
    ABSTAIN = "abstain"


_LABELS = {
    ("ReviewStatus", "draft"): N_("Draft"),
    ("ReviewStatus", "submitted"): N_("Submitted"),
    ("Confidence", "low"): N_("Low"),
    ("Confidence", "medium"): N_("Medium"),
    ("Confidence", "high"): N_("High"),
    ("Recommendation", "award"): N_("Award"),
    ("Recommendation", "decline"): N_("Decline"),
    ("Recommendation", "abstain"): N_("Abstain"),
}


class ReviewerAppointment(Base):
    """A reviewer appointed to a cycle, for one category or (category None) all of it."""

    __tablename__ = "reviewer_appointments"
    __table_args__ = (UniqueConstraint("cycle_id", "reviewer_id", "category_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    cycle: Mapped[Cycle] = relationship()
    reviewer: Mapped[User] = relationship()
    category: Mapped[Category | None] = relationship()


class Assignment(Base):
    __tablename__ = "review_assignments"

    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("nominations.id", ondelete="CASCADE"), primary_key=True
    )
    reviewer_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    nomination: Mapped[Nomination] = relationship()
    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])


class ConflictDeclaration(Base):
    """A conflict a reviewer declared themself (detected ones are computed, not stored)."""

    __tablename__ = "conflict_declarations"
    __table_args__ = (UniqueConstraint("nomination_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    reviewer: Mapped[User] = relationship()


class ConflictClearance(Base):
    """An organizer's clearance of a detected conflict (nominator, endorsements either way)
    between one reviewer and one nomination, with the reason the panel reads. A declared
    conflict, or being the nominee, is never cleared."""

    __tablename__ = "conflict_clearances"
    __table_args__ = (UniqueConstraint("nomination_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    cleared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])
    cleared_by: Mapped[User | None] = relationship(foreign_keys=[cleared_by_id])


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("nomination_id", "reviewer_id"),
        Index("ix_reviews_reviewer_status", "reviewer_id", "status"),
        # The unique key with the status, the time of submission and the id: a cycle's
        # reviews counted per reviewer (the reviewers' loads on the assignments and
        # reviewers pages) and the calibration's fingerprint of its submitted reviews read
        # the index alone, not each review's row (8 ms to 3.5, and 3.3 ms to 1.7, at large
        # scale).
        Index(
            "ix_reviews_nomination_reviewer_status",
            "nomination_id",
            "reviewer_id",
            "status",
            "submitted_at",
            "id",
        ),
        CheckConstraint(
            "status = 'draft' OR recommendation IS NOT NULL", name="submitted_has_recommendation"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[ReviewStatus] = mapped_column(
        enum_column(ReviewStatus, "status"), default=ReviewStatus.DRAFT
    )
    confidence: Mapped[Confidence | None] = mapped_column(enum_column(Confidence, "confidence"))
    recommendation: Mapped[Recommendation | None] = mapped_column(
        enum_column(Recommendation, "recommendation")
    )
    panel_comment: Mapped[str] = mapped_column(Text, default="")
    nominee_feedback: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)
    submitted_at: Mapped[datetime | None]
    # Submitted with every criterion scored: the reviewer reads the other reviews. An
    # abstention submitted without every score never does (rule 4).
    reads_others: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)

    nomination: Mapped[Nomination] = relationship()
    reviewer: Mapped[User] = relationship()
    scores: Mapped[list[ReviewScore]] = relationship(
        back_populates="review", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


class ReviewScore(Base):
    __tablename__ = "review_scores"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),)

    review_id: Mapped[int] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True
    )
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("rubric_criteria.id", ondelete="CASCADE"), primary_key=True
    )
    score: Mapped[int]

    review: Mapped[Review] = relationship(back_populates="scores")
    criterion: Mapped[RubricCriterion] = relationship()
