"""Creating, using and revoking personal access tokens; the replies kept for retried
writes. Flush, never commit."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import CursorResult, Select, bindparam, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from nominee import audit, clock
from nominee.accounts.models import User
from nominee.errors import Conflict, DomainError, NotFound, PermissionDenied
from nominee.i18n import _
from nominee.tokens import rules
from nominee.tokens.models import ApiToken, IdempotentReply


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    """``nmn_`` and 43 URL-safe characters (256 random bits)."""
    return rules.PREFIX + secrets.token_urlsafe(32)


def create_token(
    session: Session, user: User, *, name: str, scopes: list[str], expires_in_days: int | None
) -> tuple[ApiToken, str]:
    """A new token for ``user`` and its secret, which is shown once and never stored."""
    if not user.is_active:
        raise PermissionDenied(_("Only an active account can create tokens."))
    if message := rules.name_error(name):
        raise DomainError(message, field="name")
    if message := rules.scopes_error(user, scopes):
        raise PermissionDenied(message, field="scopes")
    if message := rules.expiry_error(expires_in_days):
        raise DomainError(message, field="expires_in_days")
    secret = new_secret()
    now = clock.now()
    token = ApiToken(
        user=user,
        name=name.strip(),
        prefix=secret[: len(rules.PREFIX) + 6],
        secret_hash=hash_secret(secret),
        scopes=[scope.value for scope in rules.Scope if scope.value in scopes],
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        user,
        "api_token.created",
        token,
        after={"name": token.name, "scopes": token.scopes, "expires_at": token.expires_at},
    )
    return token, secret


def revoke_token(session: Session, actor: User, token: ApiToken) -> None:
    if token.user_id != actor.id:
        raise NotFound(_("No such token."))
    if token.revoked_at is not None:
        raise Conflict(_("This token is revoked already."))
    token.revoked_at = clock.now()
    token.revoked_reason = "revoked"
    audit.record(session, actor, "api_token.revoked", token, after={"name": token.name})


def revoke_all(session: Session, user: User, reason: str) -> int:
    """End every live token of ``user`` with its sessions (the password, the address or
    the role changed, or the account was deactivated): one UPDATE. How many ended."""
    result = cast(
        CursorResult[Any],
        session.execute(
            update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=clock.now(), revoked_reason=reason)
            .execution_options(synchronize_session=False)
        ),
    )
    return result.rowcount or 0


# Every API request asks it: built once, its hash bound when it runs (building the
# statement and its cache key took longer than the lookup).
@cache
def _by_secret() -> Select[ApiToken]:
    """Built at first use, not at import (its loader option needs every model mapped)."""
    return (
        select(ApiToken)
        .where(ApiToken.secret_hash == bindparam("secret_hash"))
        .options(joinedload(ApiToken.user))
    )


def authenticate(session: Session, secret: str) -> ApiToken | None:
    """The usable token whose secret this is (with its member), or None. Reads only:
    ``record_use`` writes the last use."""
    if not secret.startswith(rules.PREFIX) or len(secret) > 100:
        return None
    token = session.scalar(_by_secret(), {"secret_hash": hash_secret(secret)})
    if token is None or not rules.is_usable(token, clock.now()):
        return None
    return token


def record_use(session: Session, token_id: int) -> None:
    """Note the token's use now, unless noted within ``rules.LAST_USE_RESOLUTION``: one
    UPDATE that touches nothing else (so at most one write a minute per token)."""
    now = clock.now()
    session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token_id,
            or_(
                ApiToken.last_used_at.is_(None),
                ApiToken.last_used_at <= now - rules.LAST_USE_RESOLUTION,
            ),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )


def request_hash(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\n".join([method.encode(), path.encode(), body])).hexdigest()


def claim_key(
    session: Session, token: ApiToken, key: str, fingerprint: str
) -> IdempotentReply | None:
    """Take ``key`` for this request. Returns the reply kept for an earlier request with
    the key (``status`` 0: it is still running), or None when this request has it now.
    The same key with another request is refused (422)."""
    if not 1 <= len(key) <= rules.IDEMPOTENCY_KEY_MAX or not key.isprintable():
        raise DomainError(_("The Idempotency-Key must be 1 to 255 printable characters."))
    now = clock.now()
    session.execute(
        delete(IdempotentReply)
        .where(
            IdempotentReply.token_id == token.id,
            IdempotentReply.key == key,
            IdempotentReply.created_at < now - rules.IDEMPOTENCY_WINDOW,
        )
        .execution_options(synchronize_session=False)
    )
    kept = session.scalar(
        select(IdempotentReply).where(
            IdempotentReply.token_id == token.id, IdempotentReply.key == key
        )
    )
    if kept is None:
        reply = IdempotentReply(
            token_id=token.id, key=key, request_hash=fingerprint, created_at=now
        )
        try:
            with session.begin_nested():
                session.add(reply)
                session.flush()
        except IntegrityError:
            raise Conflict(_("A request with this Idempotency-Key is being processed.")) from None
        return None
    if kept.request_hash != fingerprint:
        raise DomainError(
            _("This Idempotency-Key was used with another request: use a new key."),
            field="Idempotency-Key",
        )
    if kept.status == 0:
        raise Conflict(_("A request with this Idempotency-Key is being processed."))
    return kept


def keep_reply(
    session: Session, token: ApiToken, key: str, status: int, body: str, headers: dict[str, str]
) -> None:
    session.execute(
        update(IdempotentReply)
        .where(IdempotentReply.token_id == token.id, IdempotentReply.key == key)
        .values(status=status, body=body, headers=headers)
        .execution_options(synchronize_session=False)
    )
