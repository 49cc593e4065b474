"""Preferences: defaults in code, a row only for a choice, unsubscribe idempotent."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from nominee.errors import DomainError, NotFound
from nominee.notifications import kinds
from nominee.notifications.kinds import MailMode
from nominee.preferences import queries, services
from nominee.preferences.models import MailPreference


def _rows(db) -> int:
    return db.scalar(select(func.count()).select_from(MailPreference))


def test_defaults_need_no_rows(db, make):
    member = make.user()
    modes = queries.modes(db, member.id)
    assert set(modes) == {kind.name for kind in kinds.mailed()}
    assert modes["endorsed"] is modes["link_broken"] is MailMode.DIGEST
    digested = ("endorsed", "link_broken")
    assert all(mode is MailMode.IMMEDIATE for kind, mode in modes.items() if kind not in digested)
    assert queries.mode_of(db, member.id, kinds.LEGACY) is MailMode.OFF
    before = _rows(db)
    assert services.set_modes(db, member, {"endorsed": MailMode.DIGEST}) == []
    assert _rows(db) == before


def test_set_modes_refuses_kinds_that_are_not_mailed(db, make):
    with pytest.raises(DomainError):
        services.set_modes(db, make.user(), {kinds.LEGACY: MailMode.IMMEDIATE})


def test_unsubscribe_is_idempotent(db, make):
    member = make.user()
    assert services.unsubscribe(db, member.id, "nominated") == ["nominated"]
    assert services.unsubscribe(db, member.id, "nominated") == []
    assert queries.mode_of(db, member.id, "nominated") is MailMode.OFF
    with pytest.raises(DomainError):
        services.unsubscribe(db, member.id, "no.such.kind")
    with pytest.raises(NotFound):
        services.unsubscribe(db, member.id + 1000, "nominated")
