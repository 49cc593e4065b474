"""The link of the latest account mail, as the member would read it.

Until the outbox sender is merged, the message is built from its outbox row by the
``mail.account`` handler, exactly as the sender will build it, and its first link is
taken from the plain-text part.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from nominee.accounts.services import MAIL_TOPIC
from nominee.mail.account import messages_for
from nominee.mail.settings import MailSettings
from nominee.mail.transport import first_link
from nominee.outbox.models import OutboxMessage


def latest_link(site, template: str, to: str) -> str:
    """The first link of the latest ``template`` mail to ``to``, under the site's address."""
    settings = MailSettings(base_url=site.url)
    with Session(site.engine) as session:
        rows = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.topic == MAIL_TOPIC)
            .order_by(OutboxMessage.id.desc())
        ).all()
        for row in rows:
            if row.payload["template"] != template:
                continue
            for message in messages_for(settings, session, row.payload):
                if message["To"] == to:
                    link = first_link(message)
                    assert link, f"no link in {template} to {to}"
                    return link
    raise AssertionError(f"no {template} mail to {to}")
