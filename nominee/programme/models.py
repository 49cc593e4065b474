from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from nominee import clock
from nominee.db import Base

SETTINGS_ID = 1  # the one row


class ProgrammeSettings(Base):
    """The programme's settings as its organizers set them (one row, id 1). Empty values
    fall back to the configuration (``PROGRAMME_NAME``, ``PROGRAMME_TIME_ZONE``).
    ``set_up_at`` is when an organizer finished the first-run set-up (``/setup``)."""

    __tablename__ = "programme_settings"

    id: Mapped[int] = mapped_column(primary_key=True, default=SETTINGS_ID)
    name: Mapped[str] = mapped_column(String(80), default="")
    time_zone: Mapped[str] = mapped_column(String(64), default="")
    set_up_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime | None] = mapped_column(default=clock.now, onupdate=clock.now)
