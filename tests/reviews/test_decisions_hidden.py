"""Rule 5: until the cycle is published, only organizers know a decision. A reviewer reads
every decided nomination as "In review" on every page (the queue, its status filter,
the review page, the cycle page), and nothing they can ask narrows the queue by decision.
"""

from __future__ import annotations

import pytest

from nominee.cycles.models import CycleStatus
from nominee.nominations.models import Decision, NominationStatus
from tests.reviews.test_dashboard import order


@pytest.fixture
def decided(in_review):
    """An awarded, a declined and an undecided nomination of the cycle in review."""
    awarded = in_review(
        status=NominationStatus.AWARDED,
        decision=Decision.AWARD,
        decision_feedback="Feedback for the nominee",
    )
    declined = in_review(status=NominationStatus.DECLINED, decision=Decision.DECLINE)
    pending = in_review()
    return awarded, declined, pending


def _pages(client, cycle, nomination, **args):
    dashboard = client.get(f"/cycles/{cycle.id}/dashboard", query_string=args)
    review = client.get(f"/cycles/{cycle.id}/nominations/{nomination.id}/review")
    shown = client.get(f"/cycles/{cycle.id}")
    return dashboard, review, shown


def test_a_reviewer_reads_decided_nominations_as_in_review_everywhere(
    client, login, cycle, decided, appointed
):
    awarded, declined, pending = decided
    login(appointed())
    for nomination in (awarded, declined):
        for page in _pages(client, cycle, nomination):
            assert page.status_code == 200
            assert "Awarded" not in page.text and "Declined" not in page.text
            assert "Feedback for the nominee" not in page.text
    review = client.get(f"/cycles/{cycle.id}/nominations/{awarded.id}/review").text
    assert "· In review" in review
    # The status filter is not offered, and asking for a decision narrows nothing: the
    # queue answers the same as with no filter, whatever the status asked for.
    dashboard = client.get(f"/cycles/{cycle.id}/dashboard").text
    assert 'value="awarded"' not in dashboard and 'value="declined"' not in dashboard
    everything = [awarded.id, declined.id, pending.id]
    assert order(client.get(f"/cycles/{cycle.id}/dashboard")) == everything
    for status in ("awarded", "declined", "in_review"):
        page = client.get(f"/cycles/{cycle.id}/dashboard", query_string={"status": status})
        assert order(page) == everything, status


def test_a_nominee_reaches_the_cycle_in_review_from_their_nomination_and_learns_nothing(
    client, login, cycle, decided
):
    """Issue 20: a member's own nomination linked to a cycle page that answered 404 while
    the cycle was in review. It answers now, saying when results come, and every decision
    still reads as in review."""
    awarded, declined, _pending = decided
    for nomination in (awarded, declined):
        login(nomination.nominee)
        own = client.get(f"/nominations/{nomination.id}").text
        assert f'href="/cycles/{cycle.id}"' in own
        page = client.get(f"/cycles/{cycle.id}")
        assert page.status_code == 200
        assert "are being reviewed" in page.text
        assert "Awarded" not in page.text and "Declined" not in page.text
        assert "Feedback for the nominee" not in page.text


def test_organizers_and_everybody_after_publishing_see_the_decisions(
    client, login, make, db, cycle, decided, appointed
):
    awarded, declined, pending = decided
    reviewer = appointed()
    login(make.organizer())
    page = client.get(f"/cycles/{cycle.id}/dashboard", query_string={"status": "awarded"})
    assert order(page) == [awarded.id] and "Awarded" in page.text
    cycle.status = CycleStatus.PUBLISHED
    db.flush()
    login(reviewer)
    page = client.get(f"/cycles/{cycle.id}/dashboard", query_string={"status": "declined"})
    assert order(page) == [declined.id] and "Declined" in page.text
    review = client.get(f"/cycles/{cycle.id}/nominations/{awarded.id}/review").text
    assert "· Awarded" in review
