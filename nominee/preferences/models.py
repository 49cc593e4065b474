"""A member's email preferences: a row only where the member chose another mode than the
kind's default (``nominee.notifications.kinds``), and one row per member for the digest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from nominee import clock
from nominee.db import Base
from nominee.enums import enum_column
from nominee.notifications.kinds import MailMode


class MailPreference(Base):
    """How ``user_id`` gets the email of notification ``kind``."""

    __tablename__ = "mail_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    mode: Mapped[MailMode] = mapped_column(enum_column(MailMode, "mode", length=10))
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


class MailDigest(Base):
    """The member's daily digest: when the last one was composed. A digest collects the
    notifications of kinds in digest mode written since then."""

    __tablename__ = "mail_digests"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    last_digest_at: Mapped[datetime]
