"""Drain the outbox: claim due messages, turn each into mail, send it, mark it.

Reliability, in three short transactions per batch and none held while talking to
the mail server:

1. **Claim** (``claim``): the due messages (neither dispatched nor failed,
   ``available_at`` passed, no live lease) get this worker's ``locked_by`` and a lease
   (``locked_until``), and one more ``attempt``. PostgreSQL reads them ``FOR UPDATE SKIP
   LOCKED``, so concurrent workers take disjoint rows without waiting; SQLite runs the
   claim under ``BEGIN IMMEDIATE`` (``nominee.db``), one writer at a time. Committed
   before anything is sent.
2. **Send**: the topic's handler (``HANDLERS``) builds the messages in a session of
   its own, which only reads (what a handler writes is rolled back: state changes
   belong to the service that wrote the outbox message); ``transport.send`` hands each
   over. Each mail's Message-ID is derived from the outbox message
   (``<nominee.outbox.ID.N.CREATED@domain>``), so a copy sent again after a crash is
   recognisable as the same mail.
3. **Mark** (``_finish``): ``dispatched_at``, or on ``MailError`` (or a handler that
   raised): temporary -> ``available_at`` moves on by the backoff (1 min, 5 min,
   30 min, 2 h, 6 h) until ``max_attempts`` claims, then ``failed_at``; permanent ->
   ``failed_at`` at once. Only while ``locked_by`` is still this worker's.

A worker killed between 1 and 3 loses nothing: its lease expires and another worker
claims the message again (a message sent but not yet marked is then sent twice, with
the same Message-ID: the one window SMTP, which has no idempotency, leaves). No two
workers send one message at once: a claim skips live leases, and a worker renews the
leases of its batch before they run short, dropping the messages it no longer holds.
Counting attempts at the claim gives a message that crashes its worker every time a
limit too.

A handler may deliver by itself (``webhook.delivery``, ``nominee.webhooks``) and return
``[]``; it raises ``DeliveryError`` for a failure, temporary (retried with the backoff) or
not (given up at once), as a mail's ``MailError`` does.

Topics without a handler (``award.*``: webhooks get their own deliveries, see
``nominee.receivers``) are marked dispatched without sending anything. A handler
returning ``[]`` means "nothing to send" (a preference turned off, a digest later): the
message is marked dispatched too.
"""

from __future__ import annotations

import logging
import os
import socket
import ssl
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from nominee import clock, db
from nominee.mail import transport
from nominee.mail.settings import MailSettings
from nominee.mail.transport import MailError
from nominee.outbox.models import OutboxMessage

log = logging.getLogger("nominee.outbox.sender")

Handler = Callable[[Session, dict[str, Any]], list[EmailMessage]]
HANDLERS: dict[str, Handler] = {}

# After the 1st, 2nd, ... failed attempt; the last one repeats.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
MAX_ERROR_LENGTH = 2000
MAX_RECIPIENTS_LENGTH = 500


class DeliveryError(Exception):
    """A handler that delivers by itself (a webhook) failed: retried like a mail while
    ``temporary`` and attempts remain, given up at once otherwise."""

    def __init__(self, message: str, *, temporary: bool = True) -> None:
        super().__init__(message)
        self.temporary = temporary


def handle(topic: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of ``topic``'s messages."""

    def register(handler: Handler) -> Handler:
        HANDLERS[topic] = handler
        return handler

    return register


def worker_id() -> str:
    """``host:pid:random``: unique per worker, readable in the table."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:120]


@dataclass(frozen=True)
class Policy:
    """How hard the sender tries: ``MAIL_MAX_ATTEMPTS``, ``OUTBOX_LEASE_SECONDS`` and
    ``OUTBOX_BATCH`` from the configuration.

    The lease must outlast the sending of one message (a few exchanges of
    ``MAIL_TIMEOUT`` each at worst); the worker renews it for the rest of its batch.
    """

    max_attempts: int = 6
    lease: timedelta = timedelta(minutes=2)
    batch: int = 50
    backoff: Sequence[timedelta] = BACKOFF

    @classmethod
    def from_config(cls, config: Any) -> Policy:
        return cls(
            max_attempts=int(config.get("MAIL_MAX_ATTEMPTS", 6)),
            lease=timedelta(seconds=float(config.get("OUTBOX_LEASE_SECONDS", 120))),
            batch=int(config.get("OUTBOX_BATCH", 50)),
        )

    def retry_after(self, attempts: int) -> timedelta:
        return self.backoff[min(max(attempts, 1), len(self.backoff)) - 1]


@dataclass(frozen=True)
class Claimed:
    """A claimed message, as plain values (its session has committed)."""

    id: int
    topic: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime


@dataclass
class Report:
    """What one drain did: messages (outbox rows) per outcome, and mails sent."""

    dispatched: int = 0
    skipped: int = 0  # no handler for the topic, or the handler had nothing to send
    retrying: int = 0
    failed: int = 0
    lost: int = 0  # the lease ran out and another worker took the message over
    mails: int = 0
    more: bool = False  # stopped by its time budget with messages still due
    errors: list[str] = field(default_factory=list)


@contextmanager
def _writing(read_only: bool = False) -> Iterator[None]:
    """SQLite begins ``IMMEDIATE`` for writes, deferred for reads (``nominee.db``); a
    thread or job does not inherit a request's setting, so say which."""
    token = db.read_only.set(read_only)
    try:
        yield
    finally:
        db.read_only.reset(token)


def _due(now: datetime) -> Any:
    return (
        OutboxMessage.dispatched_at.is_(None),
        OutboxMessage.failed_at.is_(None),
        OutboxMessage.available_at <= now,
        or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until <= now),
    )


def claim(
    sessions: Callable[[], Session], worker: str, policy: Policy, limit: int | None = None
) -> list[Claimed]:
    """Lease up to ``limit`` due messages to ``worker`` and commit (see the module)."""
    now = clock.now()
    with _writing(), sessions() as session:
        ids = list(
            session.scalars(
                select(OutboxMessage.id)
                .where(*_due(now))
                .order_by(OutboxMessage.available_at, OutboxMessage.id)
                .limit(limit or policy.batch)
                .with_for_update(skip_locked=True)
            )
        )
        if not ids:
            session.rollback()
            return []
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(
                locked_by=worker,
                locked_until=now + policy.lease,
                attempts=OutboxMessage.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        rows = session.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.topic,
                OutboxMessage.payload,
                OutboxMessage.attempts,
                OutboxMessage.created_at,
            )
            .where(OutboxMessage.id.in_(ids))
            .order_by(OutboxMessage.id)
        ).all()
        session.commit()
    return [Claimed(r.id, r.topic, dict(r.payload or {}), r.attempts, r.created_at) for r in rows]


def _renew(
    sessions: Callable[[], Session], worker: str, ids: Sequence[int], policy: Policy
) -> tuple[set[int], datetime]:
    """Extend the leases of ``ids`` still held by ``worker``: (those ids, new end)."""
    until = clock.now() + policy.lease
    with _writing(), sessions() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.locked_by == worker)
            .values(locked_until=until)
            .execution_options(synchronize_session=False)
        )
        held = set(
            session.scalars(
                select(OutboxMessage.id).where(
                    OutboxMessage.id.in_(ids), OutboxMessage.locked_by == worker
                )
            )
        )
        session.commit()
    return held, until


def _finish(
    sessions: Callable[[], Session], worker: str, message_id: int, values: dict[str, Any]
) -> bool:
    """Write the outcome and release the lease, if ``worker`` still holds it."""
    with _writing(), sessions() as session:
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.locked_by == worker)
            .values(**values, locked_by=None, locked_until=None)
            .execution_options(synchronize_session=False)
        )
        session.commit()
    return bool(getattr(result, "rowcount", 0) == 1)


def message_id(claimed: Claimed, index: int, domain: str) -> str:
    """The Message-ID of the ``index``-th mail of ``claimed``: the same on every attempt."""
    return f"<nominee.outbox.{claimed.id}.{index}.{claimed.created_at:%Y%m%d%H%M%S}@{domain}>"


def build(sessions: Callable[[], Session], claimed: Claimed) -> list[EmailMessage] | None:
    """The mails of ``claimed`` from its topic's handler, None when no handler has it."""
    handler = HANDLERS.get(claimed.topic)
    if handler is None:
        return None
    with _writing(read_only=True), sessions() as session:
        try:
            return handler(session, dict(claimed.payload))
        finally:
            session.rollback()


def _recipients(mails: Sequence[EmailMessage]) -> str | None:
    found = ", ".join(str(mail["To"]) for mail in mails if mail["To"])
    return found[:MAX_RECIPIENTS_LENGTH] or None


def deliver(
    sessions: Callable[[], Session],
    settings: MailSettings,
    worker: str,
    claimed: Claimed,
    policy: Policy,
    report: Report,
    *,
    tls: ssl.SSLContext | None = None,
) -> None:
    """Build, send and mark one claimed message (see the module). ``tls``: the context
    for STARTTLS and ``smtps://`` (made once per drain: loading the system's certificates
    costs more than sending a message)."""
    mails: list[EmailMessage] = []
    try:
        built = build(sessions, claimed)
        if built is None:
            log.debug("outbox %s: no handler for %s, marked dispatched", claimed.id, claimed.topic)
        mails = built or []
        domain = settings.message_id_domain
        for index, mail in enumerate(mails):
            del mail["Message-ID"]
            mail["Message-ID"] = message_id(claimed, index, domain)
            transport.send(settings, mail, tls=tls)
            report.mails += 1
    except Exception as exc:
        known = isinstance(exc, MailError | DeliveryError)
        temporary = exc.temporary if isinstance(exc, MailError | DeliveryError) else True
        if not known:
            log.exception("outbox %s (%s): the handler failed", claimed.id, claimed.topic)
        error = str(exc) if known else f"{type(exc).__name__}: {exc}"
        now = clock.now()
        values: dict[str, Any] = {
            "last_error": error[:MAX_ERROR_LENGTH],
            "recipients": _recipients(mails),
        }
        if temporary and claimed.attempts < policy.max_attempts:
            values["available_at"] = now + policy.retry_after(claimed.attempts)
            outcome = "retrying"
        else:
            values["failed_at"] = now
            outcome = "failed"
        log.warning(
            "outbox %s (%s) attempt %s: %s; %s",
            claimed.id,
            claimed.topic,
            claimed.attempts,
            error,
            "retrying" if outcome == "retrying" else "given up",
        )
        if _finish(sessions, worker, claimed.id, values):
            setattr(report, outcome, getattr(report, outcome) + 1)
            report.errors.append(error)
        else:
            report.lost += 1
        return
    values = {"dispatched_at": clock.now(), "recipients": _recipients(mails)}
    if not _finish(sessions, worker, claimed.id, values):
        log.warning("outbox %s: lease lost while sending; another worker took it", claimed.id)
        report.lost += 1
    elif mails:
        report.dispatched += 1
    else:
        report.skipped += 1


def drain(
    sessions: Callable[[], Session],
    settings: MailSettings,
    policy: Policy | None = None,
    *,
    worker: str | None = None,
    budget: timedelta | None = None,
    on_full_batch: Callable[[], None] | None = None,
) -> Report:
    """Send every due message, batch by batch, until none is due (or ``budget`` has
    passed: ``report.more`` then says that messages wait). ``on_full_batch`` is called
    when a claim took a whole batch, so more may wait: a worker queue asks for another
    drain there, which an idle worker takes up alongside."""
    policy = policy or Policy()
    worker = worker or worker_id()
    report = Report()
    tls = ssl.create_default_context() if settings.url is not None else None
    started = clock.now()
    while True:
        if budget is not None and clock.now() - started > budget:
            report.more = True
            return report
        batch = claim(sessions, worker, policy)
        if not batch:
            return report
        if on_full_batch is not None and len(batch) == policy.batch:
            on_full_batch()
        held = {claimed.id for claimed in batch}
        lease_ends = clock.now() + policy.lease
        for position, claimed in enumerate(batch):
            if lease_ends - clock.now() < policy.lease / 2:
                rest = [c.id for c in batch[position:] if c.id in held]
                held, lease_ends = _renew(sessions, worker, rest, policy)
            if claimed.id not in held:
                report.lost += 1
                continue
            deliver(sessions, settings, worker, claimed, policy, report, tls=tls)
