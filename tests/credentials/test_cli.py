"""``flask credentials show-key`` and ``rotate-key``."""

from __future__ import annotations

from sqlalchemy import select

from nominee.audit import AuditEvent
from nominee.credentials.models import IssuerKey


def test_rotating_from_the_command_line_keeps_the_old_key_published(app, db):
    runner = app.test_cli_runner()
    shown = runner.invoke(args=["credentials", "show-key"])
    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith("did:web:127.0.0.1%3A5000\n  z6Mk")
    rotated = runner.invoke(args=["credentials", "rotate-key", "--yes"])
    assert rotated.exit_code == 0, rotated.output
    keys = db.scalars(select(IssuerKey).order_by(IssuerKey.id)).all()
    assert len(keys) == 2
    assert keys[0].retired_at is not None and keys[1].retired_at is None
    assert keys[1].public_key_multibase in rotated.output
    shown = runner.invoke(args=["credentials", "show-key"]).output.split()
    assert shown[1:] == [keys[1].public_key_multibase, keys[0].public_key_multibase]
    assert db.scalar(select(AuditEvent.action).where(AuditEvent.action == "issuer_key.rotated"))
