"""Signed, expiring tokens for the links in mail, each bound to one purpose.

A token signs its payload (anything JSON can hold) and the moment it was made, with the
app's secret key and a salt per purpose: a password-reset token is refused as an
email-verification one, and the reverse. Tokens are not encrypted: the payload can be
read by whoever holds the link, so put ids in it, never secrets.

Single use is the caller's job. Put in the payload something that changes once the
token has served, and compare it when the token comes back: for a password reset a
fingerprint of the current password hash (a later reset or password change then voids
every earlier link), for an email verification the address being verified. ``read_token``
only says the token is genuine, for this purpose, and not older than ``max_age``.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from nominee import clock

Payload = object  # whatever JSON holds; check its shape when reading it back


class Purpose(StrEnum):
    VERIFY_EMAIL = "verify-email"
    PASSWORD_RESET = "password-reset"
    UNSUBSCRIBE = "unsubscribe"


class TokenError(Exception):
    """The token cannot be used. ``expired`` tells an old link from a forged or
    mangled one, so the page can say "this link has expired, ask for a new one"."""

    def __init__(self, reason: str, *, expired: bool = False) -> None:
        super().__init__(reason)
        self.expired = expired


class _ClockSigner(TimestampSigner):
    """Tells time by ``nominee.clock``, so ``clock.as_of`` ages a token in tests."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer(secret: str, purpose: Purpose) -> URLSafeTimedSerializer:
    salt = f"nominee.mail.{Purpose(purpose).value}"
    return URLSafeTimedSerializer(secret, salt=salt, signer=_ClockSigner)


def make_token(secret: str, purpose: Purpose, payload: Payload) -> str:
    """A URL-safe token for ``payload``, valid for ``purpose`` only."""
    token = _serializer(secret, purpose).dumps(payload)
    assert isinstance(token, str)
    return token


def read_token(secret: str, purpose: Purpose, token: str, max_age: timedelta | None) -> Payload:
    """The payload of a genuine ``purpose`` token made at most ``max_age`` ago
    (None: no limit, for unsubscribe links). Raises ``TokenError``."""
    seconds = None if max_age is None else int(max_age.total_seconds())
    try:
        return _serializer(secret, purpose).loads(token, max_age=seconds)
    except SignatureExpired:
        raise TokenError("this link has expired", expired=True) from None
    except BadSignature:
        raise TokenError("this link is not valid") from None
