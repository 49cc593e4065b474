"""Two copies of one POST with the same Idempotency-Key at the same moment, with real
commits: one contribution, whatever the timing (the key's unique row decides)."""

from __future__ import annotations

import threading
from datetime import date, timedelta

from flask import Flask
from sqlalchemy import func, select

from nominee.contributions.models import Contribution
from nominee.tokens import services as tokens
from nominee.uow import get_session
from tests.factories import Factory


def test_a_key_sent_twice_at_once_creates_one_contribution(committing_app: Flask):
    with committing_app.app_context():
        session = get_session()
        make = Factory(session)
        member, kind, category = make.user(), make.contribution_type(), make.category()
        _, secret = tokens.create_token(
            session, member, name="twice", scopes=["contributions:write"], expires_in_days=None
        )
        body = {
            "type_id": kind.id,
            "title": "Sent twice by a flaky network",
            "contributed_on": (date.today() - timedelta(days=1)).isoformat(),
            "primary_category_id": category.id,
            "role": "Speaker",
        }
        member_id = member.id
        session.commit()
    headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": "flaky-1"}
    barrier = threading.Barrier(2)
    answers: list = [None, None]

    def post(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            client = committing_app.test_client()
            response = client.post("/api/v1/contributions", json=body, headers=headers)
            answers[index] = (response.status_code, response.json)
        except BaseException as exc:
            answers[index] = exc

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for answer in answers:
        if isinstance(answer, BaseException):
            raise answer
    statuses = sorted(status for status, _ in answers)
    # The second either waited and got the first's answer again, or was told the first
    # was still running (409): never a second contribution.
    assert statuses in ([201, 201], [201, 409]), answers
    with committing_app.app_context():
        count = get_session().scalar(
            select(func.count()).select_from(Contribution).where(Contribution.owner_id == member_id)
        )
    assert count == 1
