"""What the account tests read back: the ``mail.account`` messages the outbox holds."""

from __future__ import annotations

from sqlalchemy import select

from nominee.accounts.services import MAIL_TOPIC
from nominee.outbox.models import OutboxMessage


def account_mail(db, template: str | None = None) -> list[dict]:
    """The payloads of the ``mail.account`` outbox rows, oldest first."""
    rows = db.scalars(
        select(OutboxMessage).where(OutboxMessage.topic == MAIL_TOPIC).order_by(OutboxMessage.id)
    ).all()
    return [r.payload for r in rows if template is None or r.payload["template"] == template]


def last_link(db, template: str) -> str:
    """The site-relative link of the latest ``template`` mail."""
    return account_mail(db, template)[-1]["params"]["link"]
