"""Deciding a cycle at speed: the decide page with everything needed and "Save and next
undecided", and bulk decisions from the dashboard (selection helpers, confirmation,
the minimum-reviews override)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from nominee.audit import AuditEvent
from nominee.cycles.models import CycleStatus
from nominee.nominations.models import Decision, NominationStatus
from nominee.reviews.models import Confidence, Recommendation
from tests.reviews.panels import score, split_panel

CALIBRATED = ["L4", "H4", "L3", "H3", "shared", "L2", "H2", "L1", "H1"]
BY_CALIBRATED = {"sort": "calibrated", "order": "desc"}


@pytest.fixture
def cycle(make):
    today = date.today()
    return make.cycle(
        status=CycleStatus.IN_REVIEW,
        nominations_open_on=today - timedelta(days=60),
        nominations_close_on=today - timedelta(days=5),
        review_close_on=today + timedelta(days=20),
        reviewers_per_nomination=1,
    )


@pytest.fixture
def panel(make, db, cycle):
    return split_panel(make, db, cycle)


@pytest.fixture
def organizer(make, auth):
    organizer = make.organizer(display_name="Ana Organizer")
    auth.login(organizer)
    return organizer


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))


def decide(client, nomination, action="save", query=None, **form):
    form.setdefault("decision", "award")
    form.setdefault("rationale", "Sustained, well endorsed work.")
    form.setdefault("version", str(nomination.version))
    form["action"] = action
    return client.post(f"/nominations/{nomination.id}/decide", query_string=query, data=form)


# The decide page


def test_the_decide_page_shows_evidence_reviews_and_the_calibrated_score(
    client, make, db, cycle, panel, organizer
):
    nomination = panel.nominations["shared"]
    talk = make.contribution(nomination.nominee, title="Query plans for humans")
    make.evidence(nomination, [talk])
    page = client.get(f"/nominations/{nomination.id}/decide")
    assert page.status_code == 200
    text = text_of(page)
    assert "Evidence" in text and "Query plans for humans" in text
    # Each review: reviewer, recommendation, confidence, scores per criterion, comment.
    assert "Hana Harsh: Award" in text and "Leo Lenient: Award" in text
    assert "Confidence: medium." in text
    assert "Hana Harsh on this one." in text
    for criterion in cycle.criteria:
        assert f"{criterion.name} 2" in text and f"{criterion.name} 4" in text
    assert "Weighted mean (raw) 3.00" in text
    assert "Calibrated score 3.00: rank 5 of 9, likely between 3–6" in text
    assert 'value="next">Save and next undecided</button>' in page.text


def test_the_decide_page_works_in_the_decided_stage(client, make, db, cycle, panel, organizer):
    cycle.status = CycleStatus.DECIDED
    db.flush()
    nomination = panel.nominations["H1"]
    assert "Save and next undecided" in client.get(f"/nominations/{nomination.id}/decide").text
    response = decide(client, nomination, decision="decline")
    assert response.status_code == 302
    db.refresh(nomination)
    assert nomination.decision is Decision.DECLINE


def test_save_and_next_follows_the_dashboard_order(client, db, panel, organizer):
    first, second, third = (panel.nominations[name] for name in CALIBRATED[:3])
    response = decide(client, first, action="next", query=BY_CALIBRATED)
    assert response.status_code == 302
    assert response.headers["Location"] == (
        f"/nominations/{second.id}/decide?sort=calibrated&order=desc"
    )
    page = client.get(response.headers["Location"])
    assert "Here is the next undecided nomination." in page.text
    # Decided already: skipped. Received order without a sort.
    decide(client, third)
    response = decide(client, second, action="next", query=BY_CALIBRATED)
    assert response.headers["Location"].startswith(f"/nominations/{panel.id('H3')}/decide")
    db.refresh(first)
    assert first.status is NominationStatus.AWARDED


def test_save_and_next_wraps_round_and_says_when_none_remain(client, db, panel, organizer):
    *others, last = CALIBRATED
    # The last one in the order is decided after the others wrap round.
    response = decide(client, panel.nominations[last], action="next", query=BY_CALIBRATED)
    assert f"/nominations/{panel.id(CALIBRATED[0])}/decide" in response.headers["Location"]
    for name in others:
        decide(client, panel.nominations[name])
    db.expire_all()
    response = decide(
        client,
        panel.nominations[others[-1]],
        action="next",
        query=BY_CALIBRATED,
        decision="decline",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/cycles/{panel.nominations[last].cycle_id}/decisions"
    )
    assert (
        "No undecided nomination is left in this cycle."
        in client.get(response.headers["Location"]).text
    )


# Selecting on the dashboard


def checked(response) -> list[int]:
    return [
        int(i)
        for i in re.findall(r'name="nomination" value="(\d+)" id="pick-\d+" checked', response.text)
    ]


def test_select_the_top_n_by_calibrated_score(client, cycle, panel, organizer):
    page = client.get(f"/cycles/{cycle.id}/dashboard", query_string={"select": "top", "top": "3"})
    assert page.status_code == 200
    assert sorted(checked(page)) == sorted(panel.ids(*CALIBRATED[:3]))
    assert "The 3 undecided nominations with the best calibrated score are ticked" in page.text
    assert (
        '<button type="submit" name="decision" value="award">Award selected</button>' in page.text
    )
    assert (
        '<button type="submit" name="decision" value="decline">Decline selected</button>'
        in page.text
    )


def test_the_top_n_leave_out_the_decided(client, db, cycle, panel, organizer):
    decide(client, panel.nominations["L4"])
    page = client.get(f"/cycles/{cycle.id}/dashboard", query_string={"select": "top", "top": "2"})
    assert sorted(checked(page)) == sorted(panel.ids("H4", "L3"))


def test_select_those_every_reviewer_recommends(client, make, db, cycle, panel, organizer):
    # Split: one of the two reviewers declines.
    score(make, db, panel.nominations["L3"], panel.harsh, 2, recommendation=Recommendation.DECLINE)
    page = client.get(f"/cycles/{cycle.id}/dashboard", query_string={"select": "unanimous"})
    assert sorted(checked(page)) == sorted(panel.ids("H3", "H4", "L2", "L4", "shared"))


def test_reviewers_get_no_selection(client, auth, cycle, panel):
    auth.login(panel.harsh)
    page = client.get(f"/cycles/{cycle.id}/dashboard", query_string={"select": "top"})
    assert "Award selected" not in page.text and 'name="nomination"' not in page.text


def test_no_bulk_once_published(client, db, cycle, panel, organizer):
    cycle.status = CycleStatus.PUBLISHED
    db.flush()
    page = client.get(f"/cycles/{cycle.id}/dashboard")
    assert "Award selected" not in page.text


# Bulk decisions


def bulk(client, cycle, nominations, decision="award", confirm=False, **form):
    data = {"nomination": [str(n.id) for n in nominations], "decision": decision, **form}
    if confirm:
        data["action"] = "confirm"
        for n in nominations:
            data.setdefault(f"version-{n.id}", str(n.version))
    return client.post(f"/cycles/{cycle.id}/decisions/bulk", data=data)


def test_bulk_award_is_confirmed_first(client, db, cycle, panel, organizer):
    chosen = [panel.nominations[name] for name in CALIBRATED[:3]]
    page = bulk(client, cycle, chosen)
    assert page.status_code == 200
    text = text_of(page)
    assert "Confirm: award 3 nominations" in text
    for nomination in chosen:
        assert nomination.nominee.display_name in text
    assert "Confirm: award the ticked nominations" in text
    for nomination in chosen:
        db.refresh(nomination)
        assert nomination.decision is None  # nothing decided before the confirmation


def test_bulk_award_confirmed_decides_each_as_the_decide_page_does(
    client, db, cycle, panel, organizer
):
    chosen = [panel.nominations[name] for name in CALIBRATED[:3]]
    response = bulk(
        client,
        cycle,
        chosen,
        confirm=True,
        rationale="Top of the calibrated ranking.",
        feedback="Congratulations.",
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cycles/{cycle.id}/decisions"
    assert "3 nominations awarded." in client.get(response.headers["Location"]).text
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "nomination.decided")).all()
    assert sorted(e.object_id for e in events) == sorted(n.id for n in chosen)
    for nomination in chosen:
        db.refresh(nomination)
        assert nomination.status is NominationStatus.AWARDED
        assert nomination.decision_rationale == "Top of the calibrated ranking."
        assert nomination.decision_feedback == "Congratulations."
        assert nomination.decided_by_id == organizer.id
    # Each stays editable on its own decide page.
    page = client.get(f"/nominations/{chosen[0].id}/decide")
    assert "Change decision" in page.text
    assert decide(client, chosen[0], decision="decline").status_code == 302
    db.refresh(chosen[0])
    assert chosen[0].decision is Decision.DECLINE


def test_bulk_decline(client, db, cycle, panel, organizer):
    chosen = [panel.nominations["H1"], panel.nominations["L1"]]
    response = bulk(
        client, cycle, chosen, decision="decline", confirm=True, rationale="Too little yet."
    )
    assert response.status_code == 302
    for nomination in chosen:
        db.refresh(nomination)
        assert nomination.status is NominationStatus.DECLINED


def test_bulk_needs_a_rationale(client, db, cycle, panel, organizer):
    chosen = [panel.nominations["H1"]]
    response = bulk(client, cycle, chosen, confirm=True, rationale="")
    assert response.status_code == 400
    assert "Explain the decision for the panel." in response.text
    db.refresh(chosen[0])
    assert chosen[0].decision is None


def test_bulk_refuses_those_needing_the_override_and_decides_none(
    client, make, db, cycle, panel, organizer
):
    unreviewed = make.nomination(
        cycle, make.user(display_name="Nina Unreviewed"), status=NominationStatus.IN_REVIEW
    )
    chosen = [panel.nominations["L4"], unreviewed]
    page = bulk(client, cycle, chosen)
    text = text_of(page)
    assert "1 of them has fewer reviews than the cycle asks (1)" in text
    assert "Needs the override: 0 of the 1 reviews this cycle asks for are submitted." in text
    response = bulk(client, cycle, chosen, confirm=True, rationale="Strong.")
    assert response.status_code == 400
    text = text_of(response)
    assert "Nothing was decided: 1 of the selected nominations cannot be decided as asked" in text
    assert "Refused: 0 of the 1 reviews" in text
    for nomination in chosen:
        db.refresh(nomination)
        assert nomination.decision is None
    assert not db.scalars(select(AuditEvent).where(AuditEvent.action == "nomination.decided")).all()
    # With the override and its reason, both are decided; only the short one keeps it.
    response = bulk(
        client,
        cycle,
        chosen,
        confirm=True,
        rationale="Strong.",
        override="y",
        override_reason="The panel is short this year.",
    )
    assert response.status_code == 302
    db.refresh(unreviewed)
    db.refresh(chosen[0])
    assert unreviewed.decision is Decision.AWARD
    assert unreviewed.decision_override_reason == "The panel is short this year."
    assert chosen[0].decision_override_reason == ""


def test_bulk_refuses_a_nomination_changed_since_the_confirmation(
    client, db, cycle, panel, organizer
):
    nomination = panel.nominations["L4"]
    response = bulk(
        client,
        cycle,
        [nomination],
        confirm=True,
        rationale="Strong.",
        **{f"version-{nomination.id}": "999"},
    )
    assert response.status_code == 400
    assert "changed while you were deciding" in response.text
    db.refresh(nomination)
    assert nomination.decision is None


def test_bulk_with_nothing_selected_or_no_decision(client, cycle, panel, organizer):
    response = bulk(client, cycle, [])
    assert response.status_code == 302
    assert "Select at least one nomination" in client.get(response.headers["Location"]).text
    response = bulk(client, cycle, [panel.nominations["H1"]], decision="maybe")
    assert response.status_code == 302
    # Ids of another cycle, or nonsense, are left out.
    other = client.post(
        f"/cycles/{cycle.id}/decisions/bulk",
        data={"nomination": ["abc", "99999999", "²", "9" * 40], "decision": "award"},
    )
    assert other.status_code == 302


def test_bulk_leaves_out_what_the_organizer_is_conflicted_on(
    client, make, db, cycle, panel, organizer
):
    own = make.nomination(cycle, organizer, status=NominationStatus.IN_REVIEW)
    score(make, db, own, panel.harsh, 5, confidence=Confidence.HIGH)
    page = bulk(client, cycle, [own, panel.nominations["H1"]])
    assert f'name="nomination" value="{own.id}"' not in page.text
    assert "Confirm: award 1 nomination" in text_of(page)
