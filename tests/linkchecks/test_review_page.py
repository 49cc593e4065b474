"""Reviewers read "link broken since 3 Jan" next to an evidence link that broke."""

from __future__ import annotations

from datetime import UTC, datetime

from nominee.linkchecks import services
from nominee.linkchecks.rules import Outcome
from tests.reviews.conftest import login  # noqa: F401  (fixtures)
from tests.reviews.test_frozen_evidence import URL, ada, open_cycle, panel, talk  # noqa: F401


def test_the_review_page_shows_a_broken_evidence_link(client, login, panel, db):  # noqa: F811
    _, reviewer, nomination, _ = panel
    login(reviewer)
    path = f"/cycles/{nomination.cycle_id}/nominations/{nomination.id}/review"
    assert "link broken" not in client.get(path).text
    services.record(
        db, URL, Outcome(410, "The page answered 410."), None, datetime(2027, 1, 3, tzinfo=UTC)
    )
    db.commit()
    page = client.get(path).text
    assert '<span class="link-broken">link broken since 3 Jan 2027</span>' in page
