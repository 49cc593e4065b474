"""The demo obeys every rule the app enforces: what it shows is what the app allows."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from nominee.awards.models import Award
from nominee.nominations.models import (
    LIVE_STATUSES,
    Nomination,
    NominationEvidence,
    NominationKind,
    NominationStatus,
)
from nominee.reviews.models import Review, ReviewStatus

WITH_EVIDENCE = (
    NominationStatus.SUBMITTED,
    NominationStatus.IN_REVIEW,
    NominationStatus.AWARDED,
    NominationStatus.DECLINED,
)


def test_the_demo_obeys_the_rules(runner, db):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    nominations = db.scalars(
        select(Nomination).options(
            selectinload(Nomination.cycle),
            selectinload(Nomination.evidence).selectinload(NominationEvidence.contribution),
        )
    ).all()
    awards = {a.id: a for a in db.scalars(select(Award))}
    assert nominations and awards
    decided = [n for n in nominations if n.decision is not None]
    assert decided

    for n in nominations:
        cycle, evidence = n.cycle, [e.contribution for e in n.evidence]
        assert n.evidence_count == len(evidence), n.id
        if n.kind is NominationKind.RENEWAL:
            # Rule 10: renewed once its term began, by the cycle running as it ends.
            award = awards[n.renewal_of_award_id]
            first, last = award.starts_on, award.ends_on
            assert cycle.nominations_open_on <= award.ends_on <= cycle.award_starts_on, n.id
            assert award.starts_on <= n.created_at.date(), n.id
            assert len(evidence) <= cycle.max_evidence, n.id
        else:
            first, last = cycle.lookback_start, cycle.nominations_close_on
            assert cycle.nominations_open_on <= n.created_at.date() <= last, n.id
            if n.status in WITH_EVIDENCE:
                assert cycle.min_evidence <= len(evidence) <= cycle.max_evidence, n.id
        # Rule 2: the nominee's own work, inside the window.
        for contribution in evidence:
            assert contribution.owner_id == n.nominee_id, (n.id, contribution.id)
            assert first <= contribution.contributed_on <= last, (n.id, contribution.id)

    # Reviews before decisions: as many as the cycle asks, or an override with its reason.
    reviews = db.execute(
        select(Review.nomination_id, Review.submitted_at).where(
            Review.status == ReviewStatus.SUBMITTED
        )
    ).all()
    for n in decided:
        submitted = [at for nomination_id, at in reviews if nomination_id == n.id]
        assert all(at <= n.decided_at for at in submitted), n.id
        assert len(submitted) >= n.cycle.reviewers_per_nomination or n.decision_override_reason
        assert n.reviews_submitted == len(submitted), n.id

    # No award renewed twice.
    live_renewals = Counter(
        n.renewal_of_award_id
        for n in nominations
        if n.kind is NominationKind.RENEWAL and n.status in LIVE_STATUSES
    )
    assert live_renewals and max(live_renewals.values()) == 1
