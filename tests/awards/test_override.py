"""Reviews come before decisions: deciding a nomination with fewer submitted reviews than
the cycle asks ("Reviewers per nomination") takes an explicit override with a reason,
which is kept on the nomination and in the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nominee.audit import AuditEvent
from nominee.cycles.models import CycleStatus
from nominee.nominations.models import NominationStatus
from nominee.reviews.models import ReviewStatus
from tests.awards.helpers import review
from tests.awards.test_decisions import decide
from tests.nominations.test_views import error_of


@pytest.fixture
def short(make):
    """A nomination in review with 1 submitted review (and a draft) of the 2 asked."""
    cycle = make.cycle(status=CycleStatus.IN_REVIEW, reviewers_per_nomination=2)
    nomination = make.nomination(cycle, status=NominationStatus.IN_REVIEW)
    review(make.session, nomination, make.reviewer(), [4, 4, 4, 4])
    review(make.session, nomination, make.reviewer(), [5], status=ReviewStatus.DRAFT)
    return nomination


@pytest.mark.parametrize("decision", ["award", "decline"])
def test_too_few_reviews_need_an_override(client, auth, make, db, short, decision):
    auth.login(make.organizer())
    page = client.get(f"/nominations/{short.id}/decide")
    assert "1 of the 2 reviews this cycle asks for is submitted" in page.text
    response = decide(client, short, decision)
    assert response.status_code == 400
    assert "1 of the 2 reviews" in error_of(response.text, "override")
    db.refresh(short)
    assert short.decision is None and short.status is NominationStatus.IN_REVIEW


def test_an_override_needs_its_reason(client, auth, make, db, short):
    auth.login(make.organizer())
    response = decide(client, short, override="y", override_reason="  ")
    assert response.status_code == 400
    assert "Give the reason" in error_of(response.text, "override_reason")
    db.refresh(short)
    assert short.decision is None


def test_an_override_with_its_reason_decides_and_is_audited(client, auth, make, db, short):
    auth.login(make.organizer())
    reason = "The third reviewer fell ill; the two others agree."
    response = decide(client, short, override="y", override_reason=reason)
    assert response.status_code == 302
    db.refresh(short)
    assert short.status is NominationStatus.AWARDED
    assert short.decision_override_reason == reason
    [event] = db.scalars(select(AuditEvent).where(AuditEvent.action == "nomination.decided")).all()
    assert event.after["override_reason"] == reason
    assert event.after["reviews_submitted"] == 1


def test_enough_reviews_need_no_override(client, auth, make, db, short):
    review(db, short, make.reviewer(), [3, 3, 3, 3])
    auth.login(make.organizer())
    response = decide(client, short, override="y", override_reason="Not needed.")
    assert response.status_code == 302
    db.refresh(short)
    assert short.status is NominationStatus.AWARDED
    assert short.decision_override_reason == ""
