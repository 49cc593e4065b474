from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from nominee.awards.models import Award, AwardStatus
from nominee.cycles.models import CycleStatus
from nominee.nominations.models import Nomination, NominationKind, NominationStatus
from nominee.seeding.demo.awards import seed_awards


def test_seed_awards_builds_a_published_cycle_up_for_renewal(app, client, make, db):
    categories = [make.category(), make.category()]
    members = [make.user(primary_category=categories[i % 2]) for i in range(20)]
    contribution_type = make.contribution_type()
    for i, member in enumerate(members):
        for days in (30, 380, 420, 460):
            make.contribution(
                member,
                type=contribution_type,
                primary_category=categories[i % 2],
                contributed_on=date.today() - timedelta(days=days + i),
            )
    open_cycle = make.cycle(status=CycleStatus.OPEN, categories=categories)

    with app.app_context():
        published = seed_awards(
            db,
            random.Random(7),
            today=date.today(),
            organizer=make.organizer(),
            members=members,
            categories=categories,
            reviewers=[make.reviewer() for _ in range(3)],
            renew_in=open_cycle,
        )

    assert published.status is CycleStatus.PUBLISHED
    assert published.award_ends_on == open_cycle.review_close_on  # renewed without a gap
    decided = db.scalars(select(Nomination).where(Nomination.cycle_id == published.id)).all()
    assert len(decided) == 14
    assert {n.status for n in decided} == {NominationStatus.AWARDED, NominationStatus.DECLINED}
    assert all(
        published.min_evidence <= n.evidence_count <= published.max_evidence for n in decided
    )
    assert all(n.reviews_submitted == published.reviewers_per_nomination for n in decided)
    awards = db.scalars(select(Award).where(Award.cycle_id == published.id)).all()
    assert len(awards) == sum(n.status is NominationStatus.AWARDED for n in decided)
    revoked = [a for a in awards if a.status is AwardStatus.REVOKED]
    assert len(revoked) == 1
    renewals = db.scalars(
        select(Nomination).where(
            Nomination.cycle_id == open_cycle.id, Nomination.kind == NominationKind.RENEWAL
        )
    ).all()
    assert {n.renewal_of_award_id for n in renewals} == {
        a.id for a in awards if a.status is AwardStatus.ACTIVE
    }
    active = next(a for a in awards if a.status is AwardStatus.ACTIVE)
    assert client.get(f"/awards/{active.verification_id}").status_code == 200
