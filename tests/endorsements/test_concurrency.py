"""Simultaneous requests, with real commits: the database, not luck, keeps the rules."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from nominee import clock
from nominee.accounts.models import User
from nominee.contributions.models import Contribution
from nominee.cycles.models import CycleStatus
from nominee.endorsements.models import Endorsement
from nominee.nominations.models import Nomination, NominationStatus
from nominee.uow import get_session
from tests.factories import PASSWORD, Factory


def logged_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def at_once(clients: list[FlaskClient], path: str) -> list[int]:
    """POST ``path`` from every client, released together by a barrier; the statuses."""
    barrier = threading.Barrier(len(clients))
    statuses: list[int | BaseException] = [0] * len(clients)

    def post(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            response = clients[index].post(
                path, data={"comment": f"thread {index}"}, headers={"Accept": "application/json"}
            )
            statuses[index] = response.status_code
        except BaseException as exc:  # reported by the test thread below
            statuses[index] = exc

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for status in statuses:
        if isinstance(status, BaseException):
            raise status
    return statuses


def state(app: Flask, contribution_id: int) -> tuple[int, int, int]:
    """(endorsement rows, active rows, stored count) as committed in the database."""
    with app.app_context():
        session = get_session()
        rows = session.scalar(
            select(func.count(Endorsement.id)).where(Endorsement.contribution_id == contribution_id)
        )
        active = session.scalar(
            select(func.count(Endorsement.id)).where(
                Endorsement.contribution_id == contribution_id, Endorsement.withdrawn_at.is_(None)
            )
        )
        stored = session.get(Contribution, contribution_id).endorsement_count
        return rows, active, stored


@pytest.fixture
def scene(committing_app: Flask):
    """A public contribution and two members, committed."""
    with committing_app.app_context():
        session = get_session()
        make = Factory(session)
        contribution = make.contribution()
        first, second = make.user(), make.user()
        session.commit()
        return contribution.id, first.email, second.email


def test_two_simultaneous_endorsements_by_one_member_create_one(committing_app, scene):
    contribution_id, email, _ = scene
    clients = [logged_in(committing_app, email), logged_in(committing_app, email)]
    statuses = at_once(clients, f"/contributions/{contribution_id}/endorse")
    assert sorted(statuses) == [201, 409]
    assert state(committing_app, contribution_id) == (1, 1, 1)


def test_two_simultaneous_reactivations_count_once(committing_app, scene):
    contribution_id, email, _ = scene
    with committing_app.app_context():
        session = get_session()
        Factory(session).endorsement(
            session.get(Contribution, contribution_id),
            session.scalar(select(User).where(User.email == email)),
            withdrawn_at=clock.now(),
        )
        session.commit()
    clients = [logged_in(committing_app, email), logged_in(committing_app, email)]
    statuses = at_once(clients, f"/contributions/{contribution_id}/endorse")
    assert sorted(statuses) == [201, 409]
    assert state(committing_app, contribution_id) == (1, 1, 1)


def test_simultaneous_endorsements_by_different_members_both_count(committing_app, scene):
    contribution_id, first, second = scene
    clients = [logged_in(committing_app, first), logged_in(committing_app, second)]
    statuses = at_once(clients, f"/contributions/{contribution_id}/endorse")
    assert statuses == [201, 201]
    assert state(committing_app, contribution_id) == (2, 2, 2)


def test_simultaneous_endorsements_of_one_nominations_evidence_both_count(committing_app):
    """Each request recounts the nomination's distinct endorsers; the second to lock its
    row counts after the first committed, so neither endorser is lost."""
    with committing_app.app_context():
        session = get_session()
        make = Factory(session)
        nominee = make.user()
        evidence = [make.contribution(nominee), make.contribution(nominee)]
        nomination = make.evidence(
            make.nomination(
                make.cycle(status=CycleStatus.OPEN), nominee, status=NominationStatus.SUBMITTED
            ),
            evidence,
        )
        emails = [make.user().email, make.user().email]
        ids = [c.id for c in evidence], nomination.id
        session.commit()
    barrier = threading.Barrier(2)
    clients = [logged_in(committing_app, email) for email in emails]

    def post(index: int) -> int:
        barrier.wait(timeout=10)
        response = clients[index].post(
            f"/contributions/{ids[0][index]}/endorse", headers={"Accept": "application/json"}
        )
        return response.status_code

    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(post, range(2))) == [201, 201]
    with committing_app.app_context():
        assert get_session().get(Nomination, ids[1]).distinct_endorsers == 2
