from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from nominee.accounts.models import User

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


@dataclass
class Scene:
    ring: list[User]
    crowd: list[User]
    make: object

    @property
    def flagged_member(self) -> User:
        return self.ring[0]


def plant(make, recipient: User, endorser: User, count: int, when: datetime) -> None:
    """``count`` endorsements by ``endorser`` of ``recipient``'s contributions (made as
    needed: one endorsement per contribution and endorser)."""
    owned = getattr(recipient, "_planted", None)
    if owned is None:
        owned = recipient._planted = []  # type: ignore[attr-defined]
    given = getattr(endorser, "_given_to", None)
    if given is None:
        given = endorser._given_to = {}  # type: ignore[attr-defined]
    start = given.get(recipient.id, 0)
    while len(owned) < start + count:
        owned.append(make.contribution(recipient))
    for k in range(start, start + count):
        make.endorsement(owned[k], endorser, created_at=when + timedelta(hours=k))
    given[recipient.id] = start + count


@pytest.fixture
def scene(make, db, freeze_clock) -> Scene:
    """A crowd of 40 organic members endorsing each other now and then, and a ring of four
    who endorse each other's every contribution (twice each)."""
    freeze_clock(NOW)
    rng = random.Random(3)
    crowd = [make.user(display_name=f"Crowd {k}") for k in range(40)]
    for r in crowd:
        for e in rng.sample([m for m in crowd if m is not r], 3):
            plant(make, r, e, 1, NOW - timedelta(days=rng.randrange(20, 300)))
    names = ["Alice Ring", "Bob Ring", "Carol Ring", "Dan Ring"]
    ring = [make.user(display_name=name) for name in names]
    for a in ring:
        for b in ring:
            if a is not b:
                plant(make, b, a, 2, NOW - timedelta(days=rng.randrange(20, 300)))
        plant(make, a, crowd[0], 1, NOW - timedelta(days=40))
    db.flush()
    return Scene(ring, crowd, make)
