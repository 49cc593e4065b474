"""Rule 9: conflicts bind organizers too. An organizer who is the nominee, the nominator,
linked to the nominee by endorsements inside the look-back window, or who declared a
conflict, neither acts on nor learns about that nomination before publishing: no
decision, no assignment, no reviews, scores, decision, rationale or feedback on any
page, in the audit log or in the CSV export."""

from __future__ import annotations

import csv
import io

import pytest
from flask import Flask

from nominee.awards import services as awards_services
from nominee.cycles.models import CycleStatus
from nominee.nominations.models import Decision, NominationStatus
from nominee.reviews import services
from nominee.reviews.models import Assignment, Confidence, Recommendation
from tests.reviews.test_conflicts import CAUSES, conflicted_nomination
from tests.reviews.test_dashboard import order

RATIONALE = "Rationale only the panel reads"
FEEDBACK = "Feedback written for the nominee"
COMMENT = "Comment for the panel only"


@pytest.fixture
def scene(app: Flask, make, db, cycle, in_review, appointed):
    """Olga (an organizer) conflicted on one nomination by ``cause``, which Rita reviewed
    (assigned by Otto's auto-assignment) and Otto awarded; and a clean nomination."""

    def build(cause):
        olga = make.organizer(display_name="Olga Organizer")
        otto = make.organizer(display_name="Otto Organizer")
        rita = appointed(display_name="Rita Reviewer")
        nomination = conflicted_nomination(cause, make, db, in_review, olga)
        clean = in_review()
        with app.test_request_context():
            services.auto_assign(db, otto, cycle)
            review = services.save_review(
                db,
                rita,
                nomination,
                services.ReviewInput(
                    scores={c.id: 5 for c in cycle.criteria},
                    confidence=Confidence.HIGH,
                    recommendation=Recommendation.AWARD,
                    panel_comment=COMMENT,
                ),
                submit=True,
                version=0,
            )
            awards_services.decide(
                db,
                otto,
                nomination,
                decision=Decision.AWARD,
                rationale=RATIONALE,
                feedback=FEEDBACK,
                version=nomination.version,
                override_reason="One review is enough for this test's panel.",
            )
        db.flush()
        return olga, otto, rita, nomination, clean, review

    return build


@pytest.mark.parametrize("cause", CAUSES)
def test_a_conflicted_organizer_learns_nothing_before_publishing(
    cause, client, login, scene, cycle
):
    olga, _otto, rita, nomination, clean, review = scene(cause)
    login(olga)
    page = client.get(f"/nominations/{nomination.id}")
    assert page.status_code == 200
    assert "In review" in page.text
    for secret in ("Awarded", FEEDBACK, RATIONALE, COMMENT):
        assert secret not in page.text, secret
    assert f'href="/nominations/{nomination.id}/decide"' not in page.text
    assert f"/nominations/{nomination.id}/review" not in page.text
    # The panel's pages are closed to her.
    panel = client.get(f"/cycles/{cycle.id}/nominations/{nomination.id}/review")
    assert panel.status_code in (403, 404) and COMMENT not in panel.text
    decide = client.get(f"/nominations/{nomination.id}/decide")
    assert decide.status_code == 403 and RATIONALE not in decide.text
    # The cycle's lists leave it out, and no count gives its decision away.
    assert order(client.get(f"/cycles/{cycle.id}/dashboard")) == [clean.id]
    decisions = client.get(f"/cycles/{cycle.id}/decisions").text
    assert f'href="/nominations/{nomination.id}/decide"' not in decisions
    assert "Awarded" not in decisions
    assert "you are conflicted on" in decisions
    assignments = client.get(f"/cycles/{cycle.id}/assignments").text
    assert f"/nominations/{nomination.id}/unassign" not in assignments
    assert "Awarded" not in client.get(f"/cycles/{cycle.id}").text
    # The export keeps its public counters only.
    rows = list(csv.reader(io.StringIO(client.get(f"/cycles/{cycle.id}/export.csv").text)))
    [row] = [r for r in rows[1:] if r[0] == str(nomination.id)]
    assert row[4] == "in_review"
    assert "award" not in row and "5.00" not in row
    # The audit log hides its rows: the decision, the review, the assignments.
    log = client.get("/admin/audit").text
    assert f"nomination #{nomination.id}<" not in log
    assert f"review #{review.id}<" not in log
    assert f"[{nomination.id}, {rita.id}]" not in log
    assert f"[{clean.id}, {rita.id}]" in log  # the rest of the auto-assignment stays
    assert RATIONALE not in log and FEEDBACK not in log


@pytest.mark.parametrize("cause", CAUSES)
def test_a_conflicted_organizer_can_do_nothing_to_it(cause, client, login, db, scene, cycle):
    olga, _otto, rita, nomination, clean, _review = scene(cause)
    login(olga)
    base = f"/cycles/{cycle.id}/nominations/{nomination.id}"
    assert client.post(f"{base}/unassign", data={"reviewer_id": rita.id}).status_code == 403
    assert db.get(Assignment, (nomination.id, rita.id)) is not None
    db.delete(db.get(Assignment, (nomination.id, rita.id)))
    db.flush()
    assert client.post(f"{base}/assign", data={"reviewer_id": rita.id}).status_code == 403
    assert db.get(Assignment, (nomination.id, rita.id)) is None
    # Auto-assignment leaves it for another organizer.
    page = client.post(f"/cycles/{cycle.id}/assignments/auto", follow_redirects=True)
    assert "you are conflicted on" in page.text
    assert db.get(Assignment, (nomination.id, rita.id)) is None
    response = client.post(
        f"/nominations/{nomination.id}/decide",
        data={"decision": "decline", "rationale": "No.", "version": nomination.version},
    )
    assert response.status_code == 403
    db.refresh(nomination)
    assert nomination.decision is Decision.AWARD


def test_another_organizer_sees_all_of_it_and_the_nominee_after_publishing(
    client, login, make, db, scene, cycle
):
    olga, otto, _rita, nomination, _clean, _review = scene("nominee")
    login(otto)
    assert "Awarded" in client.get(f"/nominations/{nomination.id}").text
    assert f"nomination #{nomination.id}<" in client.get("/admin/audit").text
    assert f'href="/nominations/{nomination.id}/decide"' in (
        client.get(f"/cycles/{cycle.id}/decisions").text
    )
    cycle.status = CycleStatus.PUBLISHED
    nomination.status = NominationStatus.AWARDED
    db.flush()
    login(olga)
    page = client.get(f"/nominations/{nomination.id}").text
    assert "Awarded" in page and FEEDBACK in page
    # The export shows her the published status, still not her panel's scores.
    rows = list(csv.reader(io.StringIO(client.get(f"/cycles/{cycle.id}/export.csv").text)))
    [row] = [r for r in rows[1:] if r[0] == str(nomination.id)]
    assert row[4] == "awarded"
    # The nominee's impact score (the last two cells) is no panel's work: it stays.
    assert set(row[12:-2]) == {"(conflict of interest)"}
