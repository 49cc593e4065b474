"""The reviewers' loads and the review queue's progress are kept under the cycle's
``review_activity``: every service that changes a cycle's appointments, assignments or
reviews, and every move of a nomination, draws a new one, so the pages never show counts
from before the change; a view that changes nothing reads them kept."""

from __future__ import annotations

import re

from sqlalchemy import event, select

from nominee import sharedcache
from nominee.nominations.models import NominationStatus
from nominee.nominations.services import change_status
from nominee.reviews import services
from nominee.reviews.models import Confidence, Recommendation, Review, ReviewStatus
from nominee.reviews.queries.panel import reviewer_loads
from nominee.reviews.services import ReviewInput


def load_of(client, cycle, name: str) -> tuple[str, str]:
    """The reviewers page's (assigned, submitted) cells of ``name``'s row."""
    page = client.get(f"/cycles/{cycle.id}/reviewers")
    assert page.status_code == 200
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", page.text, re.S) if name in r)
    cells = [
        re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)
    ]
    return cells[1], cells[2]


def kept_keys(app) -> list[str]:
    cache = app.extensions["nominee.cache"]
    return [key for key in cache._local if key.startswith("reviewer-loads:")]


def review_input(cycle, *, complete: bool) -> ReviewInput:
    return ReviewInput(
        scores={criterion.id: 4 for criterion in cycle.criteria} if complete else {},
        recommendation=Recommendation.AWARD if complete else None,
        confidence=Confidence.HIGH if complete else None,
    )


def test_every_change_to_a_cycles_work_shows_on_the_reviewers_page(
    app, client, login, make, db, cycle, in_review, appointed
):
    rita = appointed(display_name="Rita Reviewer")
    organizer = make.organizer()
    first, second = in_review(), in_review()
    login(organizer)
    assert load_of(client, cycle, "Rita Reviewer") == ("0", "0")
    [key] = kept_keys(app)
    # Nothing changed: the same kept counts, no new key.
    assert load_of(client, cycle, "Rita Reviewer") == ("0", "0")
    assert kept_keys(app) == [key]

    edited = cycle.version
    services.assign(db, organizer, first, rita)
    services.assign(db, organizer, second, rita)
    db.commit()
    assert load_of(client, cycle, "Rita Reviewer") == ("2", "0")
    # A new version of the work, not an edit of the cycle: its edit form still saves.
    db.refresh(cycle)
    assert cycle.version == edited

    services.save_review(
        db, rita, first, review_input(cycle, complete=False), submit=False, version=0
    )
    db.commit()
    assert load_of(client, cycle, "Rita Reviewer") == ("2", "0 (1 draft)")

    review = db.scalars(select(Review).where(Review.nomination_id == first.id)).one()
    services.save_review(
        db, rita, first, review_input(cycle, complete=True), submit=True, version=review.version
    )
    db.commit()
    assert review.status is ReviewStatus.SUBMITTED
    assert load_of(client, cycle, "Rita Reviewer") == ("2", "1")

    services.declare_conflict(db, rita, second, "We work on the same project.")
    db.commit()
    assert load_of(client, cycle, "Rita Reviewer") == ("1", "1")

    third = in_review()
    services.assign(db, organizer, third, rita)
    db.commit()
    assert load_of(client, cycle, "Rita Reviewer") == ("2", "1")
    services.unassign(db, organizer, third, rita)
    db.commit()
    assert load_of(client, cycle, "Rita Reviewer") == ("1", "1")


def test_appointing_and_removing_reviewers_shows_on_the_reviewers_page(
    app, client, login, make, db, cycle, in_review, appointed
):
    tools, data = cycle.categories
    dana = make.reviewer(display_name="Dana Data")
    organizer = make.organizer()
    on_tools, on_data = in_review(category=tools), in_review(category=data)
    tools_appointment = services.appoint(db, organizer, cycle, dana, tools)
    services.appoint(db, organizer, cycle, dana, data)
    db.commit()
    login(organizer)
    services.assign(db, organizer, on_tools, dana)
    services.assign(db, organizer, on_data, dana)
    db.commit()
    assert load_of(client, cycle, "Dana Data") == ("2", "0")
    assert services.remove_appointment(db, organizer, tools_appointment) == 1
    db.commit()
    assert load_of(client, cycle, "Dana Data") == ("1", "0")
    # Another reviewer appointed later is counted, from nothing.
    appointed(display_name="Rita Reviewer")
    assert load_of(client, cycle, "Rita Reviewer") == ("0", "0")
    assert load_of(client, cycle, "Dana Data") == ("1", "0")


def progress_of(client, cycle) -> list[str]:
    """The dashboard's progress table, a line a row (category, nominations, reviews, mine)."""
    page = client.get(f"/cycles/{cycle.id}/dashboard")
    assert page.status_code == 200
    table = re.search(r'<table class="rv-progress">(.*?)</table>', page.text, re.S).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    return [
        " | ".join(
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        )
        for row in rows
        if "<td" in row
    ]


def test_the_queues_progress_follows_reviews_and_moves(
    client, login, make, db, cycle, in_review, appointed
):
    rita = appointed(display_name="Rita Reviewer")
    organizer = make.organizer()
    first, second = in_review(), in_review()
    services.assign(db, organizer, first, rita)
    db.commit()
    login(rita)
    reviews_needed = 2 * cycle.reviewers_per_nomination
    assert progress_of(client, cycle)[-1] == (
        f"All categories | 2 | 0 of {reviews_needed} (0%) | 0 of 1 assigned"
    )
    # Viewed again with nothing changed: the same figures.
    assert progress_of(client, cycle)[-1].endswith("0 of 1 assigned")

    services.save_review(
        db, rita, first, review_input(cycle, complete=True), submit=True, version=0
    )
    db.commit()
    assert progress_of(client, cycle)[-1] == (
        f"All categories | 2 | 1 of {reviews_needed} (17%) | 1 of 1 assigned"
    )

    # A nomination leaving the queue (any move goes through the one gate of its status).
    change_status(db, organizer, second, NominationStatus.WITHDRAWN, "nomination.withdrawn")
    db.commit()
    needed = cycle.reviewers_per_nomination
    assert progress_of(client, cycle)[-1] == (
        f"All categories | 1 | 1 of {needed} (33%) | 1 of 1 assigned"
    )


def cycle_updates(db) -> list[str]:
    """The UPDATEs of the cycles table the session's connection runs from now on."""
    seen: list[str] = []
    event.listen(
        db.connection(),
        "before_cursor_execute",
        lambda _c, _cur, statement, *_a: (
            seen.append(statement)
            if statement.lstrip().upper().startswith("UPDATE CYCLES")
            else None
        ),
    )
    return seen


def test_a_transaction_draws_the_cycles_version_once_however_many_move(db, make, cycle):
    organizer = make.organizer()
    submitted = [make.nomination(cycle, status=NominationStatus.SUBMITTED) for _ in range(3)]
    db.commit()
    before = cycle.review_activity
    updates = cycle_updates(db)
    for nomination in submitted:
        change_status(
            db, organizer, nomination, NominationStatus.IN_REVIEW, "nomination.entered_review"
        )
    db.commit()
    assert len(updates) == 1
    db.refresh(cycle)
    assert cycle.review_activity != before


def test_a_draw_undone_with_its_savepoint_is_drawn_again(db, make, cycle, in_review, appointed):
    rita = appointed(display_name="Rita Reviewer")
    organizer = make.organizer()
    first, second = in_review(), in_review()
    db.commit()
    before = cycle.review_activity
    savepoint = db.begin_nested()
    services.assign(db, organizer, first, rita)
    savepoint.rollback()
    db.refresh(cycle)
    assert cycle.review_activity == before  # the draw went with the savepoint
    services.assign(db, organizer, second, rita)
    db.commit()
    db.refresh(cycle)
    assert cycle.review_activity != before


def test_counts_read_between_two_changes_of_one_transaction_are_not_kept(
    app, client, login, db, make, cycle, in_review, appointed
):
    """The second change draws no new version: counts kept in between would outlive it."""
    rita = appointed(display_name="Rita Reviewer")
    organizer = make.organizer()
    first, second = in_review(), in_review()
    db.commit()
    db.info[sharedcache.CACHE] = app.extensions["nominee.cache"]
    services.assign(db, organizer, first, rita)
    [load] = [load for load in reviewer_loads(db, cycle) if load.reviewer.id == rita.id]
    assert load.assigned == 1
    assert kept_keys(app) == []
    services.assign(db, organizer, second, rita)
    db.commit()
    login(organizer)
    assert load_of(client, cycle, "Rita Reviewer") == ("2", "0")
