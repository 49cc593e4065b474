"""Who manages webhooks, which events exist, and how a delivery is signed. Pure."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from datetime import timedelta
from urllib.parse import urlsplit

from nominee.accounts.models import User
from nominee.i18n import N_, _
from nominee.outbound import OutboundRefused, check_url

# The event types an endpoint may subscribe to, with their labels on the form.
EVENT_TYPES: dict[str, str] = {
    "nomination.submitted": N_("Nomination submitted (self, accepted peer, or renewal)"),
    "cycle.moved": N_("Cycle moved to another status"),
    "results.published": N_("Results of a cycle published"),
    "award.granted": N_("Award granted"),
    "award.revoked": N_("Award revoked"),
    "award.expired": N_("Award expired"),
}
SIGNATURE_HEADER = "Nominee-Signature"
EVENT_HEADER = "Nominee-Event"
DELIVERY_HEADER = "Nominee-Delivery"
SECRET_PREFIX = "whsec_"
# After a rotation the old secret signs deliveries alongside the new one this long.
ROTATION_OVERLAP = timedelta(hours=24)
MAX_URL_LENGTH = 2000


def can_manage(user: User) -> bool:
    """Organizers register endpoints, read deliveries and re-deliver them."""
    return user.is_organizer


def url_problem(url: str, allow_hosts: frozenset[str]) -> str | None:
    """Why ``url`` cannot be an endpoint, or None. HTTPS only, except for the hosts of the
    ``OUTBOUND_ALLOW_HOSTS`` setting; the outbound guard's rules (ports 80 and 443, no
    private or loopback address) apply, and again to the resolved address at delivery."""
    if len(url) > MAX_URL_LENGTH:
        return _("Use at most %(max)d characters.", max=MAX_URL_LENGTH)
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() != "https" and not (
        parts.scheme.lower() == "http" and host in allow_hosts
    ):
        return _("Use an https:// address.")
    try:
        check_url(url, allow_hosts)
    except OutboundRefused as refused:
        return _("This address cannot receive webhooks: %(reason)s.", reason=refused.reason)
    return None


def unknown_events(events: Iterable[str]) -> list[str]:
    return [event for event in events if event not in EVENT_TYPES]


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256 of ``<timestamp>.<body>`` with ``secret``, in hexadecimal."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secrets: Iterable[str], timestamp: int, body: bytes) -> str:
    """``t=<timestamp>,v1=<signature>`` with one ``v1`` per secret (two after a rotation)."""
    parts = [f"t={timestamp}"] + [f"v1={signature(s, timestamp, body)}" for s in secrets]
    return ",".join(parts)
