from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nominee import clock
from nominee.accounts.models import User
from nominee.categories.models import Category
from nominee.cycles.models import Cycle
from nominee.db import Base
from nominee.enums import LabelledEnum, enum_column
from nominee.i18n import N_, _


class AwardStatus(LabelledEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        return _(_STATUS_LABELS[self])


_STATUS_LABELS = {
    AwardStatus.ACTIVE: N_("Active"),
    AwardStatus.EXPIRED: N_("Expired"),
    AwardStatus.REVOKED: N_("Revoked"),
}


def new_verification_id() -> str:
    return secrets.token_urlsafe(18)


class Award(Base):
    __tablename__ = "awards"
    __table_args__ = (
        Index("ix_awards_member_ends", "member_id", "ends_on"),
        # The awardee directory's category filter, over current (or past) awards.
        Index("ix_awards_category_ends", "category_id", "ends_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    nomination_id: Mapped[int | None] = mapped_column(
        ForeignKey("nominations.id", ondelete="SET NULL"), unique=True
    )
    starts_on: Mapped[date] = mapped_column(index=True)  # the directory's award year
    ends_on: Mapped[date] = mapped_column(index=True)
    status: Mapped[AwardStatus] = mapped_column(
        enum_column(AwardStatus, "status"), default=AwardStatus.ACTIVE
    )
    verification_id: Mapped[str] = mapped_column(
        String(40), unique=True, default=new_verification_id
    )
    revoked_reason: Mapped[str] = mapped_column(String(500), default="")
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    # The award's place in the revocation status list of its Open Badges credential
    # (nominee/credentials): list ``status_index // LIST_BITS``, bit ``% LIST_BITS``. Set
    # once, as the award is granted (its id then), and never changed.
    status_index: Mapped[int | None] = mapped_column(unique=True)

    member: Mapped[User] = relationship(foreign_keys=[member_id])
    category: Mapped[Category] = relationship()
    cycle: Mapped[Cycle] = relationship()

    def status_on(self, day: date) -> AwardStatus:
        """Revoked stays revoked; an active award past its end date reads as expired."""
        if self.status is AwardStatus.ACTIVE and day > self.ends_on:
            return AwardStatus.EXPIRED
        return self.status
