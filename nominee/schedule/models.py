from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from nominee import clock
from nominee.db import Base


class ScheduledRun(Base):
    """One due moment of the scheduler that has run, by its key ("cycle:12:open",
    "remind-nominees:12", "digest:2026-11-30", "award-expiring:7", ...).

    The row is written in the transaction of the work it stands for: the work is done
    and recorded, or neither. The unique key is what keeps a moment from running twice,
    whatever the lock did (``services.tick``).
    """

    __tablename__ = "scheduled_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    ran_at: Mapped[datetime] = mapped_column(default=clock.now)
