from __future__ import annotations

import csv
import io
import threading

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from nominee.audit import AuditEvent
from nominee.awards.models import Award
from nominee.awards.services import CHANGED_WHILE_DECIDING
from nominee.cycles.models import CycleStatus
from nominee.nominations.models import Decision, Nomination, NominationStatus
from nominee.reviews.models import Recommendation, ReviewStatus
from tests.awards.helpers import review
from tests.factories import PASSWORD, Factory


def actions(db, action: str) -> list[AuditEvent]:
    return db.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


def reviewed(make, cycle) -> Nomination:
    """A nomination in review with the one submitted review its cycle asks for."""
    nomination = make.nomination(cycle, status=NominationStatus.IN_REVIEW)
    make.review(nomination, make.reviewer())
    return nomination


@pytest.fixture
def in_review(make):
    return reviewed(make, make.cycle(status=CycleStatus.IN_REVIEW, reviewers_per_nomination=1))


def decide(client, nomination, decision="award", version=None, **data):
    payload = {
        "decision": decision,
        "rationale": "Sustained, well-endorsed work.",
        "feedback": "Thank you for your talks.",
        "version": nomination.version if version is None else version,
        **data,
    }
    return client.post(f"/nominations/{nomination.id}/decide", data=payload)


def test_organizer_awards_a_nomination(client, auth, make, db, in_review):
    organizer = make.organizer()
    auth.login(organizer)
    response = decide(client, in_review)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cycles/{in_review.cycle_id}/decisions"
    db.refresh(in_review)
    assert in_review.decision is Decision.AWARD
    assert in_review.status is NominationStatus.AWARDED
    assert in_review.decision_rationale == "Sustained, well-endorsed work."
    assert in_review.decision_feedback == "Thank you for your talks."
    assert in_review.decided_by_id == organizer.id
    assert in_review.decided_at is not None
    assert in_review.version == 2
    [event] = actions(db, "nomination.decided")
    assert event.actor_id == organizer.id
    assert event.object_id == in_review.id
    assert event.before is None
    assert event.after["decision"] == "award"


def test_organizer_declines(client, auth, make, db, in_review):
    auth.login(make.organizer())
    assert decide(client, in_review, "decline").status_code == 302
    db.refresh(in_review)
    assert in_review.status is NominationStatus.DECLINED
    assert in_review.decision is Decision.DECLINE


def test_the_nomination_page_leads_organizers_to_the_decision(client, auth, make, in_review):
    decide_link = f'href="/nominations/{in_review.id}/decide"'
    auth.login(make.organizer())
    page = client.get(f"/nominations/{in_review.id}").text
    assert decide_link in page
    assert f'href="/cycles/{in_review.cycle_id}/nominations/{in_review.id}/review"' in page
    auth.login(in_review.nominee)
    assert decide_link not in client.get(f"/nominations/{in_review.id}").text


@pytest.mark.parametrize("role", ["member", "reviewer"])
def test_only_organizers_decide(client, auth, make, db, in_review, role):
    auth.login(make.user() if role == "member" else make.reviewer())
    assert client.get(f"/nominations/{in_review.id}/decide").status_code == 403
    assert decide(client, in_review).status_code == 403
    db.refresh(in_review)
    assert in_review.decision is None
    assert in_review.status is NominationStatus.IN_REVIEW


def test_anonymous_is_sent_to_login(client, in_review):
    response = decide(client, in_review)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("status", [CycleStatus.DRAFT, CycleStatus.OPEN, CycleStatus.PUBLISHED])
def test_no_decision_outside_review_and_decided(client, auth, make, db, status):
    cycle = make.cycle(status=status)
    nomination = make.nomination(cycle, status=NominationStatus.IN_REVIEW)
    auth.login(make.organizer())
    page = client.get(f"/nominations/{nomination.id}/decide")
    assert page.status_code == 200
    assert "Save decision" not in page.text
    response = decide(client, nomination)
    assert response.status_code == 400
    expected = "published" if status is CycleStatus.PUBLISHED else "in review or decided"
    assert expected in response.text
    db.refresh(nomination)
    assert nomination.decision is None
    assert actions(db, "nomination.decided") == []


def test_decisions_allowed_while_cycle_is_decided(client, auth, make, db):
    nomination = reviewed(make, make.cycle(status=CycleStatus.DECIDED, reviewers_per_nomination=1))
    auth.login(make.organizer())
    assert decide(client, nomination).status_code == 302
    db.refresh(nomination)
    assert nomination.status is NominationStatus.AWARDED


@pytest.mark.parametrize(
    "status", [NominationStatus.SUBMITTED, NominationStatus.WITHDRAWN, NominationStatus.LAPSED]
)
def test_only_nominations_in_review_are_decided(client, auth, make, db, status):
    cycle = make.cycle(status=CycleStatus.IN_REVIEW)
    nomination = make.nomination(cycle, status=status)
    auth.login(make.organizer())
    response = decide(client, nomination)
    assert response.status_code == 400
    assert "cannot be decided" in response.text
    db.refresh(nomination)
    assert nomination.status is status


def test_organizer_cannot_decide_own_nomination(client, auth, make, db):
    organizer = make.organizer()
    cycle = make.cycle(status=CycleStatus.IN_REVIEW)
    nomination = make.nomination(cycle, organizer, status=NominationStatus.IN_REVIEW)
    review(db, nomination, make.reviewer(display_name="Rhea Reviewer"), [4] * len(cycle.criteria))
    auth.login(organizer)
    response = decide(client, nomination)
    assert response.status_code == 403
    assert "This is your own nomination: another organizer decides it" in response.text
    db.refresh(nomination)
    assert nomination.decision is None
    # Conflicted: neither the panel's page nor the scores in the lists and the export.
    page = client.get(f"/nominations/{nomination.id}/decide")
    assert page.status_code == 403 and "Rhea Reviewer" not in page.text
    listing = client.get(f"/cycles/{cycle.id}/decisions").text
    assert "1 nomination you are conflicted on (your own" in listing
    assert "is not listed: another organizer decides it." in listing
    assert f'href="/nominations/{nomination.id}/decide"' not in listing
    csv_text = client.get(f"/cycles/{cycle.id}/export.csv").get_data(as_text=True)
    [row] = list(csv.reader(io.StringIO(csv_text)))[1:]
    assert row[1] == organizer.display_name
    assert row[12:-2] == ["(conflict of interest)"] * (len(cycle.criteria) + 8 + 3)


def test_form_errors_next_to_fields(client, auth, make, db, in_review):
    auth.login(make.organizer())
    response = decide(client, in_review, decision="", rationale="")
    assert response.status_code == 400
    assert "Choose award or decline." in response.text
    assert 'id="rationale-error"' in response.text
    response = decide(client, in_review, decision="maybe")
    assert response.status_code == 400
    db.refresh(in_review)
    assert in_review.decision is None


def test_changing_a_decision_is_audited_with_before_and_after(client, auth, make, db, in_review):
    first, second = make.organizer(), make.organizer()
    auth.login(first)
    decide(client, in_review, "award")
    db.refresh(in_review)
    auth.logout()
    auth.login(second)
    response = decide(client, in_review, "decline", rationale="Too little in the window.")
    assert response.status_code == 302
    db.refresh(in_review)
    assert in_review.status is NominationStatus.DECLINED
    assert in_review.decided_by_id == second.id
    [change] = actions(db, "nomination.decision_changed")
    assert change.actor_id == second.id
    assert change.before["decision"] == "award"
    assert change.before["status"] == "awarded"
    assert change.before["decided_by_id"] == first.id
    assert change.after["decision"] == "decline"
    assert change.after["rationale"] == "Too little in the window."
    assert len(actions(db, "nomination.decided")) == 1


def test_stale_version_is_refused_and_changes_nothing(client, auth, make, db, in_review):
    auth.login(make.organizer())
    decide(client, in_review, "award", version=1)
    response = decide(client, in_review, "decline", version=1)
    assert response.status_code == 409
    assert CHANGED_WHILE_DECIDING in response.text
    db.refresh(in_review)
    assert in_review.decision is Decision.AWARD
    assert in_review.version == 2
    assert actions(db, "nomination.decision_changed") == []


def test_decide_page_shows_the_review_aggregates(client, auth, make, db):
    cycle = make.cycle(status=CycleStatus.IN_REVIEW)
    nomination = make.nomination(
        cycle,
        status=NominationStatus.IN_REVIEW,
        score_mean=3.75,
        reviews_submitted=2,
        recommend_award=1,
        recommend_decline=1,
        evidence_count=7,
        distinct_endorsers=4,
    )
    review(db, nomination, make.reviewer(display_name="Rita"), [4, 4, 3, 5])
    review(db, nomination, make.reviewer(), [2, 4, 3, 3], Recommendation.DECLINE)
    review(db, nomination, make.reviewer(), [1, 1, 1, 1], status=ReviewStatus.DRAFT)
    auth.login(make.organizer())
    page = client.get(f"/nominations/{nomination.id}/decide")
    assert page.status_code == 200
    assert "3.75" in page.text
    assert "1 award, 1 decline, 0 abstain" in page.text
    assert "7 contributions" in page.text
    # Impact: the mean of 4 and 2; the draft review does not count.
    assert "<td>Impact</td>" in page.text
    assert "<td>3.00</td>" in page.text
    assert "2 to 4" in page.text
    assert "Comment by Rita" in page.text
    assert f'name="version" type="hidden" value="{nomination.version}"' in page.text


def test_decisions_list_shows_progress_and_filters(client, auth, make, db):
    cycle = make.cycle(status=CycleStatus.IN_REVIEW)
    decided = make.nomination(
        cycle,
        make.user(display_name="Decided Dora"),
        status=NominationStatus.AWARDED,
        decision=Decision.AWARD,
    )
    make.nomination(cycle, make.user(display_name="Open Olga"), status=NominationStatus.IN_REVIEW)
    make.nomination(cycle, make.user(display_name="Gone Gus"), status=NominationStatus.WITHDRAWN)
    auth.login(make.organizer())
    page = client.get(f"/cycles/{cycle.id}/decisions")
    assert page.status_code == 200
    assert "1 of 2" in page.text
    assert "Open Olga" in page.text and decided.nominee.display_name in page.text
    assert "Gone Gus" not in page.text
    undecided = client.get(f"/cycles/{cycle.id}/decisions?show=undecided")
    assert "Open Olga" in undecided.text and "Decided Dora" not in undecided.text


def test_decisions_list_offers_marking_the_cycle_decided(client, auth, make, db, in_review):
    """In review the cycle can be marked decided at any time (deciding happens there);
    once decided, publishing is offered when nothing is left to decide."""
    auth.login(make.organizer())
    url = f"/cycles/{in_review.cycle_id}/decisions"
    page = client.get(url).text
    assert "Mark the cycle decided" in page and "1 nomination still undecided" in page
    in_review.cycle.status = CycleStatus.DECIDED
    db.flush()
    page = client.get(url).text
    assert "1 nomination still needs a decision" in page
    assert "Publish the results" not in page
    decide(client, in_review)
    assert "Publish the results" in client.get(url).text


def _login(client, user) -> None:
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_two_organizers_deciding_at_once(committing_app, engine):
    """Rule 6: one decision wins, the other is told it changed; nothing is decided twice."""
    with Session(engine, expire_on_commit=False) as session:
        make = Factory(session)
        ada, bob = make.organizer(), make.organizer()
        cycle = make.cycle(status=CycleStatus.IN_REVIEW, reviewers_per_nomination=1)
        nomination = reviewed(make, cycle)
        session.commit()
        nomination_id, version = nomination.id, nomination.version
    clients = {"award": committing_app.test_client(), "decline": committing_app.test_client()}
    _login(clients["award"], ada)
    _login(clients["decline"], bob)
    barrier = threading.Barrier(2)
    responses = {}

    def post(decision: str) -> None:
        barrier.wait()
        responses[decision] = clients[decision].post(
            f"/nominations/{nomination_id}/decide",
            data={"decision": decision, "rationale": decision, "version": version},
        )

    threads = [threading.Thread(target=post, args=(d,)) for d in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    codes = sorted(response.status_code for response in responses.values())
    assert codes == [302, 409]
    [winner] = [d for d, response in responses.items() if response.status_code == 302]
    [loser] = [d for d, response in responses.items() if response.status_code == 409]
    assert CHANGED_WHILE_DECIDING in responses[loser].text
    with Session(engine) as session:
        nomination = session.get(Nomination, nomination_id)
        assert nomination.decision is Decision(winner)
        assert nomination.decision_rationale == winner
        assert nomination.version == version + 1
        events = session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.startswith("nomination.decid"))
        ).all()
        assert events == ["nomination.decided"]


def test_a_decision_committed_between_read_and_write_is_a_conflict(committing_app, engine):
    """The ORM version check catches what the form's version cannot: a commit after our read."""
    from nominee.awards import services
    from nominee.errors import Conflict

    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite runs write transactions one at a time: no read before the commit")
    with Session(engine, expire_on_commit=False) as session:
        make = Factory(session)
        ada, bob = make.organizer(), make.organizer()
        cycle = make.cycle(status=CycleStatus.IN_REVIEW, reviewers_per_nomination=1)
        nomination_id = reviewed(make, cycle).id
        session.commit()
    with Session(engine) as first, Session(engine) as second:
        mine, theirs = first.get(Nomination, nomination_id), second.get(Nomination, nomination_id)
        assert mine.cycle and theirs.cycle  # both read version 1
        kw = {"rationale": "r", "feedback": "", "version": 1}
        services.decide(first, ada, mine, decision=Decision.AWARD, **kw)
        first.commit()
        with pytest.raises(Conflict):
            services.decide(second, bob, theirs, decision=Decision.DECLINE, **kw)
        second.rollback()
    with Session(engine) as session:
        assert session.get(Nomination, nomination_id).decision is Decision.AWARD


def test_decisions_then_cycle_moves_through_the_cycle_pages(client, auth, make, db):
    """The whole path an organizer takes: decide early, mark decided (warned of what is
    left), decide the rest there, publish (refused until every nomination is decided)."""
    cycle = make.cycle(status=CycleStatus.IN_REVIEW, reviewers_per_nomination=1)
    winner, other = reviewed(make, cycle), reviewed(make, cycle)
    auth.login(make.organizer())
    decide(client, winner, "award")

    def move(to: str):
        db.refresh(cycle)
        return client.post(f"/cycles/{cycle.id}/status/{to}", data={"version": cycle.version})

    warning = client.get(f"/cycles/{cycle.id}/status/decided").text
    assert "1 nomination in review has no decision yet" in warning
    assert move("decided").status_code == 302
    db.refresh(cycle)
    assert cycle.status is CycleStatus.DECIDED
    listing = f"/cycles/{cycle.id}/decisions"
    refused = move("published")
    assert refused.status_code == 400
    assert "1 nomination in review has no decision yet" in refused.text
    before = client.get(f"/cycles/{cycle.id}/status/published").text
    assert "decide every nomination before publishing" in before
    assert "Move to published</button>" not in before
    db.refresh(other)
    decide(client, other, "decline")
    assert f"/cycles/{cycle.id}/status/published" in client.get(listing).text
    db.refresh(other)
    decide(client, other, "award", rationale="On reflection.")  # still allowed
    assert move("published").status_code == 302
    db.refresh(cycle)
    assert cycle.status is CycleStatus.PUBLISHED
    awards = db.scalars(select(Award).where(Award.cycle_id == cycle.id)).all()
    assert {a.nomination_id for a in awards} == {winner.id, other.id}
    db.refresh(other)
    refused_after = decide(client, other, "decline")
    assert refused_after.status_code == 400


def test_every_page_of_the_decisions_list_follows_its_order(make, db):
    """Pages past the middle are cut from the other end of the order: every nomination
    still shows once, undecided first, then by score (none last), ties by id."""
    from nominee.awards.queries import decision_list

    cycle = make.cycle(status=CycleStatus.IN_REVIEW)
    scores = [4.0, None, 2.5, 4.0, None, 3.0, 4.0, 1.0, None, 2.5, 5.0]
    for number, score in enumerate(scores):
        decided = number % 3 == 0
        make.nomination(
            cycle,
            status=NominationStatus.AWARDED if decided else NominationStatus.IN_REVIEW,
            decision=Decision.AWARD if decided else None,
            score_mean=score,
        )
    nominations = db.scalars(select(Nomination).where(Nomination.cycle_id == cycle.id)).all()
    expected = [
        n.id
        for n in sorted(
            nominations,
            key=lambda n: (
                n.decision is not None,
                n.score_mean is None,
                -(n.score_mean or 0),
                n.id,
            ),
        )
    ]
    organizer = make.organizer()
    shown = []
    for page in range(1, 5):
        listing = decision_list(db, cycle, organizer, undecided_only=False, page=page, per_page=3)
        assert listing.page.page == page
        shown += [row.id for row in listing.page.items]
    assert shown == expected
