from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nominee import clock
from nominee.accounts.models import User
from nominee.db import Base
from nominee.enums import LabelledEnum, enum_column
from nominee.i18n import N_, _
from nominee.nominations.models import Nomination


class AppealStatus(LabelledEnum):
    OPEN = "open"
    UPHELD = "upheld"  # the decision changed to award
    DISMISSED = "dismissed"  # the decision stands

    @property
    def label(self) -> str:
        return _(_STATUS_LABELS[self])


_STATUS_LABELS = {
    AppealStatus.OPEN: N_("Open"),
    AppealStatus.UPHELD: N_("Upheld"),
    AppealStatus.DISMISSED: N_("Dismissed"),
}


class Appeal(Base):
    """A declined nominee's appeal against the decision on one nomination: one per
    nomination (the unique key), answered once by an organizer."""

    __tablename__ = "appeals"
    __table_args__ = (
        CheckConstraint(
            "status = 'open' OR (decided_at IS NOT NULL AND response != '')",
            name="answered_has_response",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("nominations.id", ondelete="CASCADE"), unique=True
    )
    appellant_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    statement: Mapped[str] = mapped_column(Text)
    status: Mapped[AppealStatus] = mapped_column(
        enum_column(AppealStatus, "status"), default=AppealStatus.OPEN, index=True
    )
    response: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    version: Mapped[int] = mapped_column(default=1)

    nomination: Mapped[Nomination] = relationship()
    appellant: Mapped[User] = relationship(foreign_keys=[appellant_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    __mapper_args__ = {"version_id_col": version}
