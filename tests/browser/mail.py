"""The link of an account mail, as the member reads it: from the mail the test's SMTP
server received.

The served app writes the mail to its outbox in the request that asked for it, and its
job thread hands it to the SMTP server right after the commit. ``latest_link`` finds the
newest outbox message of that template for that address (to know which mail to wait
for), waits for that very mail to arrive (its Message-ID names the outbox message), and
takes the first link of its plain-text part.
"""

from __future__ import annotations

import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from nominee.accounts.models import User
from nominee.accounts.services import MAIL_TOPIC
from nominee.mail.transport import first_link
from nominee.outbox.models import OutboxMessage
from tests.smtp import Received

WAIT_SECONDS = 5.0


def _latest_outbox_id(site, template: str, to: str) -> int:
    with Session(site.engine) as session:
        user_id = session.scalar(select(User.id).where(User.email == to))
        rows = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.topic == MAIL_TOPIC)
            .order_by(OutboxMessage.id.desc())
        ).all()
        for row in rows:
            payload = row.payload
            if "to" in payload:
                addressed = payload["to"] == to
            else:
                addressed = payload["user_id"] == user_id
            if payload["template"] == template and addressed:
                return row.id
    raise AssertionError(f"no {template} mail to {to} in the outbox")


def received(site, template: str, to: str, timeout: float = WAIT_SECONDS) -> Received:
    """The latest ``template`` mail to ``to``, once the SMTP server has received it."""
    outbox_id = _latest_outbox_id(site, template, to)
    prefix = f"<nominee.outbox.{outbox_id}."
    deadline = time.monotonic() + timeout
    while True:
        with site.smtp.lock:
            arrived = list(site.smtp.received)
        for mail in arrived:
            if str(mail.message["Message-ID"]).startswith(prefix):
                assert mail.recipients == [to], mail.recipients
                return mail
        if time.monotonic() > deadline:
            seen = [(m.recipients, str(m.message["Subject"])) for m in arrived]
            raise AssertionError(
                f"the {template} mail to {to} (outbox {outbox_id}) did not arrive within "
                f"{timeout} s; the SMTP server received {seen}"
            )
        time.sleep(0.05)


def latest_link(site, template: str, to: str) -> str:
    """The first link of the latest ``template`` mail to ``to`` the SMTP server received,
    from its plain-text part (the HTML part carries the same link)."""
    mail = received(site, template, to)
    assert mail.message.is_multipart() and mail.message.get_content_subtype() == "alternative"
    link = first_link(mail.message)
    assert link, f"no link in the {template} mail to {to}:\n{mail.text()}"
    assert link.startswith(site.url + "/"), link
    assert f'href="{link}"' in mail.html(), f"the HTML part lacks {link}"
    return link
