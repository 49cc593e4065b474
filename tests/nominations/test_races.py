"""Two requests at the same moment, on an app that really commits."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from nominee.accounts.models import User
from nominee.errors import Conflict
from nominee.nominations import services
from nominee.nominations.models import Nomination
from nominee.uow import get_session
from tests.factories import PASSWORD, Factory
from tests.nominations.test_views import STATEMENT


def test_two_nominators_at_once_make_one_live_nomination(committing_app):
    with committing_app.app_context():
        session = get_session()
        make = Factory(session)
        cycle = make.cycle()
        grace = make.user(display_name="Grace")
        nominators = [make.user(), make.user()]
        data = {
            "nominee_id": grace.id,
            "category_id": cycle.categories[0].id,
            "statement_md": STATEMENT,
        }
        url = f"/cycles/{cycle.id}/nominate"
        emails = [u.email for u in nominators]
        session.commit()
    clients = []
    for email in emails:
        client = committing_app.test_client()
        client.post("/login", data={"email": email, "password": PASSWORD})
        clients.append(client)
    barrier = threading.Barrier(len(clients))

    def post(client):
        barrier.wait()
        return client.post(url, data=data)

    with ThreadPoolExecutor(len(clients)) as pool:
        responses = list(pool.map(post, clients))
    assert sorted(r.status_code for r in responses) == [302, 400]
    refused = next(r for r in responses if r.status_code == 400)
    assert "Grace already has a nomination in" in refused.text
    with committing_app.app_context():
        assert get_session().scalar(select(func.count(Nomination.id))) == 1


def test_evidence_change_that_lost_the_race_is_a_conflict(committing_app):
    """Two tabs load version 1; the second save finds the row moved on and changes nothing."""
    with committing_app.app_context():
        session = get_session()
        make = Factory(session)
        cycle = make.cycle(min_evidence=1)
        ada = make.user()
        works = [make.contribution(ada) for _ in range(3)]
        nomination = make.evidence(make.nomination(cycle, ada), works[:1])
        ids = {"nomination": nomination.id, "ada": ada.id, "works": [w.id for w in works]}
        session.commit()
    with committing_app.app_context():
        first = get_session()
        stale = first.get(Nomination, ids["nomination"])
        actor = first.get(User, ids["ada"])
        loaded_version = stale.version
        _ = stale.evidence, stale.cycle.categories
        first.commit()  # end the read; SQLite would otherwise keep the others waiting
        with committing_app.app_context():
            second = get_session()
            services.change_evidence(
                second,
                second.get(User, ids["ada"]),
                second.get(Nomination, ids["nomination"]),
                ids["works"][:2],
                expected_version=loaded_version,
            )
            second.commit()
        with pytest.raises(Conflict, match="This nomination changed in the meantime"):
            services.change_evidence(
                first, actor, stale, ids["works"], expected_version=loaded_version
            )
        first.rollback()
        refreshed = first.get(Nomination, ids["nomination"])
        first.refresh(refreshed)
        assert refreshed.evidence_count == 2
