"""DESIGN rule 8, the panel judges what it saw: from the moment a nomination goes into
review, each evidence item is a copy taken then (figures, title, link, description,
visibility), and the review page, the dashboard, the decision page, the nomination page
and the CSV read that copy and the counters taken with it. Its owner may edit the
contribution afterwards; a submitted nomination (not yet in review) follows the edits."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest

from nominee import clock
from nominee.contributions.models import Visibility
from nominee.cycles.models import CycleStatus
from nominee.nominations.models import Decision, NominationKind, NominationStatus
from nominee.nominations.services import refresh_counters
from nominee.templating import format_date
from tests.contributions.test_evidence import form_data
from tests.endorsements.test_views import endorse
from tests.reviews.test_dashboard import order

TITLE = "Query plans for humans"
URL = "https://talks.example.org/query-plans"
CHANGED = "Changed by its owner after review began; the panel sees it as it was on"
EDIT = {
    "title": "Rewritten by its owner",
    "url": "https://elsewhere.example.org/",
    "description_md": "Bought **views**.",
    "quantity": "9",
    "audience": "999999999",
    "visibility": "private",
}


@pytest.fixture
def ada(make):
    return make.user(display_name="Ada")


@pytest.fixture
def open_cycle(make):
    today = date.today()
    return make.cycle(
        nominations_open_on=today - timedelta(days=60),
        nominations_close_on=today,
        review_close_on=today + timedelta(days=30),
        categories=[make.category(name="Developer Tools")],
    )


def submitted(db, make, cycle, nominee, contributions):
    nomination = make.nomination(cycle, nominee, status=NominationStatus.SUBMITTED)
    make.evidence(nomination, contributions)
    refresh_counters(db, nomination)
    return nomination


@pytest.fixture
def talk(make, ada):
    return make.contribution(
        ada,
        title=TITLE,
        url=URL,
        description_md="Why **indexes** matter.",
        description_html="<p>Why <strong>indexes</strong> matter.</p>",
        contributed_on=date.today() - timedelta(days=20),
        quantity=2,
        audience=427,
    )


@pytest.fixture
def panel(db, make, ada, talk, open_cycle, login, client):
    """Ada (reach 427) and Bob (reach 500) nominated; the organizer starts the review;
    then Ada rewrites her talk. Answers (organizer, reviewer, Ada's and Bob's nominations)."""
    extra = [make.contribution(ada, quantity=1) for _ in range(2)]
    nomination = submitted(db, make, open_cycle, ada, [talk, *extra])
    bob = make.user(display_name="Bob")
    others = [make.contribution(bob, quantity=1, audience=a) for a in (300, 200, 0)]
    bobs = submitted(db, make, open_cycle, bob, others)
    organizer, reviewer = make.organizer(), make.reviewer()
    make.appointment(open_cycle, reviewer)
    make.assignment(nomination, reviewer)

    login(organizer)
    moved = client.post(
        f"/cycles/{open_cycle.id}/status/in_review", data={"version": open_cycle.version}
    )
    assert moved.status_code == 302
    db.refresh(nomination)
    assert nomination.status is NominationStatus.IN_REVIEW

    login(ada)
    edited = client.post(f"/contributions/{talk.id}/edit", data=form_data(talk, **EDIT))
    assert edited.status_code == 302
    db.refresh(talk)
    assert (talk.title, talk.audience) == (EDIT["title"], 999_999_999)
    return organizer, reviewer, nomination, bobs


def assert_as_seen(text: str) -> None:
    assert TITLE in text and URL in text
    for changed in ("Rewritten", "elsewhere.example.org", "999,999,999", "Bought"):
        assert changed not in text


def test_review_page_shows_the_evidence_as_review_began(client, login, panel, talk):
    organizer, reviewer, nomination, _ = panel
    login(reviewer)
    page = client.get(f"/cycles/{nomination.cycle_id}/nominations/{nomination.id}/review")
    assert page.status_code == 200
    assert_as_seen(page.text)
    assert "427 attendees" in page.text and "2 sessions" in page.text
    assert "Why <strong>indexes</strong> matter." in page.text
    assert 'rv-tag">Private' not in page.text  # public when the panel saw it
    assert f"{CHANGED} {format_date(clock.now())}" in page.text
    figures = re.search(r"<dt>Reach: audience</dt><dd>([^<]*)</dd>", page.text)
    assert figures and figures.group(1) == "427"


def test_dashboard_sorts_by_the_reach_the_panel_saw(client, login, panel):
    organizer, reviewer, nomination, bobs = panel
    for user in (reviewer, organizer):
        login(user)
        page = client.get(
            f"/cycles/{nomination.cycle_id}/dashboard",
            query_string={"sort": "reach", "order": "desc"},
        )
        assert page.status_code == 200
        assert order(page) == [bobs.id, nomination.id]
        assert "999,999,999" not in page.text


def test_decision_page_and_csv_read_the_frozen_figures(client, login, panel):
    organizer, _, nomination, _ = panel
    login(organizer)
    page = client.get(f"/nominations/{nomination.id}/decide")
    assert page.status_code == 200
    assert "4 quantity, 427 audience" in page.text
    assert "999,999,999" not in page.text

    export = client.get(f"/cycles/{nomination.cycle_id}/export.csv")
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True))))
    header, *lines = rows
    ada = next(line for line in lines if line[0] == str(nomination.id))
    assert (ada[header.index("Total quantity")], ada[header.index("Total audience")]) == (
        "4",
        "427",
    )


def test_nomination_page_shows_the_panel_the_copy(client, login, panel, ada):
    organizer, _, nomination, _ = panel
    login(organizer)
    page = client.get(f"/nominations/{nomination.id}")
    assert page.status_code == 200
    assert_as_seen(page.text)
    assert CHANGED in page.text
    # Its owner sees her contribution as it is now, and is told what the panel sees.
    login(ada)
    page = client.get(f"/nominations/{nomination.id}")
    assert EDIT["title"] in page.text and CHANGED in page.text


def test_endorsements_during_review_leave_the_counters(client, login, make, db, panel, talk):
    _, _, nomination, _ = panel
    talk.visibility = Visibility.PUBLIC
    db.flush()
    login(make.user())
    assert endorse(client, talk).status_code == 302
    db.refresh(nomination)
    assert nomination.distinct_endorsers == 0


def test_a_submitted_nomination_follows_live_edits(client, db, make, login, ada, talk):
    cycle = make.cycle(name="Still open")
    nomination = submitted(db, make, cycle, ada, [talk])
    login(ada)
    edited = client.post(f"/contributions/{talk.id}/edit", data=form_data(talk, **EDIT))
    assert edited.status_code == 302
    db.refresh(nomination)
    assert (nomination.total_quantity, nomination.total_audience) == (9, 999_999_999)
    page = client.get(f"/nominations/{nomination.id}")
    assert EDIT["title"] in page.text and CHANGED not in page.text
    # Before review only organizers of the panel open it (reviewers once it is in review).
    login(make.organizer())
    page = client.get(f"/nominations/{nomination.id}")
    assert EDIT["title"] in page.text and TITLE not in page.text


def test_a_decided_nomination_keeps_the_copy(client, db, make, login, panel, talk):
    organizer, _, nomination, _ = panel
    db.refresh(nomination.cycle)
    nomination.status, nomination.decision = NominationStatus.AWARDED, Decision.AWARD
    nomination.cycle.status = CycleStatus.PUBLISHED
    db.flush()
    login(organizer)
    page = client.get(f"/nominations/{nomination.id}")
    assert_as_seen(page.text)


def test_a_nominator_sees_only_what_they_may_see_today(client, db, make, login, ada, talk):
    """Made private after review began: still in the panel's copy, gone for the nominator."""
    grace = make.user(display_name="Grace")
    cycle = make.cycle(status=CycleStatus.IN_REVIEW)
    nomination = make.nomination(
        cycle, ada, kind=NominationKind.PEER, nominator=grace, status=NominationStatus.IN_REVIEW
    )
    make.evidence(nomination, [talk])
    refresh_counters(db, nomination)  # as it went into review: the panel's copy is taken
    login(ada)
    edited = client.post(f"/contributions/{talk.id}/edit", data=form_data(talk, **EDIT))
    assert edited.status_code == 302
    login(grace)
    page = client.get(f"/nominations/{nomination.id}")
    assert page.status_code == 200
    assert TITLE not in page.text and EDIT["title"] not in page.text
    reviewer = make.reviewer()
    make.appointment(cycle, reviewer)
    login(reviewer)
    page = client.get(f"/nominations/{nomination.id}")
    assert_as_seen(page.text)
