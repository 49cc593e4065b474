"""The outbox's handlers, given what they need from the running app: the mail settings,
the secret key that signs links, and the URL map that turns endpoints into links. The
handlers themselves (``nominee.mail``) know nothing of Flask."""

from __future__ import annotations

from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from nominee.jobs import links
from nominee.mail import account, notifications
from nominee.mail.notifications import MailContext
from nominee.mail.settings import MailSettings
from nominee.outbox import sender


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


def register() -> None:
    sender.handle(notifications.TOPIC)(notification_mail)
    sender.handle(account.TOPIC)(account_mail)
