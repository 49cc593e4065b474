"""Rule 2 against two requests at once, on an app that really commits: the owner moves
or deletes a contribution while choosing it as evidence in another tab."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from flask import Flask
from sqlalchemy import select

from nominee.contributions.models import Contribution
from nominee.nominations.models import Nomination, NominationEvidence
from nominee.uow import get_session
from tests.contributions.test_evidence import form_data
from tests.factories import PASSWORD, Factory


def scene(app: Flask) -> dict:
    """Ada's submitted nomination with one piece of evidence, and another contribution."""
    with app.app_context():
        session = get_session()
        make = Factory(session)
        cycle = make.cycle(min_evidence=1)
        ada = make.user()
        chosen, other = make.contribution(ada), make.contribution(ada)
        nomination = make.evidence(make.nomination(cycle, ada), [chosen])
        ids = {
            "email": ada.email,
            "nomination": nomination.id,
            "version": nomination.version,
            "chosen": chosen.id,
            "other": other.id,
            "edit": form_data(other, contributed_on="2015-01-01"),
            "window": (cycle.lookback_start, cycle.nominations_close_on),
        }
        session.commit()
        return ids


def at_once(app: Flask, email: str, *requests) -> list:
    """Each ``(path, data)`` POSTed by its own logged-in client, released together."""
    clients = []
    for _ in requests:
        client = app.test_client()
        assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code
        clients.append(client)
    barrier = threading.Barrier(len(requests))

    def post(index: int):
        barrier.wait(timeout=10)
        path, data = requests[index]
        return clients[index].post(path, data=data)

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(post, range(len(requests))))


def evidence_and_dates(app: Flask, nomination_id: int) -> dict[int, object]:
    with app.app_context():
        return dict(
            get_session()
            .execute(
                select(Contribution.id, Contribution.contributed_on)
                .join(NominationEvidence, NominationEvidence.contribution_id == Contribution.id)
                .where(NominationEvidence.nomination_id == nomination_id)
            )
            .all()
        )


def test_moving_a_contribution_while_choosing_it_as_evidence(committing_app):
    ids = scene(committing_app)
    chosen, moved = at_once(
        committing_app,
        ids["email"],
        (
            f"/nominations/{ids['nomination']}/evidence",
            {"version": ids["version"], "evidence": [ids["chosen"], ids["other"]]},
        ),
        (f"/contributions/{ids['other']}/edit", ids["edit"]),
    )
    statuses = (chosen.status_code, moved.status_code)
    assert statuses in ((302, 400), (400, 302)), (chosen.text, moved.text)
    evidence = evidence_and_dates(committing_app, ids["nomination"])
    first, last = ids["window"]
    assert all(first <= day <= last for day in evidence.values()), evidence
    assert (ids["other"] in evidence) is (statuses == (302, 400))


def test_deleting_a_contribution_while_choosing_it_as_evidence(committing_app):
    ids = scene(committing_app)
    chosen, deleted = at_once(
        committing_app,
        ids["email"],
        (
            f"/nominations/{ids['nomination']}/evidence",
            {"version": ids["version"], "evidence": [ids["chosen"], ids["other"]]},
        ),
        (f"/contributions/{ids['other']}/delete", {}),
    )
    statuses = (chosen.status_code, deleted.status_code)
    assert statuses in ((302, 400), (400, 302)), (chosen.text, deleted.text)
    evidence = evidence_and_dates(committing_app, ids["nomination"])
    with committing_app.app_context():
        nomination = get_session().get(Nomination, ids["nomination"])
        # What the nomination counts is what it has: no evidence vanished under it.
        assert nomination.evidence_count == len(evidence)
    assert (ids["other"] in evidence) is (statuses == (302, 400))
