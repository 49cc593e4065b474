"""Submitting a review announces it (``events.review_submitted``); saving a draft does not."""

from __future__ import annotations

from nominee import events
from nominee.reviews import services
from nominee.reviews.models import Confidence, Recommendation


def test_review_submitted_is_sent_once_the_review_is_final(db, make, cycle, in_review, appointed):
    nomination = in_review()
    me = appointed()
    make.assignment(nomination, me)
    sent = []

    def record(review, *, session, actor):
        sent.append((review.id, review.status.value, actor.id))

    data = services.ReviewInput(
        scores={c.id: 4 for c in cycle.criteria},
        confidence=Confidence.HIGH,
        recommendation=Recommendation.AWARD,
    )
    events.review_submitted.connect(record)
    try:
        draft = services.save_review(db, me, nomination, data, submit=False, version=0)
        assert sent == []
        review = services.save_review(db, me, nomination, data, submit=True, version=draft.version)
    finally:
        events.review_submitted.disconnect(record)
    assert sent == [(review.id, "submitted", me.id)]
