"""Webhook endpoints, their deliveries and each delivery's attempts."""

from __future__ import annotations

import enum
import json
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nominee import clock
from nominee.db import Base
from nominee.enums import enum_column
from nominee.i18n import N_, _


class WebhookEndpoint(Base):
    """An organizer's receiver: a URL, the event types it wants and the secret its
    deliveries are signed with.

    ``secret`` must be kept readable (it signs every delivery); it is shown once, when the
    endpoint is created or the secret rotated. After a rotation the previous secret also
    signs deliveries until ``previous_secret_until``, so the receiver can switch over.
    """

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    secret: Mapped[str] = mapped_column(String(100))
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_until: Mapped[datetime | None]
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


UNDELIVERED = "status <> 'delivered'"


_STATUS_LABELS = {
    "pending": N_("Pending"),
    "retrying": N_("Retrying"),
    "delivered": N_("Delivered"),
    "failed": N_("Failed"),
    "refused": N_("Refused"),
    "skipped": N_("Skipped"),
}


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its first attempt
    RETRYING = "retrying"  # an attempt failed; another follows
    DELIVERED = "delivered"  # a 2xx answer
    FAILED = "failed"  # every attempt failed
    REFUSED = "refused"  # the outbound guard refused the address: never sent
    SKIPPED = "skipped"  # the endpoint was disabled before it was sent

    @property
    def label(self) -> str:
        return _(_STATUS_LABELS[self.value])


class WebhookDelivery(Base):
    """One event for one endpoint: the exact body sent on every attempt (a redelivery is
    a new delivery of the same body and event id)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_endpoint_id_id", "endpoint_id", "id"),
        Index("ix_webhook_deliveries_event_id", "event_id"),
        # The few not delivered, for the endpoints' list, however many were delivered.
        Index(
            "ix_webhook_deliveries_undelivered",
            "endpoint_id",
            "status",
            postgresql_where=text(UNDELIVERED),
            sqlite_where=text(UNDELIVERED),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(40))
    event_type: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column(DeliveryStatus, "webhook_delivery_status", 16), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    response_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    delivered_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
    redelivery_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="SET NULL")
    )

    endpoint: Mapped[WebhookEndpoint] = relationship()

    @property
    def payload(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.body)
        return loaded


class AttemptOutcome(enum.StrEnum):
    DELIVERED = "delivered"
    FAILED = "failed"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return _(_STATUS_LABELS[self.value])


class WebhookAttempt(Base):
    """One try of a delivery: when, how long, the answer's status code or the error."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_delivery_id", "delivery_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE")
    )
    number: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(default=clock.now)
    duration_ms: Mapped[int] = mapped_column(default=0)
    outcome: Mapped[AttemptOutcome] = mapped_column(
        enum_column(AttemptOutcome, "webhook_attempt_outcome", 16)
    )
    response_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
