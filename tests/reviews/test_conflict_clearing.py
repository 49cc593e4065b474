"""Issue 15: an organizer clears a detected conflict of one reviewer on one nomination,
with a reason the panel reads; declared conflicts stay; auto-assignment then uses it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nominee.reviews import services
from nominee.reviews.models import Assignment, ConflictClearance
from nominee.reviews.queries import conflicts
from tests.reviews.conftest import audit_actions
from tests.reviews.test_conflicts import conflicted_nomination

DETECTED = ["nominator", "endorsed", "endorsed_by"]


def clear_url(cycle, nomination, reviewer) -> str:
    return f"/cycles/{cycle.id}/nominations/{nomination.id}/conflicts/{reviewer.id}/clear"


@pytest.mark.parametrize("cause", DETECTED)
def test_an_organizer_clears_a_detected_conflict_with_a_reason(
    cause, client, login, make, db, cycle, in_review, appointed
):
    rita = appointed(display_name="Rita Reviewer")
    nomination = conflicted_nomination(cause, make, db, in_review, rita)
    assert conflicts.is_conflicted(db, nomination, rita.id)
    olga = login(make.organizer(display_name="Olga Organizer"))
    page = client.get(clear_url(cycle, nomination, rita))
    assert page.status_code == 200 and "Clear the conflict</button>" in page.text
    response = client.post(
        clear_url(cycle, nomination, rita), data={"reason": "A meetup talk years ago; no tie."}
    )
    assert response.status_code == 302
    assert not conflicts.is_conflicted(db, nomination, rita.id)
    assert conflicts.causes(db, nomination, rita.id) == []
    assert [c.kind for c in conflicts.causes(db, nomination, rita.id, cleared=False)] == [cause]
    (event,) = audit_actions(db, "review.conflict_cleared")
    assert event.actor_id == olga.id and event.object_id == nomination.id
    assert event.after == {"reviewer_id": rita.id, "reason": "A meetup talk years ago; no tie."}
    # The panel reads it on the review page.
    login(rita)
    make.assignment(nomination, rita)
    review = client.get(f"/cycles/{cycle.id}/nominations/{nomination.id}/review")
    assert review.status_code == 200
    assert "cleared by Olga Organizer" in review.text
    assert "A meetup talk years ago; no tie." in review.text


def test_the_reason_is_required_and_shown_next_to_the_field(
    client, login, make, db, cycle, in_review, appointed
):
    rita = appointed()
    nomination = conflicted_nomination("endorsed", make, db, in_review, rita)
    login(make.organizer())
    response = client.post(clear_url(cycle, nomination, rita), data={"reason": "   "})
    assert response.status_code == 400
    assert "Give the reason for clearing this conflict" in response.text
    assert db.scalars(select(ConflictClearance)).all() == []
    too_long = client.post(clear_url(cycle, nomination, rita), data={"reason": "x" * 501})
    assert too_long.status_code == 400 and "At most 500 characters." in too_long.text


@pytest.mark.parametrize("cause", ["declared", "nominee"])
def test_declared_conflicts_and_nominees_are_never_cleared(
    cause, client, login, make, db, cycle, in_review, appointed
):
    rita = appointed()
    nomination = conflicted_nomination(cause, make, db, in_review, rita)
    olga = make.organizer()
    login(olga)
    page = client.get(clear_url(cycle, nomination, rita))
    assert "Clear the conflict</button>" not in page.text
    response = client.post(clear_url(cycle, nomination, rita), data={"reason": "Fine by me."})
    assert response.status_code in (400, 403)
    assert db.scalars(select(ConflictClearance)).all() == []
    assert conflicts.is_conflicted(db, nomination, rita.id)


def test_only_unconflicted_organizers_clear(client, login, make, db, cycle, in_review, appointed):
    rita = appointed()
    nomination = conflicted_nomination("endorsed", make, db, in_review, rita)
    login(rita)
    assert client.post(clear_url(cycle, nomination, rita), data={"reason": "r"}).status_code == 403
    login(make.user())
    assert client.post(clear_url(cycle, nomination, rita), data={"reason": "r"}).status_code == 403
    # An organizer who nominated it is conflicted too (rule 9).
    nominator = make.organizer()
    nomination.nominator_id = nominator.id
    db.flush()
    login(nominator)
    assert client.post(clear_url(cycle, nomination, rita), data={"reason": "r"}).status_code == 403
    assert db.scalars(select(ConflictClearance)).all() == []
    # Nor can a reviewer who is an organizer clear their own conflict.
    with pytest.raises(services.PermissionDenied):
        organizer_reviewer = make.organizer()
        make.appointment(cycle, organizer_reviewer)
        own = conflicted_nomination("endorsed", make, db, in_review, organizer_reviewer)
        services.clear_conflict(db, organizer_reviewer, own, organizer_reviewer, "Mine.")


def test_auto_assignment_considers_cleared_pairs_and_the_page_says_why_short(
    client, login, make, db, cycle, in_review, appointed
):
    cycle.reviewers_per_nomination = 2
    rita = appointed(display_name="Rita Reviewer")
    dana = appointed(display_name="Dana Declared")
    nomination = conflicted_nomination("endorsed", make, db, in_review, rita)
    conflicted_nomination_declared = services.ConflictDeclaration(
        nomination_id=nomination.id, reviewer_id=dana.id, reason="Same employer"
    )
    db.add(conflicted_nomination_declared)
    db.flush()
    olga = login(make.organizer())
    page = client.get(f"/cycles/{cycle.id}/assignments").text
    assert "At most 0 of 2 reviewers: 2 reviewers are appointed for Developer Tools" in page
    assert "Rita Reviewer endorsed them" in page and "Dana Declared declared a conflict" in page
    assert clear_url(cycle, nomination, rita) in page  # the clear action, next to Rita
    assert clear_url(cycle, nomination, dana) not in page  # declared: no action
    result = services.auto_assign(db, olga, cycle)
    assert result.added == [] and result.short == [nomination.id]
    services.clear_conflict(db, olga, nomination, rita, "The endorsement was a courtesy.")
    result = services.auto_assign(db, olga, cycle)
    assert result.added == [(nomination.id, rita.id)]
    assert db.get(Assignment, (nomination.id, rita.id)) is not None
    page = client.get(f"/cycles/{cycle.id}/assignments").text
    assert "At most 1 of 2 reviewers" in page
    assert "The endorsement was a courtesy." in page


def test_clearing_twice_is_refused(make, db, cycle, in_review, appointed):
    rita = appointed()
    nomination = conflicted_nomination("nominator", make, db, in_review, rita)
    olga = make.organizer()
    services.clear_conflict(db, olga, nomination, rita, "Fine.")
    with pytest.raises(services.DomainError, match="already cleared"):
        services.clear_conflict(db, olga, nomination, rita, "Again.")
