"""Simultaneous review submissions, with real commits (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from nominee.cycles.models import CycleStatus
from nominee.nominations.models import Nomination, NominationStatus
from nominee.reviews.models import Review
from tests.factories import Factory
from tests.reviews.conftest import CLOSED_ON, TODAY


def _setup(engine, reviewers: int):
    with Session(engine, expire_on_commit=False) as session:
        make = Factory(session)
        cycle = make.cycle(
            status=CycleStatus.IN_REVIEW,
            nominations_open_on=CLOSED_ON - timedelta(days=60),
            nominations_close_on=CLOSED_ON,
            review_close_on=TODAY + timedelta(days=20),
        )
        people = [make.reviewer() for _ in range(reviewers)]
        for person in people:
            make.appointment(cycle, person)
        nomination = make.nomination(cycle, status=NominationStatus.IN_REVIEW)
        for person in people:
            make.assignment(nomination, person)
        session.commit()
        return cycle, people, nomination


def _client(app, user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
    return client


def _at_once(posts) -> list:
    barrier = threading.Barrier(len(posts))
    responses = [None] * len(posts)

    def run(i, post):
        barrier.wait()
        responses[i] = post()

    threads = [threading.Thread(target=run, args=(i, post)) for i, post in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


def _form(cycle, score, version=0):
    data = {f"score_{c.id}": score for c in cycle.criteria}
    data.update(recommendation="award", confidence="high", action="submit", version=version)
    return data


def test_reviewers_submitting_at_once_all_count(committing_app, engine):
    cycle, people, nomination = _setup(engine, 3)
    url = f"/cycles/{cycle.id}/nominations/{nomination.id}/review"
    clients = [_client(committing_app, person) for person in people]
    responses = _at_once(
        [
            lambda c=c, score=score: c.post(url, data=_form(cycle, score))
            for c, score in zip(clients, (1, 3, 5), strict=True)
        ]
    )
    assert [r.status_code for r in responses] == [302, 302, 302], [
        r.get_data(as_text=True)[-600:] for r in responses
    ]
    with Session(engine) as session:
        stored = session.get(Nomination, nomination.id)
        assert stored.reviews_submitted == 3
        assert stored.score_mean == 3
        assert stored.disagreement is True


def test_two_tabs_saving_the_same_review_at_once(committing_app, engine):
    cycle, [person], nomination = _setup(engine, 1)
    url = f"/cycles/{cycle.id}/nominations/{nomination.id}/review"
    tabs = [_client(committing_app, person) for _ in range(2)]
    assert tabs[0].post(url, data={**_form(cycle, 2), "action": "draft"}).status_code == 302
    responses = _at_once(
        [
            lambda t=t, s=s: t.post(url, data=_form(cycle, s, 1))
            for t, s in zip(tabs, (4, 5), strict=True)
        ]
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [302, 409], [r.get_data(as_text=True)[-600:] for r in responses]
    with Session(engine) as session:
        review = session.scalar(select(Review))
        assert review.version == 2
        winner = 4 if responses[0].status_code == 302 else 5
        assert {s.score for s in review.scores} == {winner}
