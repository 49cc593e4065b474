"""seed_reviews: the demo's panel at work."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from sqlalchemy import select

from nominee.reviews.models import Assignment, Review, ReviewStatus
from nominee.reviews.queries import conflicts
from nominee.seeding.demo.reviews import seed_reviews


def test_seed_reviews_appoints_assigns_and_writes_most_reviews(make, db, cycle, in_review):
    reviewers = [make.reviewer() for _ in range(5)]
    nominations = [in_review() for _ in range(12)]
    result = seed_reviews(db, random.Random(7), cycle, reviewers)

    assert result.appointments == 5
    assignments = db.execute(select(Assignment.nomination_id, Assignment.reviewer_id)).all()
    assert Counter(n for n, _ in assignments) == {n.id: 3 for n in nominations}
    assert not {tuple(a) for a in assignments} & set(
        conflicts.find_conflicts(db, cycle, [r.id for r in reviewers])
    )
    reviews = db.scalars(select(Review)).all()
    submitted = [r for r in reviews if r.status is ReviewStatus.SUBMITTED]
    assert len(submitted) == result.submitted >= 0.6 * len(assignments)
    assert result.disagreements >= 1
    for nomination in nominations:
        db.refresh(nomination)
        assert nomination.reviews_submitted == sum(
            r.nomination_id == nomination.id for r in submitted
        )
    assert sum(n.disagreement for n in nominations) == result.disagreements


def test_seed_reviews_needs_a_cycle_in_review(make, db):
    with pytest.raises(ValueError):
        seed_reviews(db, random.Random(1), make.cycle(), [make.reviewer()])
