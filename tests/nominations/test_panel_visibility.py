"""Who reads a nomination's page: reviewers as the review page lets them, the nominator as
any member (rules 4 and 5)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from nominee.contributions.models import Visibility
from nominee.cycles.models import CycleStatus
from nominee.nominations.models import NominationKind, NominationStatus
from tests.security.helpers import client_for

TODAY = date.today()
CLOSED_ON = TODAY - timedelta(days=5)


@pytest.fixture
def cycle(make):
    return make.cycle(
        status=CycleStatus.IN_REVIEW,
        nominations_open_on=CLOSED_ON - timedelta(days=60),
        nominations_close_on=CLOSED_ON,
        review_close_on=TODAY + timedelta(days=20),
        categories=[make.category(), make.category()],
    )


@pytest.fixture
def nomination(make, db, cycle):
    """A peer nomination in review with a public and a private contribution as evidence."""
    grace = make.user(display_name="Grace Nominee")
    peer = make.nomination(
        cycle,
        grace,
        kind=NominationKind.PEER,
        nominator=make.user(display_name="Bob Nominator"),
        status=NominationStatus.IN_REVIEW,
    )
    public = make.contribution(grace, title="Public talk", quantity=2, audience=427)
    private = make.contribution(
        grace,
        title="Private mentoring",
        visibility=Visibility.PRIVATE,
        quantity=40,
        audience=999_000,
    )
    make.evidence(peer, [public, private])
    peer.total_quantity, peer.total_audience = 42, 999_427
    db.flush()
    return peer


def page(app, user, nomination):
    return client_for(app, user).get(f"/nominations/{nomination.id}")


# Item 7: reviewers read a nomination page only as the review page lets them


def test_a_conflicted_reviewer_is_refused_the_nomination_page(app, make, cycle, nomination):
    reviewer = make.reviewer()
    make.appointment(cycle, reviewer)
    inside = datetime.combine(CLOSED_ON - timedelta(days=30), time(12), UTC)
    make.endorsement(make.contribution(nomination.nominee), reviewer, created_at=inside)
    review_page = client_for(app, reviewer).get(
        f"/cycles/{cycle.id}/nominations/{nomination.id}/review"
    )
    assert review_page.status_code == 403
    response = page(app, reviewer, nomination)
    assert response.status_code == 403
    assert "conflict of interest" in response.text
    assert "Private mentoring" not in response.text and "Public talk" not in response.text


@pytest.mark.parametrize("who", ["unappointed", "other_category"])
def test_a_reviewer_not_appointed_for_it_sees_what_a_member_sees(who, app, make, cycle, nomination):
    reviewer = make.reviewer()
    if who == "other_category":
        make.appointment(cycle, reviewer, cycle.categories[1])
    member = page(app, make.user(), nomination)
    response = page(app, reviewer, nomination)
    assert response.status_code == member.status_code == 404
    assert "Private mentoring" not in response.text


def test_an_appointed_reviewer_and_an_organizer_read_it_with_private_evidence(
    app, make, cycle, nomination
):
    reviewer = make.reviewer()
    make.appointment(cycle, reviewer)
    for user in (reviewer, make.organizer()):
        response = page(app, user, nomination)
        assert response.status_code == 200
        assert "Private mentoring" in response.text
        assert "<dt>Total audience</dt><dd>999,427</dd>" in response.text


# Item 8: the nominator sees no more than any member of the private evidence


def test_the_nominator_learns_nothing_of_private_evidence(app, make, db, nomination):
    response = page(app, nomination.nominator, nomination)
    assert response.status_code == 200
    text = response.text
    assert "Public talk" in text
    assert "Private mentoring" not in text
    assert "private contribution" not in text
    assert "999,427" not in text and "999,000" not in text and "42</dd>" not in text
    assert "<dt>Contributions</dt><dd>1</dd>" in text
    assert "<dt>Total audience</dt><dd>427</dd>" in text
    assert "<dt>Total quantity</dt><dd>2</dd>" in text
    mine = client_for(app, nomination.nominator).get("/nominations/mine").text
    assert "Private mentoring" not in mine and "private" not in mine.lower()
    # The nominee sees all of her evidence.
    own = page(app, nomination.nominee, nomination).text
    assert "Private mentoring" in own and "<dt>Total audience</dt><dd>999,427</dd>" in own


def test_a_nominator_who_is_a_reviewer_reads_as_the_nominator(app, make, db, cycle, nomination):
    """Nominating makes a reviewer conflicted; as the nominator they still see the page,
    with what any member may see of the evidence."""
    reviewer = make.reviewer()
    make.appointment(cycle, reviewer)
    nomination.nominator = reviewer
    db.flush()
    response = page(app, reviewer, nomination)
    assert response.status_code == 200
    assert "Private mentoring" not in response.text
    assert "private contribution" not in response.text
    assert "999,427" not in response.text
