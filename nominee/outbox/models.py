"""The transactional outbox: what must leave the process, written with the change it
announces and handed on after commit (see ``services``), sent by ``sender``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from nominee import clock
from nominee.db import Base

# Neither sent nor given up: what the sender's due query reads, through a partial index
# that holds only these rows, however many millions were sent before.
PENDING = "dispatched_at IS NULL AND failed_at IS NULL"


class OutboxMessage(Base):
    """A message for the world outside (a mail, a webhook), written in the transaction of
    the change it announces.

    A sender claims the messages that are due (``available_at`` passed, neither
    ``dispatched_at`` nor ``failed_at``, not leased by another worker: ``locked_by``
    until ``locked_until``), counting an ``attempt`` per claim, then marks them
    ``dispatched_at``, or keeps the ``last_error`` and moves ``available_at`` on to retry
    later, or gives up (``failed_at``) after the last attempt or a permanent refusal.
    ``recipients`` are the addresses its mail went (or was to go) to, for the organizers'
    page of failures.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index(
            "ix_outbox_pending",
            "available_at",
            postgresql_where=text(PENDING),
            sqlite_where=text(PENDING),
        ),
        Index(
            "ix_outbox_failed",
            "failed_at",
            postgresql_where=text("failed_at IS NOT NULL"),
            sqlite_where=text("failed_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    available_at: Mapped[datetime] = mapped_column(default=clock.now)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    dispatched_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    recipients: Mapped[str | None] = mapped_column(String(500))
    locked_by: Mapped[str | None] = mapped_column(String(120))
    locked_until: Mapped[datetime | None]
