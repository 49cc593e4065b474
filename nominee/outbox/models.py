from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from nominee import clock
from nominee.db import Base


class OutboxMessage(Base):
    """A message for the world outside (a mail, a webhook), written in the transaction of
    the change it announces.

    A sender takes the messages that are due (``available_at`` passed, not dispatched,
    not locked by another worker: ``locked_by`` until ``locked_until``), counts an
    ``attempt``, and marks them ``dispatched_at`` or keeps the ``last_error`` and moves
    ``available_at`` on to retry later.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "dispatched_at", "available_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    available_at: Mapped[datetime] = mapped_column(default=clock.now)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    dispatched_at: Mapped[datetime | None]
    locked_by: Mapped[str | None] = mapped_column(String(120))
    locked_until: Mapped[datetime | None]
