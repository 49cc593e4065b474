"""The issuer's signing keys of the Open Badges credentials (nominee/credentials).

The newest key that is not retired signs; every key ever used stays here, so that the
DID document (``/.well-known/did.json``) keeps publishing the public keys that verify
the credentials signed before a rotation. The private key never leaves the server.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from nominee import clock
from nominee.db import Base


class IssuerKey(Base):
    __tablename__ = "issuer_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Multikey encodings: "z6Mk..." (Ed25519 public key), "z3u2..." (its 32-byte seed).
    public_key_multibase: Mapped[str] = mapped_column(String(100), unique=True)
    secret_key_multibase: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    # A retired key signs no more; its public key still verifies what it signed.
    retired_at: Mapped[datetime | None]
