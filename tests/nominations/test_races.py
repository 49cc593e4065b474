"""Two requests at the same moment, on an app that really commits."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from nominee.db import get_session
from nominee.nominations.models import Nomination
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
