"""The stage flow of issue 15: reviews close when the cycle is decided, organizers decide
there, publishing waits for every decision."""

from __future__ import annotations

from nominee.cycles.models import CycleStatus
from nominee.nominations.models import NominationStatus


def move(client, cycle, to: CycleStatus):
    return client.post(f"/cycles/{cycle.id}/status/{to.value}", data={"version": cycle.version})


def test_the_move_to_decided_says_how_many_remain_undecided_and_goes(client, auth, make, db):
    cycle = make.cycle(status=CycleStatus.IN_REVIEW)
    make.nomination(cycle, status=NominationStatus.IN_REVIEW)
    make.nomination(cycle, status=NominationStatus.IN_REVIEW)
    auth.login(make.organizer())
    page = client.get(f"/cycles/{cycle.id}/status/decided").text
    assert "2 nominations in review have no decision yet" in page
    assert "Move to decided</button>" in page
    assert move(client, cycle, CycleStatus.DECIDED).status_code == 302
    db.refresh(cycle)
    assert cycle.status is CycleStatus.DECIDED


def test_publishing_is_refused_beforehand_and_on_post_with_the_count(client, auth, make, db):
    cycle = make.cycle(status=CycleStatus.DECIDED)
    make.nomination(cycle, status=NominationStatus.IN_REVIEW)
    auth.login(make.organizer())
    page = client.get(f"/cycles/{cycle.id}/status/published")
    assert page.status_code == 400
    assert "1 nomination in review has no decision yet" in page.text
    assert "Move to published</button>" not in page.text
    refused = move(client, cycle, CycleStatus.PUBLISHED)
    assert refused.status_code == 400
    db.refresh(cycle)
    assert cycle.status is CycleStatus.DECIDED


def test_reviews_are_closed_once_decided(client, auth, make, db):
    cycle = make.cycle(status=CycleStatus.DECIDED)
    nomination = make.nomination(cycle, status=NominationStatus.IN_REVIEW)
    reviewer = make.reviewer()
    make.appointment(cycle, reviewer)
    make.assignment(nomination, reviewer)
    auth.login(reviewer)
    url = f"/cycles/{cycle.id}/nominations/{nomination.id}/review"
    page = client.get(url)
    assert "Reviews are written only while the cycle is in review." in page.text
    data = {"version": 0, "recommendation": "award", "confidence": "high", "action": "submit"}
    data.update({f"score_{c.id}": 4 for c in cycle.criteria})
    assert client.post(url, data=data).status_code == 403
