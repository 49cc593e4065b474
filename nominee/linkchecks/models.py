"""The state of one checked link (per URL: contributions sharing a link share its check)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from nominee.db import Base


class LinkCheck(Base):
    """The latest check of ``url``: its answer (``status_code``, or ``error`` when none
    came), when it last answered well, since when it fails (``failing_since``, reset by a
    good answer) and since when it is broken (``broken_since``: a 404 or 410, or a second
    failure at least a day after the first), and when its owners were told."""

    __tablename__ = "link_checks"
    __table_args__ = (
        Index("ix_link_checks_broken_since", "broken_since"),
        Index("ix_link_checks_checked_at", "checked_at"),
        # Pages join their evidence to its check by URL: equality only, and a hash index
        # on PostgreSQL takes URLs of any length (a B-tree entry must fit a third of a page).
        Index("ix_link_checks_url", "url", postgresql_using="hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    url_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the URL
    url: Mapped[str] = mapped_column(String(2000))
    checked_at: Mapped[datetime]
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    final_url: Mapped[str | None] = mapped_column(String(2000))
    ok_at: Mapped[datetime | None]
    failing_since: Mapped[datetime | None]
    failures: Mapped[int] = mapped_column(default=0)
    broken_since: Mapped[datetime | None]
    notified_at: Mapped[datetime | None]

    @property
    def broken(self) -> bool:
        return self.broken_since is not None
