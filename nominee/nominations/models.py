from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nominee import clock
from nominee.accounts.models import User
from nominee.categories.models import Category
from nominee.contributions.models import Contribution, Visibility
from nominee.cycles.models import Cycle
from nominee.db import Base
from nominee.enums import LabelledEnum, enum_column
from nominee.i18n import N_, _, pgettext

if TYPE_CHECKING:
    from nominee.awards.models import Award
    from nominee.integrity.models import IntegrityResult


class NominationStatus(LabelledEnum):
    AWAITING_ACCEPTANCE = "awaiting_acceptance"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    AWARDED = "awarded"
    DECLINED = "declined"  # the panel's decision
    REFUSED = "refused"  # the nominee said no to a peer nomination
    WITHDRAWN = "withdrawn"
    LAPSED = "lapsed"

    @property
    def label(self) -> str:
        return _(_STATUS_LABELS[self])


_STATUS_LABELS = {
    NominationStatus.AWAITING_ACCEPTANCE: N_("Awaiting acceptance"),
    NominationStatus.SUBMITTED: N_("Submitted"),
    NominationStatus.IN_REVIEW: N_("In review"),
    NominationStatus.AWARDED: N_("Awarded"),
    NominationStatus.DECLINED: N_("Declined"),
    NominationStatus.REFUSED: N_("Declined by nominee"),
    NominationStatus.WITHDRAWN: N_("Withdrawn"),
    NominationStatus.LAPSED: N_("Lapsed"),
}


# A nomination in one of these states blocks another for the same nominee, cycle and category.
LIVE_STATUSES = (
    NominationStatus.AWAITING_ACCEPTANCE,
    NominationStatus.SUBMITTED,
    NominationStatus.IN_REVIEW,
    NominationStatus.AWARDED,
    NominationStatus.DECLINED,
)
_LIVE_SQL = "status IN ({})".format(", ".join(f"'{s.value}'" for s in LIVE_STATUSES))


class NominationKind(LabelledEnum):
    SELF = "self"
    PEER = "peer"
    RENEWAL = "renewal"

    @property
    def label(self) -> str:
        return _(_KIND_LABELS[self])


_KIND_LABELS = {
    NominationKind.SELF: N_("Self"),
    NominationKind.PEER: N_("Peer"),
    NominationKind.RENEWAL: N_("Renewal"),
}


class Decision(LabelledEnum):
    AWARD = "award"
    DECLINE = "decline"

    @property
    def label(self) -> str:
        # A decision as a noun ("Decision: Decline"), apart from the verbs of its form.
        if self is Decision.AWARD:
            return pgettext("decision", "Award")
        return pgettext("decision", "Decline")


class Nomination(Base):
    """A member put forward for an award in one cycle and category.

    The counters (evidence, endorsers, reach, review aggregates) are kept up to date by
    the services so that the review dashboard sorts and filters without aggregating
    millions of rows per request. ``version`` makes concurrent changes fail cleanly.
    """

    __tablename__ = "nominations"
    __table_args__ = (
        Index(
            "uq_nominations_live",
            "cycle_id",
            "category_id",
            "nominee_id",
            unique=True,
            sqlite_where=text(_LIVE_SQL),
            postgresql_where=text(_LIVE_SQL),
        ),
        # Rule 10: an award has one live (or decided) renewal at most, across all cycles.
        Index(
            "uq_nominations_renewal_live",
            "renewal_of_award_id",
            unique=True,
            sqlite_where=text(_LIVE_SQL),
            postgresql_where=text(_LIVE_SQL),
        ),
        # Covers the review dashboard (``reviews.queries.queue``): its progress table
        # (nominations and reviews per category) and its page in any order of the
        # counters (``COLUMNS``) read the index alone, not the cycle's rows; so do the
        # decisions page's counts and order (``awards.queries.decision_list``).
        Index(
            "ix_nominations_cycle_status",
            "cycle_id",
            "status",
            "category_id",
            "reviews_submitted",
            "evidence_count",
            "distinct_endorsers",
            "total_audience",
            "impact_score",
            "score_mean",
            "recommend_award",
            "recommend_decline",
            "recommend_abstain",
            "disagreement",
            "decision",
            "nominee_id",
            "id",
        ),
        Index("ix_nominations_nominee", "nominee_id", "created_at"),
        Index("ix_nominations_nominator_cycle", "nominator_id", "cycle_id"),
        CheckConstraint(
            "(kind = 'renewal') = (nominator_id IS NULL)", name="nominator_unless_renewal"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    nominee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # None for renewals: the programme nominates.
    nominator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[NominationKind] = mapped_column(enum_column(NominationKind, "kind"))
    status: Mapped[NominationStatus] = mapped_column(enum_column(NominationStatus, "status"))
    statement_md: Mapped[str] = mapped_column(Text, default="")
    statement_html: Mapped[str] = mapped_column(Text, default="")
    nominee_statement_md: Mapped[str] = mapped_column(Text, default="")
    nominee_statement_html: Mapped[str] = mapped_column(Text, default="")
    withdrawn_reason: Mapped[str] = mapped_column(String(500), default="")
    renewal_of_award_id: Mapped[int | None] = mapped_column(
        ForeignKey("awards.id", ondelete="SET NULL", use_alter=True)
    )
    no_activity: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    submitted_at: Mapped[datetime | None]
    # Counters kept by the services.
    evidence_count: Mapped[int] = mapped_column(default=0)
    distinct_endorsers: Mapped[int] = mapped_column(default=0)
    total_quantity: Mapped[int] = mapped_column(default=0)
    total_audience: Mapped[int] = mapped_column(default=0)
    reviews_submitted: Mapped[int] = mapped_column(default=0)
    score_mean: Mapped[float | None]
    recommend_award: Mapped[int] = mapped_column(default=0)
    recommend_decline: Mapped[int] = mapped_column(default=0)
    recommend_abstain: Mapped[int] = mapped_column(default=0)
    disagreement: Mapped[bool] = mapped_column(default=False)
    # The nominee's impact score, kept by nominee.impact.services.score_cycle: taken as the
    # cycle goes into review (like the evidence, rule 8) and when its settings change.
    impact_score: Mapped[float | None]
    impact_percentile: Mapped[int | None]
    impact_breakdown: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The organizers' decision, visible to the nominee once the cycle is published.
    decision: Mapped[Decision | None] = mapped_column(enum_column(Decision, "decision"))
    decision_rationale: Mapped[str] = mapped_column(Text, default="")
    decision_feedback: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    # Why it was decided with fewer submitted reviews than the cycle asks ("" when it was not).
    decision_override_reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    cycle: Mapped[Cycle] = relationship()
    category: Mapped[Category] = relationship()
    nominee: Mapped[User] = relationship(foreign_keys=[nominee_id])
    nominator: Mapped[User | None] = relationship(foreign_keys=[nominator_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    # The award this nomination gave (once its cycle is published), to tell a revoked one.
    award: Mapped[Award | None] = relationship(
        "Award",
        primaryjoin="Nomination.id == foreign(Award.nomination_id)",
        viewonly=True,
        uselist=False,
    )
    # The nominee's figures from the latest integrity scan (``nominee.integrity``), for
    # the effective endorsers beside the raw count; None before any scan saw them.
    integrity: Mapped[IntegrityResult | None] = relationship(
        "IntegrityResult",
        primaryjoin="foreign(Nomination.nominee_id) == IntegrityResult.user_id",
        viewonly=True,
        uselist=False,
    )
    evidence: Mapped[list[NominationEvidence]] = relationship(
        back_populates="nomination", cascade="all, delete-orphan"
    )
    events: Mapped[list[NominationEvent]] = relationship(
        back_populates="nomination",
        cascade="all, delete-orphan",
        order_by="NominationEvent.created_at",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_self(self) -> bool:
        return self.kind is NominationKind.SELF

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES


# The contribution's columns an evidence row copies as its nomination goes into review
# (with its type's name, weight and figure labels).
COPIED_COLUMNS = (
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


class NominationEvidence(Base):
    """One contribution chosen as a nomination's evidence.

    Rule 8, the panel judges what it saw: as the nomination goes into review, the
    contribution is copied here as the panel sees it (``frozen_at`` says when; every
    copied column is NULL before). The review pages, the decisions and the export read
    the copy from then on, while its owner may go on editing the contribution itself.
    """

    __tablename__ = "nomination_evidence"
    __table_args__ = (
        CheckConstraint(
            "frozen_at IS NULL OR (type_id IS NOT NULL AND title IS NOT NULL "
            "AND contributed_on IS NOT NULL AND quantity IS NOT NULL AND audience IS NOT NULL "
            "AND visibility IS NOT NULL AND endorsement_count IS NOT NULL)",
            name="frozen_copy",
        ),
    )

    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("nominations.id", ondelete="CASCADE"), primary_key=True
    )
    contribution_id: Mapped[int] = mapped_column(
        ForeignKey("contributions.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_at: Mapped[datetime] = mapped_column(default=clock.now)
    # The copy the panel judges (see the class docstring).
    frozen_at: Mapped[datetime | None]
    type_id: Mapped[int | None] = mapped_column(ForeignKey("contribution_types.id"))
    type_name: Mapped[str | None] = mapped_column(String(80))
    type_weight: Mapped[float | None]
    quantity_label: Mapped[str | None] = mapped_column(String(40))
    audience_label: Mapped[str | None] = mapped_column(String(40))
    role: Mapped[str | None] = mapped_column(String(40))
    title: Mapped[str | None] = mapped_column(String(200))
    contributed_on: Mapped[date | None]
    url: Mapped[str | None] = mapped_column(String(2000))
    description_md: Mapped[str | None] = mapped_column(Text)
    description_html: Mapped[str | None] = mapped_column(Text)
    primary_category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    quantity: Mapped[int | None]
    audience: Mapped[int | None]
    visibility: Mapped[Visibility | None] = mapped_column(
        Enum(
            Visibility,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    endorsement_count: Mapped[int | None]

    nomination: Mapped[Nomination] = relationship(back_populates="evidence")
    contribution: Mapped[Contribution] = relationship()


class NominationEvent(Base):
    """The status history shown on the nomination page."""

    __tablename__ = "nomination_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("nominations.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_status: Mapped[NominationStatus | None] = mapped_column(
        enum_column(NominationStatus, "from_status")
    )
    to_status: Mapped[NominationStatus] = mapped_column(enum_column(NominationStatus, "to_status"))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    nomination: Mapped[Nomination] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
