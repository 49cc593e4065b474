"""Stored integrity scans: each run, the latest run's result per member, and the
organizers' reviews of flags (which outlive the scans)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nominee import clock
from nominee.accounts.models import User
from nominee.db import Base
from nominee.enums import enum_column
from nominee.i18n import N_, _


class IntegrityScan(Base):
    """One run of the scan over a window (a cycle's look-back window or 12 months)."""

    __tablename__ = "integrity_scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    since: Mapped[date]
    until: Mapped[date]
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycles.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(40), default="manual")
    started_at: Mapped[datetime] = mapped_column(default=clock.now)
    finished_at: Mapped[datetime | None]
    endorsements: Mapped[int] = mapped_column(default=0)
    members: Mapped[int] = mapped_column(default=0)
    flagged: Mapped[int] = mapped_column(default=0)
    seconds: Mapped[float] = mapped_column(default=0.0)


class Verdict(enum.StrEnum):
    LEGITIMATE = "legitimate"
    CONFIRMED = "confirmed"

    @property
    def label_source(self) -> str:
        """The label in English, as the catalogue knows it."""
        return {"legitimate": N_("Reviewed, legitimate"), "confirmed": N_("Confirmed")}[self.value]

    @property
    def label(self) -> str:
        return _(self.label_source)


class IntegrityResult(Base):
    """The latest finished scan's figures for one member who received endorsements.

    One row per member: a scan replaces the previous scan's rows, so pages read the
    current state with one indexed lookup per member (or joined to the nomination,
    ``Nomination.integrity``).
    """

    __tablename__ = "integrity_results"
    __table_args__ = (Index("ix_integrity_results_flagged_score", "flagged", "score"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    scan_id: Mapped[int] = mapped_column(ForeignKey("integrity_scans.id", ondelete="CASCADE"))
    flagged: Mapped[bool] = mapped_column(default=False)
    score: Mapped[float] = mapped_column(default=0.0)
    received: Mapped[int] = mapped_column(default=0)
    distinct_endorsers: Mapped[int] = mapped_column(default=0)
    effective_endorsers: Mapped[float] = mapped_column(default=0.0)
    signals: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The organizers' standing review of the member's flag, copied from the latest
    # ``IntegrityReview`` (by the scan and by the review itself) so that pages read it
    # with the result.
    verdict: Mapped[Verdict | None] = mapped_column(enum_column(Verdict, "verdict", 16))
    verdict_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class IntegrityReview(Base):
    """An organizer's word on a member's flag. The latest per member stands: a member
    marked legitimate is no longer flagged and keeps the raw count; a confirmed flag's
    accounts count 0 in the member's effective endorsers, in every later scan."""

    __tablename__ = "integrity_reviews"
    __table_args__ = (Index("ix_integrity_reviews_member_created", "member_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verdict: Mapped[Verdict] = mapped_column(enum_column(Verdict, "verdict", 16))
    note: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[float] = mapped_column(default=0.0)
    accounts: Mapped[list[int]] = mapped_column(JSON, default=list)
    signals: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    member: Mapped[User] = relationship(foreign_keys=[member_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])
