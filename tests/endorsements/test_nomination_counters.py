"""Endorsing evidence keeps the distinct endorsers of submitted nominations current; from
"in review" on a nomination keeps the count taken as it went into review (rule 8, the
panel judges what it saw)."""

from __future__ import annotations

import re

import pytest

from nominee.cycles.models import CycleStatus
from nominee.nominations.models import Decision, NominationStatus
from tests.endorsements.test_views import endorse, withdraw
from tests.factories import PASSWORD


@pytest.fixture
def ada(make):
    return make.user(display_name="Ada")


def in_cycle(make, nominee, evidence, status=NominationStatus.IN_REVIEW, **kw):
    cycle_status = {
        NominationStatus.SUBMITTED: CycleStatus.OPEN,
        NominationStatus.IN_REVIEW: CycleStatus.IN_REVIEW,
    }.get(status, CycleStatus.DECIDED)
    nomination = make.nomination(make.cycle(status=cycle_status), nominee, status=status, **kw)
    return make.evidence(nomination, evidence)


def logged_in(app, user):
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    return client


def endorsers(db, nomination) -> int:
    db.refresh(nomination)
    return nomination.distinct_endorsers


def test_endorsing_and_withdrawing_evidence_recounts_submitted_nominations(app, make, db, ada):
    talk, post = make.contribution(ada), make.contribution(ada)
    submitted = in_cycle(make, ada, [talk, post], NominationStatus.SUBMITTED)
    in_review = in_cycle(make, ada, [talk, post])
    awarded = in_cycle(make, ada, [talk], NominationStatus.AWARDED, decision=Decision.AWARD)
    versions = {n.id: n.version for n in (in_review, submitted, awarded)}
    grace, linus = logged_in(app, make.user()), logged_in(app, make.user())

    assert endorse(grace, talk).status_code == 302
    assert endorsers(db, submitted) == 1
    # The same endorser on more evidence is still one endorser.
    assert endorse(grace, post).status_code == 302
    assert endorse(linus, post).status_code == 302
    assert endorsers(db, submitted) == 2

    assert withdraw(grace, talk).status_code == 302
    assert endorsers(db, submitted) == 2
    assert withdraw(grace, post).status_code == 302
    assert endorsers(db, submitted) == 1

    # In review and decided: the count the panel saw as review began (the factory's 0).
    assert (endorsers(db, in_review), endorsers(db, awarded)) == (0, 0)
    # A recount is no edit: the organizer's decision form opened before stays valid.
    for nomination in (in_review, submitted, awarded):
        assert nomination.version == versions[nomination.id]


def test_dashboard_keeps_the_count_the_panel_saw(app, make, db, ada):
    talk = make.contribution(ada)
    nomination = in_cycle(make, ada, [talk, make.contribution(ada)])
    organizer = logged_in(app, make.organizer())
    dashboard = f"/cycles/{nomination.cycle_id}/dashboard"

    def evidence_and_endorsers() -> tuple[str, str]:
        page = organizer.get(dashboard)
        assert page.status_code == 200
        row = page.text.split(f"/nominations/{nomination.id}", 1)[1].split("</tr>", 1)[0]
        cells = re.findall(r'<td class="num">([^<]*)</td>', row)
        return cells[0], cells[1]

    assert evidence_and_endorsers() == ("2", "0")
    assert endorse(logged_in(app, make.user()), talk).status_code == 302
    assert evidence_and_endorsers() == ("2", "0")


def test_refused_endorsement_changes_no_count(app, make, db, ada):
    talk = make.contribution(ada)
    nomination = in_cycle(make, ada, [talk])
    grace = make.user()
    make.endorsement(talk, grace)
    response = endorse(logged_in(app, grace), talk, headers={"Accept": "application/json"})
    assert response.status_code == 409
    assert endorsers(db, nomination) == 0  # the factory left it at 0; nothing recounted
