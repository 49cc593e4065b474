"""Reads of webhooks for the organizers' pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Select, func, select, text
from sqlalchemy.orm import Session

from nominee.pagination import Page, paginate
from nominee.webhooks.models import (
    UNDELIVERED,
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)


def endpoints(session: Session) -> Sequence[WebhookEndpoint]:
    return session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)).all()


def undelivered_counts(session: Session) -> dict[int, dict[DeliveryStatus, int]]:
    """Per endpoint, how many deliveries wait, are retried, failed or were refused (one
    grouped query on the partial index of those: the delivered ones are not read)."""
    rows = session.execute(
        select(WebhookDelivery.endpoint_id, WebhookDelivery.status, func.count())
        .where(text(UNDELIVERED))
        .group_by(WebhookDelivery.endpoint_id, WebhookDelivery.status)
    )
    counts: dict[int, dict[DeliveryStatus, int]] = {}
    for endpoint_id, status, count in rows:
        counts.setdefault(endpoint_id, {})[status] = count
    return counts


def deliveries(session: Session, endpoint_id: int, page: int, per_page: int) -> Page:
    """The endpoint's deliveries, newest first: rows of the columns the list shows (not
    the bodies sent, which only a delivery's own page reads); the oldest pages read
    from the oldest end."""
    listed = cast(
        "Select[Any]",
        select(
            WebhookDelivery.id,
            WebhookDelivery.event_type,
            WebhookDelivery.status,
            WebhookDelivery.attempts,
            WebhookDelivery.response_code,
            WebhookDelivery.last_error,
            WebhookDelivery.created_at,
            WebhookDelivery.next_attempt_at,
        ).where(WebhookDelivery.endpoint_id == endpoint_id),
    )
    return paginate(
        session,
        listed.order_by(WebhookDelivery.id.desc()),
        page,
        per_page,
        scalars=False,
        backwards=listed.order_by(WebhookDelivery.id),
    )


def attempts(session: Session, delivery_id: int) -> Sequence[WebhookAttempt]:
    return session.scalars(
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id == delivery_id)
        .order_by(WebhookAttempt.number)
    ).all()
