"""The home page's to-do: a reviewer's open work, what waits on an organizer."""

from __future__ import annotations

from datetime import timedelta

from nominee import clock
from nominee.cycles.models import CycleStatus
from nominee.formatting import format_date
from nominee.nominations.models import NominationKind, NominationStatus
from nominee.reviews.models import ReviewStatus


def test_a_reviewer_sees_their_reviews_due_and_the_next_one_to_review(client, auth, make):
    today = clock.today()
    cycle = make.cycle(
        status=CycleStatus.IN_REVIEW,
        nominations_open_on=today - timedelta(days=40),
        nominations_close_on=today - timedelta(days=10),
        review_close_on=today + timedelta(days=5),
    )
    reviewer = make.reviewer()
    make.appointment(cycle, reviewer)
    done, drafted, waiting = (
        make.nomination(cycle, status=NominationStatus.IN_REVIEW) for _ in "abc"
    )
    for nomination in (done, drafted, waiting):
        make.assignment(nomination, reviewer)
    make.review(done, reviewer)
    make.review(drafted, reviewer, status=ReviewStatus.DRAFT)
    auth.login(reviewer)
    page = client.get("/").text
    assert f"2 reviews due by {format_date(cycle.review_close_on)}" in page
    # The submitted one is skipped: the next is the first received not yet submitted.
    assert (
        f'href="/cycles/{cycle.id}/nominations/{drafted.id}/review">Next nomination to review'
        in page
    )


def test_a_reviewer_with_nothing_due_and_a_member_see_nothing_extra(client, auth, make):
    cycle = make.cycle(status=CycleStatus.IN_REVIEW)
    reviewer = make.reviewer()
    nomination = make.nomination(cycle, status=NominationStatus.IN_REVIEW)
    make.assignment(nomination, reviewer)
    make.review(nomination, reviewer)
    for user in (reviewer, make.user()):
        auth.login(user)
        page = client.get("/").text
        assert "Waiting on you" not in page
        assert "due by" not in page
        auth.logout()


def test_an_organizer_sees_what_waits_on_them(client, auth, make):
    today = clock.today()
    open_cycle = make.cycle(nominations_close_on=today + timedelta(days=5))
    make.nomination(
        open_cycle, kind=NominationKind.PEER, status=NominationStatus.AWAITING_ACCEPTANCE
    )
    make.nomination(
        open_cycle, kind=NominationKind.PEER, status=NominationStatus.AWAITING_ACCEPTANCE
    )
    make.nomination(
        open_cycle,
        kind=NominationKind.RENEWAL,
        nominator_id=None,
        no_activity=True,
        renewal_of_award_id=make.award().id,
    )
    late = make.cycle(
        nominations_open_on=today - timedelta(days=30),
        nominations_close_on=today - timedelta(days=3),
        review_close_on=today + timedelta(days=30),
    )
    # Moves by itself and due a move: the scheduler's next tick takes it, not an organizer.
    make.cycle(
        moves_automatically=True,
        nominations_open_on=today - timedelta(days=30),
        nominations_close_on=today - timedelta(days=1),
    )
    auth.login(make.organizer())
    page = client.get("/").text
    assert "2 peer nominations awaiting acceptance</a> in " + open_cycle.name in page
    assert "1 renewal flagged “No activity”</a> in " + open_cycle.name in page
    words = " ".join(page.split())
    assert f"{late.name}: nominations closed 3 days ago: <a href" in words
    assert f'href="/cycles/{late.id}/status/in_review">move to review' in page
    assert words.count("nominations closed") == 1


def test_an_organizer_with_nothing_waiting_sees_nothing_extra(client, auth, make):
    make.cycle()  # open, nothing awaiting
    auth.login(make.organizer())
    assert "Waiting on you" not in client.get("/").text
