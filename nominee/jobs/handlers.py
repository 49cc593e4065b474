"""The outbox's handlers, given what they need from the running app: the mail settings,
the secret key that signs links, and the URL map that turns endpoints into links. The
handlers themselves (``nominee.mail``) know nothing of Flask.

Publishing's fan-out (``cycle.published``) is a job too: the publish request only
creates the awards and writes that one message; here, after its commit, every nominee
and nominator is told in batches (``awards.services.notify_results``), each committed
on its own with its notifications and their ``notification.created`` messages, and
recorded with them, so a worker killed midway leaves the message due and the next claim
goes on from the first batch not recorded. The integrity scan (``integrity.scan``) runs
the same way, in a session of its own. The sender's own session only reads (its
writes are rolled back), so the batches use sessions of their own.
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from nominee import db
from nominee.awards import services as awards
from nominee.imports import polling
from nominee.imports import services as imports
from nominee.integrity import services as integrity
from nominee.jobs import links
from nominee.linkchecks import services as linkchecks
from nominee.mail import account, notifications
from nominee.mail.notifications import MailContext
from nominee.mail.settings import MailSettings
from nominee.outbound import allow_hosts_from
from nominee.outbox import sender
from nominee.webhooks import services as webhooks

# A message composed ahead (the daily digest), kept whole in the outbox row.
PREPARED_TOPIC = "mail.prepared"


def mail_context() -> MailContext:
    """The running app's (jobs run in its context)."""
    config = current_app.config
    return MailContext(
        MailSettings.from_config(config),
        str(config["SECRET_KEY"]),
        lambda endpoint, values: links.url(endpoint, **values),
    )


def notification_mail(session: Session, payload: Mapping[str, Any]) -> list[EmailMessage]:
    return notifications.notification_mail(session, payload, context=mail_context())


def account_mail(session: Session, payload: Mapping[str, Any]) -> list[EmailMessage]:
    return account.messages_for(MailSettings.from_config(current_app.config), session, payload)


@contextmanager
def writing() -> Iterator[None]:
    """The job writes in sessions of its own (SQLite begins them IMMEDIATE), whatever the
    read-only default of the drain that runs it."""
    token = db.read_only.set(False)
    try:
        yield
    finally:
        db.read_only.reset(token)


def _in_own_transaction(session: Session, work: Callable[[Session], object]) -> None:
    """``work`` in a transaction of its own on ``session``'s database, committed."""
    with writing(), Session(bind=session.get_bind(), expire_on_commit=False) as own:
        work(own)
        own.commit()


def results_fanout(session: Session, payload: Mapping[str, Any]) -> list[EmailMessage]:
    """Each batch in a transaction of its own, committed; no mail itself."""
    after: int | None = 0

    def batch(own: Session) -> None:
        nonlocal after
        after = awards.notify_results(own, payload["cycle_id"], after or 0)

    while after is not None:
        _in_own_transaction(session, batch)
    return []


def integrity_scan(session: Session, payload: Mapping[str, Any]) -> list[EmailMessage]:
    """The scan in a transaction of its own, committed; no mail."""
    _in_own_transaction(session, lambda own: integrity.scan_for_job(own, dict(payload)))
    return []


def csv_import(session: Session, payload: Mapping[str, Any]) -> list[EmailMessage]:
    """A large CSV file's import, in a transaction of its own, committed."""
    _in_own_transaction(session, lambda own: imports.import_for_job(own, payload["batch_id"]))
    return []


def webhook_settings() -> webhooks.DeliverySettings:
    """The running app's: its allow-list, and the outbox's attempts and backoff."""
    config = current_app.config
    policy = sender.Policy.from_config(config)
    return webhooks.DeliverySettings(
        allow_hosts=allow_hosts_from(config),
        max_attempts=policy.max_attempts,
        retry_after=policy.retry_after,
        ca_certs=config.get("OUTBOUND_CA_CERTS"),
    )


def webhook_delivery(session: Session, payload: Mapping[str, Any]) -> list[EmailMessage]:
    """One attempt at a webhook delivery, recorded in transactions of its own; no mail.
    A failed attempt raises ``DeliveryError`` for the outbox to retry or give up."""
    with writing():
        webhooks.deliver(
            current_app.extensions["nominee.sessionmaker"],
            int(payload["delivery_id"]),
            webhook_settings(),
        )
    return []


def feeds_poll(session: Session, payload: Mapping[str, Any]) -> list[EmailMessage]:
    """Poll one feed (a member added it or asked) or every due one (the scheduler, hourly),
    each fetched outside any transaction and recorded in one of its own."""
    config = current_app.config
    bind = session.get_bind()
    polling.poll_feeds(
        lambda: Session(bind=bind, expire_on_commit=False),
        polling.fetcher(allow_hosts_from(config)),
        payload.get("feed_id"),
        polling.poll_every(config),
    )
    return []


# A run of the link checks stops after this long (under the outbox's lease of 120 s, which
# a drain renews only between messages) and asks for another run for the links left.
LINK_CHECK_BUDGET = 60.0


def link_settings() -> linkchecks.CheckSettings:
    config = current_app.config
    return linkchecks.CheckSettings(
        allow_hosts=allow_hosts_from(config), ca_certs=config.get("OUTBOUND_CA_CERTS")
    )


def link_check_run(session: Session, payload: Mapping[str, Any]) -> list[EmailMessage]:
    """The due link checks, each recorded on its own; the rest in a new message."""
    sessions = current_app.extensions["nominee.sessionmaker"]
    with writing():
        report = linkchecks.run_due(sessions, link_settings(), budget=LINK_CHECK_BUDGET)
    if report.more:
        _in_own_transaction(session, linkchecks.request_run)
    return []


def link_check_url(session: Session, payload: Mapping[str, Any]) -> list[EmailMessage]:
    """One link, checked now because its owner asked."""
    with writing():
        linkchecks.check(
            current_app.extensions["nominee.sessionmaker"], str(payload["url"]), link_settings()
        )
    return []


def prepared_mail(session: Session, payload: Mapping[str, Any]) -> list[EmailMessage]:
    message = email.message_from_string(payload["message"], policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return [message]


def register() -> None:
    sender.handle(notifications.TOPIC)(notification_mail)
    sender.handle(account.TOPIC)(account_mail)
    sender.handle(awards.RESULTS_TOPIC)(results_fanout)
    sender.handle(PREPARED_TOPIC)(prepared_mail)
    sender.handle(integrity.SCAN_TOPIC)(integrity_scan)
    sender.handle(imports.POLL_TOPIC)(feeds_poll)
    sender.handle(imports.IMPORT_TOPIC)(csv_import)
    sender.handle(webhooks.TOPIC)(webhook_delivery)
    sender.handle(linkchecks.RUN_TOPIC)(link_check_run)
    sender.handle(linkchecks.URL_TOPIC)(link_check_url)
