"""Password hashing (argon2id) and the policy: length only, plus a common-password list."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from nominee.i18n import _

MIN_LENGTH = 8
MAX_LENGTH = 128

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# A hash to verify against when the email is unknown, so both paths cost the same.
_DUMMY_HASH = _hasher.hash("nominee-timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@cache
def common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(line.strip().lower() for line in path.read_text().splitlines() if line.strip())


def policy_error(password: str, *, email: str = "", display_name: str = "") -> str | None:
    """The reason a new password is refused, or None."""
    if len(password) < MIN_LENGTH:
        return _("Use at least %(num)d characters.", num=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Use at most %(num)d characters.", num=MAX_LENGTH)
    lowered = password.lower()
    if lowered in common_passwords():
        return _("This password is too common; choose another one.")
    local_part = email.split("@")[0].lower()
    if lowered in {email.lower(), local_part, display_name.lower()}:
        return _("Do not use your email or name as the password.")
    return None
