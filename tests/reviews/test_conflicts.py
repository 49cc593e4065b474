"""Conflicts of interest: each cause detected, in words, and enforced everywhere."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from nominee.nominations.models import NominationKind
from nominee.reviews.models import Assignment, ConflictDeclaration, Review
from nominee.reviews.queries import conflicts
from tests.reviews.conftest import CLOSED_ON, audit_actions

CAUSES = ["nominee", "nominator", "endorsed", "endorsed_by", "declared"]
INSIDE = datetime.combine(CLOSED_ON - timedelta(days=30), time(12), UTC)


def endorse(make, endorser, endorsee, when=INSIDE, **kw):
    return make.endorsement(make.contribution(owner=endorsee), endorser, created_at=when, **kw)


def conflicted_nomination(cause, make, db, in_review, reviewer):
    if cause == "nominee":
        return in_review(reviewer)
    if cause == "nominator":
        return in_review(kind=NominationKind.PEER, nominator=reviewer)
    nomination = in_review()
    if cause == "endorsed":
        endorse(make, reviewer, nomination.nominee)
    elif cause == "endorsed_by":
        endorse(make, nomination.nominee, reviewer)
    else:
        db.add(
            ConflictDeclaration(
                nomination_id=nomination.id, reviewer_id=reviewer.id, reason="We work together"
            )
        )
        db.flush()
    return nomination


EXPECTED_TEXT = {
    "nominee": "is the nominee",
    "nominator": "nominated the nominee",
    "endorsed": f"endorsed the nominee on {INSIDE:%-d %b %Y}",
    "endorsed_by": f"was endorsed by the nominee on {INSIDE:%-d %b %Y}",
    "declared": "declared a conflict: We work together",
}


@pytest.mark.parametrize("cause", CAUSES)
def test_each_cause_is_detected_and_told_in_words(cause, make, db, cycle, in_review, appointed):
    reviewer = appointed()
    nomination = conflicted_nomination(cause, make, db, in_review, reviewer)
    in_review()  # a clean one
    found = conflicts.find_conflicts(db, cycle, [reviewer.id])
    assert list(found) == [(nomination.id, reviewer.id)]
    [reason] = found[nomination.id, reviewer.id]
    assert reason.kind == cause
    assert reason.text == EXPECTED_TEXT[cause]


@pytest.mark.parametrize("cause", CAUSES)
def test_conflicted_reviewer_sees_neither_the_row_nor_the_reviews(
    cause, client, login, make, db, cycle, in_review, appointed
):
    reviewer, colleague = appointed(), appointed()
    nomination = conflicted_nomination(cause, make, db, in_review, reviewer)
    make.review(nomination, colleague, scores=[5, 5, 5, 5], panel_comment="Secret panel note")
    clean = in_review()
    review_url = f"/cycles/{cycle.id}/nominations/{nomination.id}/review"
    login(reviewer)

    dashboard = client.get(f"/cycles/{cycle.id}/dashboard")
    assert dashboard.status_code == 200
    assert review_url not in dashboard.text
    assert f"/cycles/{cycle.id}/nominations/{clean.id}/review" in dashboard.text
    assert "1 of 3" not in dashboard.text  # the progress counts leave it out too
    assert "0 of 3" in dashboard.text

    page = client.get(review_url)
    assert page.status_code in (403, 404)
    assert "Secret panel note" not in page.text
    posted = client.post(review_url, data={"action": "draft", "version": "0"})
    assert posted.status_code in (403, 404)
    assert db.scalar(select(Review).where(Review.reviewer_id == reviewer.id)) is None


def test_conflicted_reviewer_is_told_why_they_are_turned_away(
    client, login, make, cycle, in_review, appointed
):
    reviewer = appointed()
    nomination = in_review()
    endorse(make, reviewer, nomination.nominee)
    login(reviewer)
    page = client.get(f"/cycles/{cycle.id}/nominations/{nomination.id}/review")
    assert page.status_code == 403
    assert "conflict of interest" in page.text


@pytest.mark.parametrize(
    "when, conflicted",
    [
        ("window_start", True),
        ("before_window", False),
        ("last_day", True),
        ("after_close", False),
    ],
)
def test_endorsements_count_only_inside_the_lookback_window(
    when, conflicted, make, db, cycle, in_review, appointed
):
    start = datetime.combine(cycle.lookback_start, time.min, UTC)
    moments = {
        "window_start": start,
        "before_window": start - timedelta(seconds=1),
        "last_day": datetime.combine(CLOSED_ON, time(23, 59), UTC),
        "after_close": datetime.combine(CLOSED_ON + timedelta(days=1), time.min, UTC),
    }
    reviewer = appointed()
    nomination = in_review()
    endorse(make, reviewer, nomination.nominee, when=moments[when])
    found = conflicts.find_conflicts(db, cycle, [reviewer.id])
    assert ((nomination.id, reviewer.id) in found) is conflicted


@pytest.mark.parametrize("cause", ["endorsed", "endorsed_by"])
def test_withdrawn_endorsements_still_conflict(
    cause, client, login, make, db, cycle, in_review, appointed
):
    """Endorsing a nominee, then withdrawing, does not clear the way to reviewing them."""
    reviewer = appointed()
    nomination = in_review()
    endorser, endorsee = (
        (reviewer, nomination.nominee) if cause == "endorsed" else (nomination.nominee, reviewer)
    )
    endorse(make, endorser, endorsee, withdrawn_at=INSIDE + timedelta(days=1))
    found = conflicts.find_conflicts(db, cycle, [reviewer.id])
    assert [c.text for c in found[nomination.id, reviewer.id]] == [EXPECTED_TEXT[cause]]
    assert conflicts.conflicted_in_cycles(db, [cycle], reviewer.id) == [nomination.id]
    login(reviewer)
    review_url = f"/cycles/{cycle.id}/nominations/{nomination.id}/review"
    assert review_url not in client.get(f"/cycles/{cycle.id}/dashboard").text
    page = client.get(review_url)
    assert page.status_code == 403
    assert "conflict of interest" in page.text
    posted = client.post(review_url, data={"action": "draft", "version": "0"})
    assert posted.status_code in (403, 404)
    assert db.scalar(select(Review).where(Review.reviewer_id == reviewer.id)) is None


def test_endorse_withdraw_then_review_is_refused(client, login, make, db):
    """The whole manoeuvre through the app: endorse while nominations are open, withdraw,
    and once the cycle is in review the nominee's nomination is not the reviewer's."""
    open_cycle = make.cycle()
    nominee, reviewer = make.user(), make.reviewer()
    talk = make.contribution(nominee)
    nomination = make.evidence(make.nomination(open_cycle, nominee), [talk])
    login(reviewer)
    assert client.post(f"/contributions/{talk.id}/endorse", data={"comment": ""}).status_code == 302
    assert client.post(f"/contributions/{talk.id}/endorsement/withdraw").status_code == 302
    login(make.organizer())
    moved = client.post(
        f"/cycles/{open_cycle.id}/status/in_review", data={"version": open_cycle.version}
    )
    assert moved.status_code == 302
    make.appointment(open_cycle, reviewer)
    login(reviewer)
    review_url = f"/cycles/{open_cycle.id}/nominations/{nomination.id}/review"
    assert review_url not in client.get(f"/cycles/{open_cycle.id}/dashboard").text
    page = client.get(review_url)
    assert page.status_code == 403
    assert "conflict of interest" in page.text


def test_several_causes_and_repeated_endorsements_are_all_told(
    make, db, cycle, in_review, appointed
):
    reviewer = appointed()
    nomination = in_review(kind=NominationKind.PEER, nominator=reviewer)
    endorse(make, reviewer, nomination.nominee, when=INSIDE - timedelta(days=10))
    endorse(make, reviewer, nomination.nominee)
    texts = [c.text for c in conflicts.causes(db, nomination, reviewer.id)]
    assert texts == [
        "nominated the nominee",
        f"endorsed the nominee 2 times, most recently on {INSIDE:%-d %b %Y}",
    ]


def test_assignment_page_shows_conflicts_with_their_cause(
    client, login, make, cycle, in_review, appointed
):
    reviewer = appointed(display_name="Rita Reviewer")
    nomination = in_review()
    endorse(make, nomination.nominee, reviewer)
    login(make.organizer())
    page = client.get(f"/cycles/{cycle.id}/assignments")
    assert page.status_code == 200
    assert "Rita Reviewer</strong> was endorsed by the nominee on" in page.text
    # and she is not offered for that nomination: nobody else is appointed
    assert "Nobody else eligible" in page.text


def test_assigning_a_conflicted_reviewer_by_hand_is_refused_with_the_cause(
    client, login, make, db, cycle, in_review, appointed
):
    reviewer = appointed(display_name="Rita Reviewer")
    nomination = in_review()
    endorse(make, reviewer, nomination.nominee)
    login(make.organizer())
    response = client.post(
        f"/cycles/{cycle.id}/nominations/{nomination.id}/assign",
        data={"reviewer_id": reviewer.id},
        follow_redirects=True,
    )
    assert "Rita Reviewer has a conflict of interest: endorsed the nominee on" in response.text
    assert db.scalar(select(Assignment)) is None


def test_declaring_a_conflict_removes_assignment_and_review(
    client, login, make, db, cycle, in_review, appointed
):
    from nominee.reviews.services import refresh_scores

    reviewer, colleague = appointed(), appointed()
    nomination = in_review()
    make.assignment(nomination, reviewer)
    make.review(nomination, reviewer, scores=[1, 1, 1, 1])
    make.review(nomination, colleague, scores=[5, 5, 5, 5])
    refresh_scores(db, nomination)
    assert nomination.reviews_submitted == 2
    login(reviewer)
    url = f"/cycles/{cycle.id}/nominations/{nomination.id}/conflict"
    empty = client.post(url, data={"reason": "  "}, follow_redirects=True)
    assert "Say briefly what the conflict is." in empty.text
    response = client.post(url, data={"reason": "My brother"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cycles/{cycle.id}/dashboard")
    db.expire_all()
    assert db.get(Assignment, (nomination.id, reviewer.id)) is None
    assert db.scalar(select(Review).where(Review.reviewer_id == reviewer.id)) is None
    assert nomination.reviews_submitted == 1
    assert nomination.score_mean == 5
    [event] = audit_actions(db, "review.conflict_declared")
    assert event.after["reason"] == "My brother"
    assert event.after["review_removed"] == "submitted"
    page = client.get(f"/cycles/{cycle.id}/nominations/{nomination.id}/review")
    assert page.status_code == 403
