from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nominee import clock
from nominee.accounts.models import User
from nominee.contributions.models import Contribution
from nominee.db import Base


class Endorsement(Base):
    """A member vouching for another member's public contribution.

    One row per endorser and contribution, enforced by a unique constraint so two
    simultaneous requests cannot both create one. Withdrawing keeps the row and stamps
    ``withdrawn_at``; endorsing again later reactivates it.
    """

    __tablename__ = "endorsements"
    __table_args__ = (
        UniqueConstraint("contribution_id", "endorser_id"),
        # Covering for the member page's "received" and "given" lists and counts (``public``
        # says who may see each) and the conflict and reciprocity checks, which filter on
        # the active ones.
        Index(
            "ix_endorsements_endorsee_created",
            "endorsee_id",
            "created_at",
            "endorser_id",
            "withdrawn_at",
            "public",
        ),
        Index(
            "ix_endorsements_endorser_created",
            "endorser_id",
            "created_at",
            "endorsee_id",
            "withdrawn_at",
            "public",
        ),
        # A contribution's endorsements, newest first, paged.
        Index("ix_endorsements_contribution_created", "contribution_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"))
    endorser_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The contribution's owner, copied so conflict checks and member pages need no join.
    endorsee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    comment: Mapped[str] = mapped_column(String(280), default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    withdrawn_at: Mapped[datetime | None]
    # Whether everybody may see it: its contribution is public and its owner's account
    # active. Copied from them and kept so by the services (endorsing, a contribution's
    # visibility, an account's deactivation), so a member's lists and counts of
    # endorsements read the endorser and endorsee indexes, with no join per endorsement.
    public: Mapped[bool] = mapped_column(default=True, server_default=true())

    contribution: Mapped[Contribution] = relationship()
    endorser: Mapped[User] = relationship(foreign_keys=[endorser_id])
    endorsee: Mapped[User] = relationship(foreign_keys=[endorsee_id])

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None
