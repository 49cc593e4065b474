from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nominee import clock
from nominee.accounts.models import User
from nominee.db import Base


class ApiToken(Base):
    """A member's personal access token for the API.

    Only the SHA-256 of the secret is stored (the secret has 256 bits of randomness, so
    a plain hash is enough: there is nothing to guess). ``prefix`` is the start of the
    secret as shown, so a member can tell their tokens apart. A token stops working when
    it expires, when it is revoked (by its owner, or with the account's sessions when
    the password, the address or the role changes or the account is deactivated), and
    never grants more than its owner's current role allows.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    # Why it stopped: "revoked" (by its owner), "password", "email", "role", "deactivated".
    revoked_reason: Mapped[str | None] = mapped_column(String(20))

    user: Mapped[User] = relationship()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class IdempotentReply(Base):
    """What a write answered to an ``Idempotency-Key``: a retry of the same request gets
    the same answer again, and nothing is done twice. Kept for a day."""

    __tablename__ = "api_idempotent_replies"
    __table_args__ = (UniqueConstraint("token_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    # SHA-256 of the method, the path and the body: the same key with another request
    # is refused.
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer, default=0)
    body: Mapped[str] = mapped_column(Text, default="")
    headers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
