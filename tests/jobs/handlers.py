"""A handler for the tests (topic ``test.mail``), registered on import.

The real ones (``nominee/mail/notifications.py``, ``nominee/mail/account.py``) come
with their features; a worker subprocess imports this one through ``JOBS_IMPORTS``.
Payload: ``{"to": address}``, or ``{"to": [addresses]}`` for several mails; ``"none":
true`` for a handler with nothing to send; ``"boom": true`` for one that raises.
"""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from nominee.mail.messages import build
from nominee.mail.settings import MailSettings
from nominee.outbox import sender

TOPIC = "test.mail"


@sender.handle(TOPIC)
def test_mail(session: Session, payload: dict[str, Any]) -> list[EmailMessage]:
    if payload.get("boom"):
        raise RuntimeError("the handler broke")
    if payload.get("none"):
        return []
    settings = MailSettings.from_config(current_app.config)
    addresses = payload["to"] if isinstance(payload["to"], list) else [payload["to"]]
    context = {"name": "Ada", "link": "/verify/t", "expires_in": timedelta(days=2)}
    return [build(settings, "verify_email", to, context) for to in addresses]
