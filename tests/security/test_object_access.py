"""Object-level checks across pages (rule 5): what the panel writes and decides, and
private work, never reach the members who may not see them, whatever page they open.

The single routes are covered by the access table and the domain tests; these follow
one secret through every page a member can reach."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from nominee.contributions.models import Visibility
from nominee.cycles.models import CycleStatus
from nominee.endorsements.services import refresh_public
from nominee.nominations.models import Decision, NominationKind, NominationStatus
from tests.security.helpers import client_for

PANEL_ONLY = ["Panel-only remark", "Rationale for the panel", "Rita Reviewer", "3.77"]
FEEDBACK = ["Feedback from Rita", "Decision feedback for Ada"]


@pytest.fixture
def decided(make, db):
    """Ada's peer nomination by Bob, reviewed, scored and awarded; the cycle decided."""
    today = date.today()
    ada, bob = make.user(display_name="Ada Nominee"), make.user(display_name="Bob Nominator")
    cycle = make.cycle(
        status=CycleStatus.DECIDED,
        nominations_open_on=today - timedelta(days=90),
        nominations_close_on=today - timedelta(days=30),
        review_close_on=today - timedelta(days=1),
    )
    nomination = make.nomination(
        cycle,
        ada,
        kind=NominationKind.PEER,
        nominator=bob,
        status=NominationStatus.AWARDED,
        decision=Decision.AWARD,
        decision_rationale="Rationale for the panel",
        decision_feedback="Decision feedback for Ada",
        score_mean=3.77,
        reviews_submitted=1,
        recommend_award=1,
    )
    reviewer = make.reviewer(display_name="Rita Reviewer")
    make.appointment(cycle, reviewer)
    make.review(
        nomination,
        reviewer,
        scores=[4, 4, 3, 4],
        panel_comment="Panel-only remark",
        nominee_feedback="Feedback from Rita",
    )
    return ada, bob, cycle, nomination


def pages_of(nomination) -> list[str]:
    return [
        "/",
        f"/nominations/{nomination.id}",
        "/nominations/mine",
        f"/members/{nomination.nominee_id}",
        "/notifications/",
        "/cycles/",
        f"/cycles/{nomination.cycle_id}",
    ]


def seen(app, user, urls) -> str:
    client = client_for(app, user)
    return "\n".join(client.get(url).get_data(as_text=True) for url in urls)


def test_nothing_of_the_panel_or_the_decision_before_publishing(app, make, decided):
    ada, bob, _, nomination = decided
    staff = seen(app, make.organizer(), [f"/nominations/{nomination.id}/decide"])
    for secret in PANEL_ONLY:
        assert secret in staff, secret  # the secrets are there, for the staff
    for user in (ada, bob, make.user()):
        text = seen(app, user, pages_of(nomination))
        for secret in [*PANEL_ONLY, *FEEDBACK, "Awarded"]:
            assert secret not in text, (user.display_name, secret)


def test_after_publishing_the_nominee_reads_her_feedback_and_no_more(app, make, db, decided):
    ada, bob, cycle, nomination = decided
    cycle.status = CycleStatus.PUBLISHED
    db.flush()
    ada_sees = seen(app, ada, pages_of(nomination))
    assert "Awarded" in ada_sees
    for note in FEEDBACK:
        assert note in ada_sees, note
    for user, text in ((ada, ada_sees), (bob, seen(app, bob, pages_of(nomination)))):
        for secret in PANEL_ONLY:
            assert secret not in text, (user.display_name, secret)
    bob_sees = seen(app, bob, [f"/nominations/{nomination.id}"])
    assert "Awarded" in bob_sees
    for note in FEEDBACK:
        assert note not in bob_sees, note  # the feedback is for the nominee alone
    stranger = client_for(app, make.user())
    assert stranger.get(f"/nominations/{nomination.id}").status_code == 404


def test_a_contribution_made_private_leaves_every_page_others_see(app, make, db):
    ada, bob, carol = make.user(), make.user(display_name="Bob Endorser"), make.user()
    talk = make.contribution(ada, title="Talk that became private")
    make.endorsement(talk, bob, comment="Endorsed while public")
    talk.visibility = Visibility.PRIVATE
    # As the edit does (tests/endorsements/test_public_flag.py goes through the form):
    # the endorsements' copy of who may see them follows the contribution.
    refresh_public(db, contribution_id=talk.id)
    db.flush()
    urls = ["/", f"/members/{ada.id}", f"/members/{bob.id}"]
    for viewer in (None, carol, bob):
        client = client_for(app, viewer)
        assert client.get(f"/contributions/{talk.id}").status_code == 404
        text = seen(app, viewer, urls)
        assert "Talk that became private" not in text
        assert "Endorsed while public" not in text
    for staff in (ada, make.reviewer(), make.organizer()):
        assert "Talk that became private" in seen(app, staff, [f"/members/{ada.id}"])
