"""Webhooks: endpoints (organizers' operations, audited), the fan-out of domain events
to them, and the delivery of one delivery (a job's work).

**Fan-out** (``announce``): a receiver (``nominee.receivers``) calls it in the
transaction of the change; each enabled endpoint subscribed to the event type gets a
``WebhookDelivery`` holding the exact body, and the outbox a ``webhook.delivery``
message for it. Nothing leaves unless the change commits; the outbox's sender (a job)
claims the message after commit and calls ``deliver``.

**Delivery** (``deliver``): reads the delivery, POSTs its body through the outbound
guard (``nominee.outbound``: no private address, no redirect followed, 10 s) signed
with the endpoint's secret, and records the attempt in a transaction of its own. A 2xx
answer delivers it; another answer or a network error fails the attempt, which the
outbox retries with its backoff (1 min, 5 min, 30 min, 2 h, 6 h) up to its number of
attempts; an address the guard refuses is never retried (``refused``); a disabled
endpoint's waiting deliveries are ``skipped``.

Flask-free: plain functions of a session (or a session factory) and plain values.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction, joinedload

from nominee import audit, clock, outbound
from nominee.accounts.models import User
from nominee.cycles.models import CycleStatus
from nominee.errors import Conflict, DomainError, NotFound, PermissionDenied
from nominee.i18n import _
from nominee.nominations.models import NominationStatus
from nominee.outbox import services as outbox
from nominee.outbox.sender import DeliveryError
from nominee.webhooks import rules
from nominee.webhooks.models import (
    AttemptOutcome,
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

TOPIC = "webhook.delivery"
MAX_RESPONSE_BYTES = 64 * 1024  # what is read of a receiver's answer (then dropped)
MAX_ERROR_LENGTH = 1000
_ENDPOINTS = "webhook_endpoints"  # session.info: the transaction's subscribed endpoints
FINAL = frozenset(
    {
        DeliveryStatus.DELIVERED,
        DeliveryStatus.FAILED,
        DeliveryStatus.REFUSED,
        DeliveryStatus.SKIPPED,
    }
)


def _check(actor: User) -> None:
    if not rules.can_manage(actor):
        raise PermissionDenied(_("Only organizers manage webhooks."))


def new_secret() -> str:
    return rules.SECRET_PREFIX + secrets.token_urlsafe(32)


def _validated(
    url: str, events: Iterable[str], allow_hosts: frozenset[str]
) -> tuple[str, list[str]]:
    url = url.strip()
    problem = rules.url_problem(url, allow_hosts)
    if problem:
        raise DomainError(problem, field="url")
    chosen = list(dict.fromkeys(events))
    if not chosen:
        raise DomainError(_("Choose at least one event."), field="events")
    if rules.unknown_events(chosen):
        raise DomainError(_("Choose among the events listed."), field="events")
    return url, chosen


def create_endpoint(
    session: Session,
    actor: User,
    *,
    url: str,
    events: Iterable[str],
    description: str = "",
    allow_hosts: frozenset[str] = frozenset(),
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; answers it and its secret (shown to the organizer once)."""
    _check(actor)
    url, chosen = _validated(url, events, allow_hosts)
    secret = new_secret()
    endpoint = WebhookEndpoint(
        url=url,
        events=chosen,
        description=description.strip(),
        secret=secret,
        created_by_id=actor.id,
    )
    session.add(endpoint)
    session.flush()
    session.info.pop(_ENDPOINTS, None)
    audit.record(session, actor, "webhook.created", endpoint, after={"url": url, "events": chosen})
    return endpoint, secret


def update_endpoint(
    session: Session,
    actor: User,
    endpoint: WebhookEndpoint,
    *,
    url: str,
    events: Iterable[str],
    description: str = "",
    allow_hosts: frozenset[str] = frozenset(),
) -> None:
    _check(actor)
    url, chosen = _validated(url, events, allow_hosts)
    before = {"url": endpoint.url, "events": endpoint.events, "description": endpoint.description}
    endpoint.url, endpoint.events, endpoint.description = url, chosen, description.strip()
    after = {"url": url, "events": chosen, "description": endpoint.description}
    if before == after:
        return
    session.flush()
    session.info.pop(_ENDPOINTS, None)
    audit.record(session, actor, "webhook.updated", endpoint, before=before, after=after)


def rotate_secret(session: Session, actor: User, endpoint: WebhookEndpoint) -> str:
    """A new secret (answered, to show once); the old one keeps signing alongside it for
    ``rules.ROTATION_OVERLAP``."""
    _check(actor)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = clock.now() + rules.ROTATION_OVERLAP
    endpoint.secret = new_secret()
    session.flush()
    audit.record(
        session,
        actor,
        "webhook.secret_rotated",
        endpoint,
        after={"url": endpoint.url, "old_secret_until": endpoint.previous_secret_until},
    )
    return endpoint.secret


def set_enabled(session: Session, actor: User, endpoint: WebhookEndpoint, enabled: bool) -> None:
    _check(actor)
    if endpoint.enabled == enabled:
        return
    endpoint.enabled = enabled
    session.flush()
    session.info.pop(_ENDPOINTS, None)
    action = "webhook.enabled" if enabled else "webhook.disabled"
    audit.record(session, actor, action, endpoint, after={"url": endpoint.url})


def delete_endpoint(session: Session, actor: User, endpoint: WebhookEndpoint) -> None:
    """Remove the endpoint and its deliveries' record."""
    _check(actor)
    audit.record(
        session,
        actor,
        "webhook.deleted",
        endpoint,
        before={"url": endpoint.url, "events": endpoint.events},
    )
    session.delete(endpoint)
    session.flush()
    session.info.pop(_ENDPOINTS, None)


def redeliver(session: Session, actor: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send ``delivery``'s body again, as a new delivery of the same event (the receiver
    recognises the event by its id, the attempt by ``Nominee-Delivery``)."""
    _check(actor)
    endpoint = delivery.endpoint
    if not endpoint.enabled:
        raise Conflict(_("This endpoint is disabled: enable it to send deliveries again."))
    again = WebhookDelivery(
        endpoint_id=endpoint.id,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        body=delivery.body,
        redelivery_of_id=delivery.id,
    )
    session.add(again)
    session.flush()
    outbox.put(session, TOPIC, {"delivery_id": again.id})
    audit.record(
        session,
        actor,
        "webhook.redelivered",
        again,
        after={"url": endpoint.url, "event": delivery.event_type, "of": delivery.id},
    )
    return again


def get_endpoint(session: Session, actor: User, endpoint_id: int) -> WebhookEndpoint:
    _check(actor)
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound(_("No such webhook endpoint."))
    return endpoint


def get_delivery(
    session: Session, actor: User, endpoint: WebhookEndpoint, delivery_id: int
) -> WebhookDelivery:
    _check(actor)
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.endpoint_id != endpoint.id:
        raise NotFound(_("No such delivery."))
    return delivery


# Fan-out


def _subscribed(session: Session) -> list[tuple[int, frozenset[str]]]:
    """The enabled endpoints and their events, read once per transaction (publishing
    announces an event per award)."""
    cached: list[tuple[int, frozenset[str]]] | None = session.info.get(_ENDPOINTS)
    if cached is None:
        rows = session.execute(
            select(WebhookEndpoint.id, WebhookEndpoint.events).where(
                WebhookEndpoint.enabled.is_(True)
            )
        )
        cached = [(endpoint_id, frozenset(events or ())) for endpoint_id, events in rows]
        session.info[_ENDPOINTS] = cached
    return cached


def forget_endpoints(session: Session) -> None:
    """Drop the transaction's cache of endpoints (at its end: ``receivers``)."""
    session.info.pop(_ENDPOINTS, None)


def event_body(event_type: str, data: dict[str, Any]) -> tuple[str, str]:
    """(event id, JSON body) of a new event."""
    event_id = f"evt_{uuid.uuid4().hex}"
    created = clock.now().astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    body = json.dumps(
        {"id": event_id, "type": event_type, "created": created, "data": data},
        separators=(",", ":"),
        default=str,
    )
    return event_id, body


def announce(session: Session, event_type: str, data: dict[str, Any]) -> list[WebhookDelivery]:
    """A delivery (and its outbox message) for each enabled endpoint subscribed to
    ``event_type``, in the current transaction."""
    assert event_type in rules.EVENT_TYPES, event_type
    targets = [eid for eid, events in _subscribed(session) if event_type in events]
    if not targets:
        return []
    event_id, body = event_body(event_type, data)
    deliveries = [
        WebhookDelivery(endpoint_id=eid, event_id=event_id, event_type=event_type, body=body)
        for eid in targets
    ]
    session.add_all(deliveries)
    session.flush()
    for delivery in deliveries:
        outbox.put(session, TOPIC, {"delivery_id": delivery.id})
    return deliveries


# Delivery


@dataclass(frozen=True)
class DeliverySettings:
    """What ``deliver`` needs of the configuration: the ``OUTBOUND_ALLOW_HOSTS``, the
    outbox's number of attempts and its backoff (to show when the next one comes)."""

    allow_hosts: frozenset[str] = frozenset()
    max_attempts: int = 6
    retry_after: Callable[[int], timedelta] = lambda attempts: timedelta(minutes=1)
    timeout: float = outbound.DEFAULT_TIMEOUT
    ca_certs: str | None = None


@dataclass(frozen=True)
class _Outgoing:
    url: str
    body: bytes
    headers: dict[str, str]


def _outgoing(delivery: WebhookDelivery) -> _Outgoing:
    endpoint = delivery.endpoint
    timestamp = int(time.time())
    body = delivery.body.encode()
    signing: list[str] = [endpoint.secret]
    until = endpoint.previous_secret_until
    if endpoint.previous_secret and until is not None and until > clock.now():
        signing.append(endpoint.previous_secret)
    headers = {
        "Content-Type": "application/json",
        rules.EVENT_HEADER: delivery.event_type,
        rules.DELIVERY_HEADER: str(delivery.id),
        rules.SIGNATURE_HEADER: rules.signature_header(signing, timestamp, body),
    }
    return _Outgoing(endpoint.url, body, headers)


def deliver(
    sessions: Callable[[], Session], delivery_id: int, settings: DeliverySettings
) -> DeliveryStatus | None:
    """Make one attempt at ``delivery_id`` (see the module); answers its status after it,
    None when there is no such delivery. Raises ``DeliveryError`` when the attempt
    failed (``temporary`` while attempts remain), for the outbox to retry or give up."""
    with sessions() as session:
        delivery = session.scalar(
            select(WebhookDelivery)
            .options(joinedload(WebhookDelivery.endpoint))
            .where(WebhookDelivery.id == delivery_id)
        )
        if delivery is None or delivery.status in FINAL:
            session.rollback()
            return delivery.status if delivery else None
        if not delivery.endpoint.enabled:
            delivery.status = DeliveryStatus.SKIPPED
            delivery.next_attempt_at = None
            session.commit()
            return DeliveryStatus.SKIPPED
        outgoing = _outgoing(delivery)
        session.rollback()

    started = clock.now()
    began = time.monotonic()
    code: int | None = None
    error: str | None = None
    try:
        response = outbound.fetch(
            outgoing.url,
            method="POST",
            body=outgoing.body,
            headers=outgoing.headers,
            timeout=settings.timeout,
            max_redirects=0,
            max_bytes=MAX_RESPONSE_BYTES,
            allow_hosts=settings.allow_hosts,
            ca_certs=settings.ca_certs,
        )
    except outbound.OutboundTooLarge as exc:
        outcome, error = AttemptOutcome.FAILED, exc.reason
    except outbound.OutboundRefused as exc:
        outcome, error = AttemptOutcome.REFUSED, _("Refused: %(reason)s", reason=exc.reason)
    except outbound.OutboundError as exc:
        outcome, error = AttemptOutcome.FAILED, exc.reason
    else:
        code = response.status
        if response.ok:
            outcome = AttemptOutcome.DELIVERED
        else:
            outcome = AttemptOutcome.FAILED
            error = _("The endpoint answered %(status)s.", status=response.status)
    duration_ms = round((time.monotonic() - began) * 1000)
    status = _record(sessions, delivery_id, settings, started, duration_ms, outcome, code, error)
    if status == DeliveryStatus.RETRYING:
        raise DeliveryError(error or "failed", temporary=True)
    if status in (DeliveryStatus.FAILED, DeliveryStatus.REFUSED):
        raise DeliveryError(error or "failed", temporary=False)
    return status


def _record(
    sessions: Callable[[], Session],
    delivery_id: int,
    settings: DeliverySettings,
    started: Any,
    duration_ms: int,
    outcome: AttemptOutcome,
    code: int | None,
    error: str | None,
) -> DeliveryStatus | None:
    with sessions() as session:
        delivery = session.get(WebhookDelivery, delivery_id, with_for_update=True)
        if delivery is None:  # its endpoint was deleted meanwhile
            session.rollback()
            return None
        delivery.attempts += 1
        session.add(
            WebhookAttempt(
                delivery_id=delivery_id,
                number=delivery.attempts,
                started_at=started,
                duration_ms=duration_ms,
                outcome=outcome,
                response_code=code,
                error=error[:MAX_ERROR_LENGTH] if error else None,
            )
        )
        delivery.response_code = code
        delivery.last_error = error[:MAX_ERROR_LENGTH] if error else None
        delivery.next_attempt_at = None
        if outcome == AttemptOutcome.DELIVERED:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = clock.now()
        elif outcome == AttemptOutcome.REFUSED:
            delivery.status = DeliveryStatus.REFUSED
        elif delivery.attempts >= settings.max_attempts:
            delivery.status = DeliveryStatus.FAILED
        else:
            delivery.status = DeliveryStatus.RETRYING
            delivery.next_attempt_at = clock.now() + settings.retry_after(delivery.attempts)
        status = delivery.status
        session.commit()
    return status


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    # Endpoints change between transactions: read them again in the next one.
    if transaction.parent is None:
        session.info.pop(_ENDPOINTS, None)


# The domain events, announced (called by ``nominee.receivers``)


def on_nomination_moved(nomination: Any, *, session: Session, new: Any, action: str) -> None:
    if new != NominationStatus.SUBMITTED:
        return
    data = {
        "nomination_id": nomination.id,
        "cycle_id": nomination.cycle_id,
        "category_id": nomination.category_id,
        "nominee_id": nomination.nominee_id,
        "nominator_id": nomination.nominator_id,
        "kind": nomination.kind.value,
        "action": action,
    }
    announce(session, "nomination.submitted", data)


def on_cycle_moved(cycle: Any, *, session: Session, old: Any, new: Any) -> None:
    data = {"cycle_id": cycle.id, "name": cycle.name, "from": old.value, "to": new.value}
    announce(session, "cycle.moved", data)
    if new == CycleStatus.PUBLISHED:
        announce(session, "results.published", {"cycle_id": cycle.id, "name": cycle.name})


def on_award(session: Session, event_type: str, award: Any) -> None:
    data = {
        "award_id": award.id,
        "verification_id": award.verification_id,
        "member_id": award.member_id,
        "category_id": award.category_id,
        "cycle_id": award.cycle_id,
        "starts_on": award.starts_on,
        "ends_on": award.ends_on,
        "status": award.status.value,
    }
    announce(session, event_type, data)
