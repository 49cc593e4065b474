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
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from nominee import db, outbound
from nominee.awards import services as awards
from nominee.imports import polling
from nominee.imports import services as imports
from nominee.integrity import services as integrity
from nominee.jobs import links
from nominee.mail import account, notifications
from nominee.mail.notifications import MailContext
from nominee.mail.settings import MailSettings
from nominee.outbox import sender

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


def results_fanout(session: Session, payload: Mapping[str, Any]) -> list[EmailMessage]:
    """Each batch in a transaction of its own, committed; no mail itself."""
    token = db.read_only.set(False)  # the batches write: SQLite begins IMMEDIATE
    try:
        after: int | None = 0
        while after is not None:
            with Session(bind=session.get_bind(), expire_on_commit=False) as batch:
                after = awards.notify_results(batch, payload["cycle_id"], after)
                batch.commit()
    finally:
        db.read_only.reset(token)
    return []


def integrity_scan(session: Session, payload: Mapping[str, Any]) -> list[EmailMessage]:
    """The scan in a transaction of its own, committed; no mail."""
    token = db.read_only.set(False)
    try:
        with Session(bind=session.get_bind(), expire_on_commit=False) as work:
            integrity.scan_for_job(work, dict(payload))
            work.commit()
    finally:
        db.read_only.reset(token)
    return []


def csv_import(session: Session, payload: Mapping[str, Any]) -> list[EmailMessage]:
    """A large CSV file's import, in a transaction of its own, committed."""
    token = db.read_only.set(False)
    try:
        with Session(bind=session.get_bind(), expire_on_commit=False) as work:
            imports.import_for_job(work, payload["batch_id"])
            work.commit()
    finally:
        db.read_only.reset(token)
    return []


def feeds_poll(session: Session, payload: Mapping[str, Any]) -> list[EmailMessage]:
    """Poll one feed (a member added it or asked) or every due one (the scheduler, hourly),
    each fetched outside any transaction and recorded in one of its own."""
    config = current_app.config
    bind = session.get_bind()
    polling.poll_feeds(
        lambda: Session(bind=bind, expire_on_commit=False),
        polling.fetcher(outbound.allow_hosts_from(config)),
        payload.get("feed_id"),
        polling.poll_every(config),
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
