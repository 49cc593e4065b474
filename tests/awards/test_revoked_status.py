"""A revoked award's nomination reads "Awarded, revoked on <date>" wherever its status shows."""

from __future__ import annotations

import pytest

from nominee.cycles.models import CycleStatus
from nominee.nominations.models import Decision, NominationStatus
from nominee.templating import format_date
from tests.awards.test_renewal_views import logged_in


@pytest.fixture
def revoked(app, make, db):
    cycle = make.cycle(status=CycleStatus.PUBLISHED)
    nomination = make.nomination(
        cycle,
        make.user(display_name="Ada"),
        status=NominationStatus.AWARDED,
        decision=Decision.AWARD,
    )
    award = make.award(nomination)
    organizer = logged_in(app, make.organizer())
    response = organizer.post(
        f"/awards/{award.verification_id}/revoke",
        data={"reason": "Conduct.", "confirm": "y"},
    )
    assert response.status_code == 302
    db.refresh(award)
    label = f"Awarded, revoked on {format_date(award.revoked_at)}"
    return nomination, award, organizer, label


def test_the_nominee_reads_it_on_the_nomination_and_my_nominations(app, revoked):
    nomination, award, _, label = revoked
    member = logged_in(app, award.member)
    assert label in member.get(f"/nominations/{nomination.id}").text
    assert label in member.get("/nominations/mine").text


def test_the_member_page_says_it(app, make, revoked):
    _, award, _, label = revoked
    visitor = logged_in(app, make.user())
    assert label in visitor.get(f"/members/{award.member_id}").text


def test_organizers_read_it_on_the_dashboard_and_the_decisions(revoked):
    nomination, _, organizer, label = revoked
    assert label in organizer.get(f"/cycles/{nomination.cycle_id}/dashboard").text
    assert label in organizer.get(f"/cycles/{nomination.cycle_id}/decisions").text
    assert label in organizer.get(f"/nominations/{nomination.id}").text


def test_an_award_still_standing_reads_awarded(app, make):
    cycle = make.cycle(status=CycleStatus.PUBLISHED)
    nomination = make.nomination(cycle, status=NominationStatus.AWARDED, decision=Decision.AWARD)
    make.award(nomination)
    page = logged_in(app, nomination.nominee).get("/nominations/mine").text
    assert "Awarded" in page and "revoked" not in page
