"""What organizers tune: the score's settings per cycle, the guidance per category."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from nominee import clock
from nominee.db import Base


class ImpactSettings(Base):
    """A cycle's impact score settings. A cycle without a row uses the defaults
    (``rules.DEFAULTS``); changing one cycle's row changes that cycle's scores only."""

    __tablename__ = "impact_settings"

    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("cycles.id", ondelete="CASCADE"), primary_key=True
    )
    reach_weight: Mapped[float]
    type_cap: Mapped[float]
    month_points: Mapped[float]
    type_points: Mapped[float]
    category_points: Mapped[float]
    endorsement_points: Mapped[float]
    # Points per contribution type in this cycle, by type id (as a string: JSON keys);
    # a type not named here counts its type's weight.
    type_weights: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime | None] = mapped_column(default=clock.now, onupdate=clock.now)


class GuidanceMode(enum.StrEnum):
    FIXED = "fixed"
    MEDIAN_AWARDEE = "median_awardee"


class ImpactGuidance(Base):
    """What the programme expects in a category, shown on the eligibility meter."""

    __tablename__ = "impact_guidance"

    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True
    )
    mode: Mapped[GuidanceMode] = mapped_column(
        Enum(
            GuidanceMode,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=GuidanceMode.MEDIAN_AWARDEE,
    )
    score: Mapped[float | None]
