from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import select

from nominee import clock
from nominee.cycles.models import CycleStatus
from nominee.nominations.models import Nomination, NominationKind, NominationStatus
from nominee.seeding.demo.nominations import seed_cycles


def test_seed_cycles_follows_the_rules(app, db, make):
    today = date.today()
    categories = [make.category(), make.category()]
    members = [make.user() for _ in range(36)]
    for i, member in enumerate(members):
        for days in range(5 if i % 6 else 1):
            make.contribution(
                member,
                primary_category=categories[i % 2],
                contributed_on=today - timedelta(days=20 + 40 * days + i),
            )
    organizer = make.organizer()
    with app.app_context():
        in_review, open_cycle = seed_cycles(
            db, random.Random(7), members, organizer, today=today, categories=categories
        )
    assert (in_review.status, open_cycle.status) == (CycleStatus.IN_REVIEW, CycleStatus.OPEN)
    reviewed = db.scalars(select(Nomination).where(Nomination.cycle_id == in_review.id)).all()
    assert len(reviewed) >= 25
    statuses = Counter(n.status for n in reviewed)
    assert statuses.keys() == {
        NominationStatus.IN_REVIEW,
        NominationStatus.LAPSED,
        NominationStatus.WITHDRAWN,
        NominationStatus.REFUSED,
    }
    assert {n.kind for n in reviewed} == {NominationKind.SELF, NominationKind.PEER}
    opened = db.scalars(select(Nomination).where(Nomination.cycle_id == open_cycle.id)).all()
    assert {n.status for n in opened} >= {
        NominationStatus.AWAITING_ACCEPTANCE,
        NominationStatus.SUBMITTED,
    }
    now = clock.now()
    for nomination in [*reviewed, *opened]:
        cycle = nomination.cycle
        for evidence in nomination.evidence:
            contribution = evidence.contribution
            assert contribution.owner_id == nomination.nominee_id
            assert cycle.lookback_start <= contribution.contributed_on
            assert contribution.contributed_on <= cycle.nominations_close_on
        if nomination.status in (NominationStatus.IN_REVIEW, NominationStatus.SUBMITTED):
            assert cycle.min_evidence <= nomination.evidence_count <= cycle.max_evidence
        assert nomination.events and nomination.created_at <= now
        assert nomination.created_at.date() >= cycle.nominations_open_on
    peers = Counter(
        (n.cycle_id, n.nominator_id)
        for n in [*reviewed, *opened]
        if n.kind is NominationKind.PEER and n.is_live
    )
    assert max(peers.values()) <= in_review.peer_nomination_limit
