"""Rule 10: dates are rules. An open cycle takes nominations, acceptances and evidence
changes only from its nominations-open date to its close date (days of the programme's
time zone, both included; see tests/cycles/test_programme_zone.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from nominee.cycles.models import CycleStatus
from nominee.i18n import programme_time_zone
from nominee.nominations.models import Nomination, NominationKind, NominationStatus
from nominee.templating import format_date
from tests.nominations.test_views import login, nominate, works

TODAY = date.today()

PAST = {
    "nominations_open_on": TODAY - timedelta(days=40),
    "nominations_close_on": TODAY - timedelta(days=1),
}
FUTURE = {
    "nominations_open_on": TODAY + timedelta(days=1),
    "nominations_close_on": TODAY + timedelta(days=20),
}


@pytest.fixture(params=["closed", "not_yet_open"])
def dated(request, make):
    """An open cycle whose nomination dates do not hold today."""
    dates = PAST if request.param == "closed" else FUTURE
    return make.cycle(status=CycleStatus.OPEN, min_evidence=1, **dates)


def dates_message(cycle) -> str:
    return (
        f"from {format_date(cycle.nominations_open_on)} to "
        f"{format_date(cycle.nominations_close_on)} ({programme_time_zone()})"
    )


def test_no_nomination_outside_the_dates(app, make, db, dated):
    ada = make.user()
    mine = works(make, ada, 1, days_ago=50)
    client = login(app, ada)
    page = client.get(f"/cycles/{dated.id}/nominate?nominee={ada.id}")
    assert page.status_code == 400
    assert dates_message(dated) in page.text
    response = nominate(client, dated, ada, mine)
    assert response.status_code == 400
    assert f"Nominations can only be made {dates_message(dated)}" in response.text
    assert db.scalars(select(Nomination)).all() == []


def test_no_acceptance_outside_the_dates(app, make, db, dated):
    grace = make.user()
    awaiting = make.nomination(
        dated, grace, kind=NominationKind.PEER, status=NominationStatus.AWAITING_ACCEPTANCE
    )
    mine = works(make, grace, 1, days_ago=50)
    response = login(app, grace).post(
        f"/nominations/{awaiting.id}/accept",
        data={"version": awaiting.version, "evidence": [mine[0].id]},
    )
    assert response.status_code == 400
    assert dates_message(dated) in response.text
    db.refresh(awaiting)
    assert awaiting.status is NominationStatus.AWAITING_ACCEPTANCE


def test_no_evidence_change_outside_the_dates(app, make, db, dated):
    ada = make.user()
    old, new = works(make, ada, 1, days_ago=50), works(make, ada, 1, days_ago=60)
    nomination = make.evidence(make.nomination(dated, ada), old)
    client = login(app, ada)
    response = client.post(
        f"/nominations/{nomination.id}/evidence",
        data={"version": nomination.version, "evidence": [new[0].id]},
    )
    assert response.status_code == 400
    assert dates_message(dated) in response.text
    db.refresh(nomination)
    assert [e.contribution_id for e in nomination.evidence] == [old[0].id]
    page = client.get(f"/nominations/{nomination.id}")
    assert f"/nominations/{nomination.id}/evidence" not in page.text


@pytest.mark.parametrize("offset", [0, 20])
def test_the_first_and_last_days_are_inside(app, make, db, offset):
    cycle = make.cycle(
        min_evidence=1,
        nominations_open_on=TODAY - timedelta(days=offset),
        nominations_close_on=TODAY + timedelta(days=20 - offset),
    )
    ada = make.user()
    response = nominate(login(app, ada), cycle, ada, works(make, ada, 1))
    assert response.status_code == 302


def test_a_cycle_whose_nominations_closed_cannot_be_opened(app, make, db):
    cycle = make.cycle(
        status=CycleStatus.DRAFT,
        nominations_open_on=TODAY - timedelta(days=60),
        nominations_close_on=TODAY - timedelta(days=30),
        review_close_on=TODAY - timedelta(days=1),
    )
    organizer = login(app, make.organizer())
    page = organizer.get(f"/cycles/{cycle.id}/status/open")
    message = f"Its nominations closed on {format_date(cycle.nominations_close_on)}"
    assert message in page.text
    response = organizer.post(f"/cycles/{cycle.id}/status/open", data={"version": cycle.version})
    assert response.status_code == 400
    assert message in response.text
    db.refresh(cycle)
    assert cycle.status is CycleStatus.DRAFT


def test_a_cycle_closing_today_can_be_opened(app, make, db):
    cycle = make.cycle(
        status=CycleStatus.DRAFT,
        nominations_open_on=TODAY - timedelta(days=10),
        nominations_close_on=TODAY,
    )
    organizer = login(app, make.organizer())
    response = organizer.post(f"/cycles/{cycle.id}/status/open", data={"version": cycle.version})
    assert response.status_code == 302
    db.refresh(cycle)
    assert cycle.status is CycleStatus.OPEN
