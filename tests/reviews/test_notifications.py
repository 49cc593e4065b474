"""Reviewers are told when appointed and when nominations are assigned to them: one
notification per batch of assignments, with the count and the review deadline."""

from __future__ import annotations

from sqlalchemy import select

from nominee.formatting import format_date
from nominee.notifications import kinds
from nominee.notifications.models import Notification
from nominee.outbox.models import OutboxMessage
from nominee.reviews import services


def _told(db, user, kind):
    return db.scalars(
        select(Notification)
        .where(Notification.user_id == user.id, Notification.kind == kind)
        .order_by(Notification.id)
    ).all()


def test_appointing_tells_the_reviewer_the_cycle_scope_and_deadline(make, db, cycle):
    reviewer = make.reviewer()
    category = cycle.categories[0]
    services.appoint(db, make.organizer(), cycle, reviewer, category)
    services.appoint(db, make.organizer(), cycle, reviewer, None)
    first, second = _told(db, reviewer, "reviewer.appointed")
    assert first.params == {
        "cycle_id": cycle.id,
        "cycle": cycle.name,
        "scope": category.name,
        "review_close_on": cycle.review_close_on.isoformat(),
    }
    assert second.params["scope"] == ""
    # The notification goes to the outbox, for the mail.
    queued = db.scalars(select(OutboxMessage).where(OutboxMessage.topic == "notification.created"))
    assert {m.payload["notification_id"] for m in queued} >= {first.id, second.id}


def test_auto_assignment_tells_each_reviewer_once_with_the_count(
    make, db, cycle, in_review, appointed
):
    rita, sam = appointed(), appointed()
    for _ in range(3):
        in_review()
    cycle.reviewers_per_nomination = 2
    result = services.auto_assign(db, make.organizer(), cycle)
    assert len(result.added) == 6
    for reviewer in (rita, sam):
        [told] = _told(db, reviewer, "reviewer.assigned")
        assert told.params["count"] == 3
        assert told.params["review_close_on"] == cycle.review_close_on.isoformat()
    # A second run adds nobody and tells nobody.
    services.auto_assign(db, make.organizer(), cycle)
    assert len(_told(db, rita, "reviewer.assigned")) == 1


def test_assigning_one_nomination_tells_its_reviewer(make, db, cycle, in_review, appointed):
    rita = appointed()
    services.assign(db, make.organizer(), in_review(), rita)
    [told] = _told(db, rita, "reviewer.assigned")
    assert told.params["count"] == 1
    assert format_date(cycle.review_close_on) in kinds.text("reviewer.assigned", told.params)
