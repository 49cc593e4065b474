"""Mail about an account: the handler of the outbox topic ``mail.account``.

The account services (``nominee.accounts.services``) write ``{user_id, template,
params, to?}``: ``template`` one of ``TEMPLATES``, ``params`` what its template needs
besides the member's name (links as site-relative paths, made absolute here under
``BASE_URL``; ``changed_at`` as an ISO 8601 string), ``to`` another address than the
account's (the old one, after a change). These messages are about the account's
security: members cannot turn them off, so they carry no unsubscribe link.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any

from sqlalchemy.orm import Session

from nominee import i18n
from nominee.accounts.models import User
from nominee.accounts.rules import RESET_LINK_LIFETIME, VERIFY_LINK_LIFETIME
from nominee.mail.messages import build
from nominee.mail.settings import MailSettings

TOPIC = "mail.account"
# Each template, and how long its link works (None: no expiring link).
TEMPLATES: dict[str, timedelta | None] = {
    "verify_email": VERIFY_LINK_LIFETIME,
    "password_reset": RESET_LINK_LIFETIME,
    "address_taken": None,
    "security_notice": None,
}


def messages_for(
    settings: MailSettings, session: Session, payload: Mapping[str, Any]
) -> list[EmailMessage]:
    """The message of one ``mail.account`` outbox row; [] when there is nothing left to
    send: the account is gone, or a verification link is for an address it no longer
    has (a newer link went to the new one)."""
    template = payload["template"]
    if template not in TEMPLATES:
        raise ValueError(f"mail.account: unknown template {template!r}")
    user = session.get(User, int(payload["user_id"]))
    if user is None:
        return []
    params: dict[str, Any] = dict(payload.get("params") or {})
    if template == "verify_email" and params.get("address") != user.email:
        return []
    lifetime = TEMPLATES[template]
    if lifetime is not None:
        params["expires_in"] = lifetime
    if isinstance(params.get("changed_at"), str):
        params["changed_at"] = datetime.fromisoformat(params["changed_at"])
    # The account's own address with its name, as other mail has; another (the old one
    # after a change) bare.
    to = payload.get("to") or Address(display_name=user.display_name, addr_spec=user.email)
    with i18n.reading(i18n.language_of(user.language), user.time_zone):
        return [build(settings, template, to, {"name": user.display_name, **params})]
