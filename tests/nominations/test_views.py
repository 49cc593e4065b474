from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from nominee import clock
from nominee.audit import AuditEvent
from nominee.contributions.models import Visibility
from nominee.cycles.models import CycleStatus
from nominee.nominations import services
from nominee.nominations.models import (
    Decision,
    Nomination,
    NominationEvent,
    NominationKind,
    NominationStatus,
)
from nominee.notifications.models import Notification
from tests.factories import PASSWORD, shown

STATEMENT = "Ada answered hundreds of questions and ran the user group all year. " * 2


def login(app, user):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def actions(db, action: str) -> list[AuditEvent]:
    return db.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def notifications(db, user) -> list[Notification]:
    return db.scalars(select(Notification).where(Notification.user_id == user.id)).all()


def events(db, nomination) -> list[tuple]:
    rows = db.scalars(
        select(NominationEvent)
        .where(NominationEvent.nomination_id == nomination.id)
        .order_by(NominationEvent.id)
    )
    return [(e.from_status, e.to_status, e.actor_id) for e in rows]


def error_of(html: str, field: str) -> str:
    return html.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]


@pytest.fixture
def cycle(make):
    return make.cycle(min_evidence=2, max_evidence=3)


def works(make, owner, count=3, days_ago=30, **kw):
    return [
        make.contribution(owner, contributed_on=date.today() - timedelta(days=days_ago + i), **kw)
        for i in range(count)
    ]


def nominate(client, cycle, nominee, contributions=(), **overrides):
    data = {
        "nominee_id": nominee.id,
        "category_id": cycle.categories[0].id,
        "statement_md": STATEMENT,
        "evidence": [c.id for c in contributions],
    }
    data.update(overrides)
    return client.post(f"/cycles/{cycle.id}/nominate", data=data)


def only_nomination(db) -> Nomination:
    (nomination,) = db.scalars(select(Nomination)).all()
    db.refresh(nomination)
    return nomination


# Self nominations -------------------------------------------------------------------


def test_self_nomination_is_submitted_with_evidence_and_counters(app, make, db, cycle):
    ada = make.user(display_name="Ada")
    mine = works(make, ada, 2, quantity=3, audience=100)
    fan, gone, quitter = make.user(), make.user(is_active_account=False), make.user()
    make.endorsement(mine[0], fan)
    make.endorsement(mine[1], fan)
    make.endorsement(mine[1], gone)
    make.endorsement(mine[0], quitter, withdrawn_at=clock.now())
    client = login(app, ada)

    form = client.get(f"/cycles/{cycle.id}/nominate?nominee={ada.id}")
    assert form.status_code == 200
    assert f'value="{mine[0].id}"' in form.text and "Nominate yourself" in form.text

    response = nominate(client, cycle, ada, mine, statement_md=STATEMENT + " **Really**.")
    assert response.status_code == 302
    nomination = only_nomination(db)
    assert response.headers["Location"] == f"/nominations/{nomination.id}"
    assert nomination.kind is NominationKind.SELF
    assert nomination.status is NominationStatus.SUBMITTED
    assert nomination.nominator_id == ada.id and nomination.submitted_at is not None
    assert "<strong>Really</strong>" in nomination.statement_html
    assert {e.contribution_id for e in nomination.evidence} == {c.id for c in mine}
    assert nomination.evidence_count == 2
    assert nomination.distinct_endorsers == 1  # active endorsements by active members only
    assert (nomination.total_quantity, nomination.total_audience) == (6, 200)
    assert events(db, nomination) == [(None, NominationStatus.SUBMITTED, ada.id)]
    (event,) = actions(db, "nomination.created")
    assert event.after["status"] == "submitted"
    assert notifications(db, ada) == []


def test_statement_length_is_checked(app, make, db, cycle):
    ada = make.user()
    client = login(app, ada)
    for statement in ("Too short.", "x" * 3001):
        response = nominate(client, cycle, ada, works(make, ada), statement_md=statement)
        assert response.status_code == 400
        assert "Write between 100 and 3,000 characters." in error_of(response.text, "statement_md")
    assert db.scalar(select(Nomination)) is None


def test_service_checks_the_statement_too(db, make, cycle):
    ada = make.user()
    with pytest.raises(services.DomainError) as refused:
        services.nominate(
            db,
            ada,
            cycle,
            category_id=cycle.categories[0].id,
            nominee_id=ada.id,
            statement_md="   short   ",
            evidence_ids=[c.id for c in works(make, ada)],
        )
    assert refused.value.field == "statement_md"


@pytest.mark.parametrize(
    "when",
    ["before the window", "after nominations close", "someone else's", "made up"],
)
def test_evidence_must_be_own_and_inside_the_window(app, make, db, cycle, when):
    """Rule 2, checked against the database whatever ids the form posts."""
    ada = make.user()
    good = works(make, ada, 2)
    if when == "before the window":
        bad = make.contribution(ada, contributed_on=cycle.lookback_start - timedelta(days=1))
    elif when == "after nominations close":
        # Dated tomorrow (UTC), as a member east of UTC may log it on the last day.
        cycle.nominations_close_on = date.today()
        bad = make.contribution(ada, contributed_on=date.today() + timedelta(days=1))
    elif when == "someone else's":
        bad = make.contribution(make.user())
    else:
        bad = type("Fake", (), {"id": 999_999})()
    db.flush()
    client = login(app, ada)
    response = nominate(client, cycle, ada, [good[0], bad])
    assert response.status_code == 400
    assert "Evidence must be the nominee&#39;s own contributions dated between" in error_of(
        response.text, "evidence"
    )
    assert db.scalar(select(Nomination)) is None


def test_window_edges_are_inside(app, make, db, cycle):
    ada = make.user()
    edges = [
        make.contribution(ada, contributed_on=cycle.lookback_start),
        make.contribution(ada, contributed_on=cycle.nominations_close_on),
    ]
    client = login(app, ada)
    page = client.get(f"/cycles/{cycle.id}/nominate?nominee={ada.id}")
    assert all(f'value="{c.id}"' in page.text for c in edges)
    assert nominate(client, cycle, ada, edges).status_code == 302


def test_evidence_limits(app, make, db, cycle):
    ada = make.user()
    mine = works(make, ada, 4)
    client = login(app, ada)
    few = nominate(client, cycle, ada, mine[:1])
    assert "Choose at least 2 contributions as evidence." in error_of(few.text, "evidence")
    many = nominate(client, cycle, ada, mine)
    assert "Choose at most 3 contributions as evidence." in error_of(many.text, "evidence")
    assert db.scalar(select(Nomination)) is None


def test_too_few_eligible_contributions_are_explained(app, make, cycle):
    ada = make.user()
    works(make, ada, 1)
    page = login(app, ada).get(f"/cycles/{cycle.id}/nominate?nominee={ada.id}")
    assert "Only 1 contribution falls inside the window; 2 are needed." in page.text


def test_category_must_be_the_cycles(app, make, db, cycle):
    ada = make.user()
    client = login(app, ada)
    other = make.category()
    response = nominate(client, cycle, ada, works(make, ada), category_id=other.id)
    assert response.status_code == 400
    assert db.scalar(select(Nomination)) is None


# Peer nominations -------------------------------------------------------------------


def test_peer_is_found_by_name_and_notified(app, make, db, cycle):
    grace = make.user(display_name="Grace Hopper")
    make.user(display_name="Grace Gone", is_active_account=False)
    make.user(display_name="Alan Turing")
    bob = make.user(display_name="Bob")
    client = login(app, bob)
    results = client.get(f"/cycles/{cycle.id}/nominate?q=grace")
    assert "Grace Hopper" in results.text
    assert "Grace Gone" not in results.text and "Alan Turing" not in results.text
    assert f"nominee={grace.id}" in results.text
    wildcard = client.get(f"/cycles/{cycle.id}/nominate?q=%25%25").text  # "%%" matches no name
    assert "Grace Hopper" not in wildcard and "No active member's name contains" in wildcard

    form = client.get(f"/cycles/{cycle.id}/nominate?nominee={grace.id}")
    assert "Nominate Grace Hopper" in form.text
    assert 'name="evidence"' not in form.text
    assert nominate(client, cycle, grace).status_code == 302
    nomination = only_nomination(db)
    assert nomination.kind is NominationKind.PEER
    assert nomination.status is NominationStatus.AWAITING_ACCEPTANCE
    assert (nomination.nominator_id, nomination.nominee_id) == (bob.id, grace.id)
    assert nomination.evidence == []
    (note,) = notifications(db, grace)
    assert note.kind == "nominated"
    assert shown(app, note).text.startswith("Bob nominated you for")
    assert shown(app, note).url == f"/nominations/{nomination.id}"
    assert events(db, nomination) == [(None, NominationStatus.AWAITING_ACCEPTANCE, bob.id)]


def test_nobody_nominates_an_inactive_account(app, make, db, cycle):
    gone = make.user(is_active_account=False)
    client = login(app, make.user())
    assert client.get(f"/cycles/{cycle.id}/nominate?nominee={gone.id}").status_code == 404
    response = nominate(client, cycle, gone)
    assert response.status_code == 400
    assert "This member cannot be nominated." in response.text
    assert db.scalar(select(Nomination)) is None


def test_peer_limit(app, make, db):
    cycle = make.cycle(peer_nomination_limit=2)
    bob = make.user()
    client = login(app, bob)
    peers = [make.user() for _ in range(3)]
    assert (
        "You have made 0 of 2 peer nominations" in client.get(f"/cycles/{cycle.id}/nominate").text
    )
    assert nominate(client, cycle, peers[0]).status_code == 302
    assert nominate(client, cycle, peers[1]).status_code == 302
    # Said before a statement is written (issue 20): on the choice of whom, with no search,
    # and on the form for a peer, which is not offered.
    choose = client.get(f"/cycles/{cycle.id}/nominate?q={peers[2].display_name[:4]}").text
    assert "You have made 2 peer nominations in this cycle, its limit." in choose
    assert 'role="search"' not in choose and "Nominate myself" in choose
    form = client.get(f"/cycles/{cycle.id}/nominate?nominee={peers[2].id}").text
    assert "its limit" in form and 'name="statement_md"' not in form
    response = nominate(client, cycle, peers[2])
    assert response.status_code == 400
    assert (
        "You have made 2 peer nominations in this cycle, its limit. "
        "Withdraw one to nominate somebody else."
    ) in response.text
    assert 'name="statement_md"' in response.text  # what was written is not lost
    # A self nomination does not count, and withdrawing frees a slot.
    first = db.scalar(select(Nomination).where(Nomination.nominee_id == peers[0].id))
    client.post(f"/nominations/{first.id}/withdraw", data={"version": first.version})
    assert nominate(client, cycle, peers[2]).status_code == 302


def test_one_live_nomination_per_nominee_cycle_and_category(app, make, db):
    data, tools = make.category(name="Data"), make.category(name="Tools")
    cycle = make.cycle(categories=[data, tools], min_evidence=1)
    grace = make.user(display_name="Grace")
    first, second = login(app, make.user()), login(app, make.user())
    assert nominate(first, cycle, grace, category_id=data.id).status_code == 302
    response = nominate(second, cycle, grace, category_id=data.id)
    assert response.status_code == 400
    assert "Grace already has a nomination in Data in this cycle." in error_of(
        response.text, "category_id"
    )
    # Herself too, with a message pointing to what she has.
    own = login(app, grace)
    response = nominate(own, cycle, grace, works(make, grace, 1), category_id=data.id)
    assert "You already have a nomination in Data in this cycle; see My nominations." in (
        response.text
    )
    # Another category is fine; a nomination that is no longer live frees the place.
    assert nominate(second, cycle, grace, category_id=tools.id).status_code == 302
    live = services.live_nomination(db, cycle.id, data.id, grace.id)
    live.status = NominationStatus.REFUSED
    db.flush()
    assert nominate(second, cycle, grace, category_id=data.id).status_code == 302


def test_database_index_backs_the_check(app, make, db, cycle, monkeypatch):
    """When two requests pass the check together, the partial unique index decides."""
    grace = make.user(display_name="Grace")
    make.nomination(cycle, grace, kind=NominationKind.PEER, status=NominationStatus.SUBMITTED)
    monkeypatch.setattr(services, "live_nomination", lambda *args: None)
    response = nominate(login(app, make.user()), cycle, grace)
    assert response.status_code == 400
    assert "Grace already has a nomination in" in response.text
    assert len(db.scalars(select(Nomination)).all()) == 1


# Accept, decline, withdraw ----------------------------------------------------------


@pytest.fixture
def peer(make, cycle):
    """Grace, nominated by Bob, awaiting her answer."""
    grace, bob = make.user(display_name="Grace"), make.user(display_name="Bob")
    nomination = make.nomination(
        cycle,
        grace,
        kind=NominationKind.PEER,
        nominator=bob,
        status=NominationStatus.AWAITING_ACCEPTANCE,
    )
    return nomination


def test_nominee_accepts_with_evidence_and_statement(app, make, db, peer):
    grace, bob = peer.nominee, peer.nominator
    mine = works(make, grace, 2)
    client = login(app, grace)
    page = client.get(f"/nominations/{peer.id}/accept")
    assert page.status_code == 200 and f'value="{mine[0].id}"' in page.text
    response = client.post(
        f"/nominations/{peer.id}/accept",
        data={
            "version": peer.version,
            "evidence": [c.id for c in mine],
            "nominee_statement_md": "I *also* wrote the docs. " * 5,
        },
    )
    assert response.status_code == 302
    db.refresh(peer)
    assert peer.status is NominationStatus.SUBMITTED and peer.submitted_at is not None
    assert "<em>also</em>" in peer.nominee_statement_html
    assert peer.evidence_count == 2
    assert events(db, peer)[-1] == (
        NominationStatus.AWAITING_ACCEPTANCE,
        NominationStatus.SUBMITTED,
        grace.id,
    )
    (note,) = notifications(db, bob)
    assert note.kind == "nomination_accepted" and shown(app, note).text.startswith("Grace accepted")
    assert actions(db, "nomination.accepted")


def test_accepting_checks_the_evidence(app, make, db, peer):
    client = login(app, peer.nominee)
    response = client.post(
        f"/nominations/{peer.id}/accept",
        data={"version": peer.version, "evidence": [c.id for c in works(make, make.user())]},
    )
    assert response.status_code == 400
    assert "Evidence must be the nominee&#39;s own contributions" in response.text
    db.refresh(peer)
    assert peer.status is NominationStatus.AWAITING_ACCEPTANCE


def test_nominee_declines(app, make, db, peer):
    client = login(app, peer.nominee)
    response = client.post(f"/nominations/{peer.id}/decline", data={"version": peer.version})
    assert response.status_code == 302
    db.refresh(peer)
    assert peer.status is NominationStatus.REFUSED
    (note,) = notifications(db, peer.nominator)
    assert note.kind == "nomination_declined" and "Grace declined" in shown(app, note).text
    assert actions(db, "nomination.refused")


def test_an_optional_statement_may_be_short(app, make, db, peer):
    """Issue 20: the nominee's own statement is optional, so a short one is accepted too
    (only its maximum applies)."""
    client = login(app, peer.nominee)
    response = client.post(
        f"/nominations/{peer.id}/accept",
        data={
            "version": peer.version,
            "evidence": [c.id for c in works(make, peer.nominee, 2)],
            "nominee_statement_md": "Thank you, Bob!",
        },
    )
    assert response.status_code == 302
    db.refresh(peer)
    assert peer.status is NominationStatus.SUBMITTED
    assert "Thank you, Bob!" in peer.nominee_statement_html


def test_declining_asks_first_and_takes_a_reason(app, make, db, peer):
    """Issue 20: Decline leads to a confirmation with an optional reason; nothing changes
    until it is confirmed; the nominator reads the reason."""
    client = login(app, peer.nominee)
    listing = client.get("/nominations/mine").text
    assert f'href="/nominations/{peer.id}/decline"' in listing
    page = client.get(f"/nominations/{peer.id}/decline")
    assert page.status_code == 200
    assert "Decline the nomination for" in page.text and 'name="reason"' in page.text
    db.refresh(peer)
    assert peer.status is NominationStatus.AWAITING_ACCEPTANCE  # only asked
    too_long = client.post(
        f"/nominations/{peer.id}/decline", data={"version": peer.version, "reason": "x" * 501}
    )
    assert too_long.status_code == 400 and "500 characters" in too_long.text
    db.refresh(peer)
    assert peer.status is NominationStatus.AWAITING_ACCEPTANCE
    response = client.post(
        f"/nominations/{peer.id}/decline",
        data={"version": peer.version, "reason": "I am stepping back this year."},
    )
    assert response.status_code == 302
    db.refresh(peer)
    assert peer.status is NominationStatus.REFUSED
    (note,) = notifications(db, peer.nominator)
    assert "declined your nomination" in shown(app, note).text
    assert "Reason: I am stepping back this year." in shown(app, note).text
    shown_page = login(app, peer.nominator).get(f"/nominations/{peer.id}").text
    assert "Reason for declining" in shown_page and "stepping back" in shown_page


def test_only_the_nominee_answers(app, make, db, peer):
    nominator = login(app, peer.nominator)
    assert nominator.get(f"/nominations/{peer.id}/accept").status_code == 403
    assert (
        nominator.post(f"/nominations/{peer.id}/decline", data={"version": peer.version})
    ).status_code == 403
    stranger = login(app, make.user())
    assert stranger.get(f"/nominations/{peer.id}/accept").status_code == 404
    db.refresh(peer)
    assert peer.status is NominationStatus.AWAITING_ACCEPTANCE


@pytest.mark.parametrize("who", ["nominee", "nominator"])
def test_nominee_or_nominator_withdraws_and_the_other_is_told(app, make, db, peer, who):
    actor = getattr(peer, who)
    other = peer.nominator if who == "nominee" else peer.nominee
    client = login(app, actor)
    assert client.get(f"/nominations/{peer.id}/withdraw").status_code == 200
    response = client.post(
        f"/nominations/{peer.id}/withdraw",
        data={"version": peer.version, "reason": "Wrong category."},
    )
    assert response.status_code == 302
    db.refresh(peer)
    assert peer.status is NominationStatus.WITHDRAWN
    assert peer.withdrawn_reason == "Wrong category."
    (note,) = notifications(db, other)
    assert (
        note.kind == "nomination_withdrawn" and "Reason: Wrong category." in shown(app, note).text
    )
    assert events(db, peer)[-1][1:] == (NominationStatus.WITHDRAWN, actor.id)
    assert actions(db, "nomination.withdrawn")


def test_self_nomination_withdrawn_without_reason(app, make, db, cycle):
    ada = make.user()
    nomination = make.nomination(cycle, ada)
    client = login(app, ada)
    response = client.post(
        f"/nominations/{nomination.id}/withdraw", data={"version": nomination.version}
    )
    assert response.status_code == 302
    db.refresh(nomination)
    assert nomination.status is NominationStatus.WITHDRAWN
    assert notifications(db, ada) == []


def test_others_cannot_withdraw(app, make, db, peer):
    organizer = login(app, make.organizer())  # may read it, may not withdraw it
    assert organizer.get(f"/nominations/{peer.id}").status_code == 200
    response = organizer.post(f"/nominations/{peer.id}/withdraw", data={"version": peer.version})
    assert response.status_code == 403
    for stranger in (make.user(), make.reviewer()):  # no panel reads it before review
        client = login(app, stranger)
        response = client.post(f"/nominations/{peer.id}/withdraw", data={"version": peer.version})
        assert response.status_code == 404
    db.refresh(peer)
    assert peer.status is NominationStatus.AWAITING_ACCEPTANCE


@pytest.mark.parametrize(
    "status",
    [CycleStatus.DRAFT, CycleStatus.IN_REVIEW, CycleStatus.DECIDED, CycleStatus.PUBLISHED],
)
def test_nothing_happens_unless_the_cycle_is_open(app, make, db, status):
    """Rule 3: nominate, accept, decline, withdraw and change evidence only while open."""
    cycle = make.cycle(status=status, min_evidence=1)
    grace, bob = make.user(), make.user()
    awaiting = make.nomination(
        cycle, grace, kind=NominationKind.PEER, nominator=bob,
        status=NominationStatus.AWAITING_ACCEPTANCE,
    )  # fmt: skip
    own = make.nomination(cycle, bob, category=make.category())
    cycle.categories.append(own.category)
    mine = works(make, grace, 1)
    db.flush()
    organizer = login(app, make.organizer())  # sees every cycle, so no 404 hides the rule
    response = organizer.post(
        f"/cycles/{cycle.id}/nominate",
        data={
            "nominee_id": grace.id,
            "category_id": cycle.categories[0].id,
            "statement_md": STATEMENT,
        },
    )
    assert response.status_code == 400
    assert "Nominations can only be made while the cycle is open." in response.text
    grace_client, bob_client = login(app, grace), login(app, bob)
    accept = grace_client.post(
        f"/nominations/{awaiting.id}/accept",
        data={"version": awaiting.version, "evidence": [mine[0].id]},
    )
    assert "can only be accepted or declined while the cycle is open" in accept.text
    decline = grace_client.post(
        f"/nominations/{awaiting.id}/decline", data={"version": awaiting.version}
    )
    assert decline.status_code == 400
    withdraw = bob_client.post(f"/nominations/{own.id}/withdraw", data={"version": own.version})
    assert "can only be withdrawn while the cycle is open" in withdraw.text
    evidence = bob_client.post(
        f"/nominations/{own.id}/evidence",
        data={"version": own.version, "evidence": [c.id for c in works(make, bob, 1)]},
    )
    assert evidence.status_code == 400
    assert (
        db.scalar(
            select(Nomination)
            .where(Nomination.nominee_id == grace.id)
            .where(Nomination.id != awaiting.id)
        )
        is None
    )
    db.refresh(awaiting)
    db.refresh(own)
    assert awaiting.status is NominationStatus.AWAITING_ACCEPTANCE
    assert own.status is NominationStatus.SUBMITTED


def test_decided_nomination_cannot_be_withdrawn(app, make, db):
    """Even a rogue organizer edit cannot reopen the door: in review is past the point."""
    cycle = make.cycle()
    ada = make.user()
    nomination = make.nomination(cycle, ada, status=NominationStatus.IN_REVIEW)
    response = login(app, ada).post(
        f"/nominations/{nomination.id}/withdraw", data={"version": nomination.version}
    )
    assert response.status_code == 400
    assert "This nomination can no longer be withdrawn." in response.text


def test_nomination_in_review_tells_its_parties_why_it_cannot_be_withdrawn(app, make, db):
    cycle = make.cycle(status=CycleStatus.IN_REVIEW)
    ada = make.user()
    nomination = make.nomination(cycle, ada, status=NominationStatus.IN_REVIEW)
    page = login(app, ada).get(f"/nominations/{nomination.id}").text
    assert "nominations are withdrawn only while the cycle is open" in page
    assert f'href="/nominations/{nomination.id}/withdraw"' not in page


# Evidence changes -------------------------------------------------------------------


def test_nominee_changes_evidence_with_optimistic_locking(app, make, db, cycle):
    ada = make.user()
    old, new = works(make, ada, 2), works(make, ada, 2, days_ago=100)
    nomination = make.evidence(make.nomination(cycle, ada), old)
    version = nomination.version
    client = login(app, ada)
    page = client.get(f"/nominations/{nomination.id}/evidence")
    assert "checked" in page.text
    response = client.post(
        f"/nominations/{nomination.id}/evidence",
        data={"version": version, "evidence": [old[0].id, new[0].id, new[1].id]},
    )
    assert response.status_code == 302
    db.refresh(nomination)
    assert {e.contribution_id for e in nomination.evidence} == {old[0].id, new[0].id, new[1].id}
    assert nomination.evidence_count == 3
    assert nomination.version > version
    (event,) = actions(db, "nomination.evidence_changed")
    assert event.before["evidence"] == sorted(c.id for c in old)
    # The same form sent again from a stale tab loses cleanly.
    stale = client.post(
        f"/nominations/{nomination.id}/evidence",
        data={"version": version, "evidence": [c.id for c in old]},
    )
    assert stale.status_code == 409
    assert "This nomination changed in the meantime; reload and try again." in stale.text
    db.refresh(nomination)
    assert nomination.evidence_count == 3


def test_only_the_nominee_changes_evidence(app, make, db, peer):
    peer.status = NominationStatus.SUBMITTED
    db.flush()
    client = login(app, peer.nominator)
    response = client.post(
        f"/nominations/{peer.id}/evidence",
        data={"version": peer.version, "evidence": [c.id for c in works(make, peer.nominee)]},
    )
    assert response.status_code == 403
    db.refresh(peer)
    assert peer.evidence == []


def test_stale_version_on_accept_is_a_conflict(app, make, db, peer):
    client = login(app, peer.nominee)
    response = client.post(
        f"/nominations/{peer.id}/accept",
        data={"version": peer.version - 1, "evidence": [c.id for c in works(make, peer.nominee)]},
    )
    assert response.status_code == 409
    assert "This nomination changed in the meantime" in response.text


# Closing nominations ----------------------------------------------------------------


def test_leaving_open_lapses_unaccepted_and_sends_submitted_to_review(app, make, db, cycle, peer):
    ada = make.user()
    submitted = make.evidence(make.nomination(cycle, ada), works(make, ada, 2, audience=10))
    submitted.total_audience = 0  # stale counters get refreshed on the way into review
    withdrawn = make.nomination(cycle, status=NominationStatus.WITHDRAWN)
    db.flush()
    organizer = make.organizer()
    client = login(app, organizer)
    confirm = client.get(f"/cycles/{cycle.id}/status/in_review")
    assert "1 nomination awaiting acceptance will lapse" in confirm.text
    response = client.post(f"/cycles/{cycle.id}/status/in_review", data={"version": cycle.version})
    assert response.status_code == 302
    for nomination in (peer, submitted, withdrawn):
        db.refresh(nomination)
    assert peer.status is NominationStatus.LAPSED
    assert submitted.status is NominationStatus.IN_REVIEW
    assert submitted.total_audience == 20
    assert withdrawn.status is NominationStatus.WITHDRAWN
    assert events(db, peer)[-1] == (
        NominationStatus.AWAITING_ACCEPTANCE,
        NominationStatus.LAPSED,
        organizer.id,
    )
    assert events(db, submitted)[-1][:2] == (
        NominationStatus.SUBMITTED,
        NominationStatus.IN_REVIEW,
    )
    assert [n.kind for n in notifications(db, peer.nominee)] == ["nomination_lapsed"]
    assert [n.kind for n in notifications(db, peer.nominator)] == ["nomination_lapsed"]
    assert len(actions(db, "nomination.lapsed")) == 1
    assert len(actions(db, "nomination.entered_review")) == 1


# Reading ----------------------------------------------------------------------------


def test_who_sees_a_nomination(app, make, peer):
    expected = {
        peer.nominee: 200,
        peer.nominator: 200,
        make.reviewer(): 404,  # no panel reads it before review (test_panel_visibility.py)
        make.organizer(): 200,
        make.user(): 404,
    }
    for user, status in expected.items():
        assert login(app, user).get(f"/nominations/{peer.id}").status_code == status
    assert app.test_client().get(f"/nominations/{peer.id}").status_code == 302


def test_page_shows_parties_statements_evidence_totals_and_history(app, make, db, peer):
    grace = peer.nominee
    talk = make.contribution(grace, title="Intro to SQL", quantity=2, audience=300)
    make.endorsement(talk)
    make.evidence(peer, [talk])
    peer.nominee_statement_html = "<p>My own words.</p>"
    peer.total_audience = 300
    db.add(NominationEvent(nomination=peer, actor=grace, to_status=peer.status))
    db.flush()
    page = login(app, grace).get(f"/nominations/{peer.id}").text
    assert "Grace" in page and "Bob" in page
    assert peer.category.name in page and peer.cycle.name in page
    assert "Works for the community." in page and "My own words." in page
    assert "Intro to SQL" in page and "2 sessions, 300 attendees" in page
    assert "<td>1</td>" in page  # endorsements of the talk
    assert "<dt>Total audience</dt><dd>300</dd>" in page
    assert "Awaiting acceptance</strong>" in page and "by Grace" in page


def test_renewal_is_nominated_by_the_programme(app, make, cycle):
    ada = make.user()
    renewal = make.nomination(cycle, ada, kind=NominationKind.RENEWAL)
    page = login(app, ada).get(f"/nominations/{renewal.id}").text
    assert "the programme (renewal)" in page


def test_private_evidence_hidden_from_the_nominator(app, make, db, peer):
    grace = peer.nominee
    make.evidence(
        peer,
        [
            make.contribution(grace, title="Public talk"),
            make.contribution(grace, title="Private mentoring", visibility=Visibility.PRIVATE),
        ],
    )
    nominator_page = login(app, peer.nominator).get(f"/nominations/{peer.id}").text
    assert "Public talk" in nominator_page
    assert "Private mentoring" not in nominator_page
    assert "private contribution" not in nominator_page  # nor how many (item 8)
    for user in (grace, make.organizer()):
        assert "Private mentoring" in login(app, user).get(f"/nominations/{peer.id}").text


def test_no_decision_is_visible_before_publishing(app, make, db):
    """Rule 5: awarded and declined read "In review" until the cycle is published."""
    cycle = make.cycle(status=CycleStatus.DECIDED)
    ada, bob = make.user(display_name="Ada"), make.user(display_name="Bob")
    awarded = make.nomination(
        cycle, ada, kind=NominationKind.PEER, nominator=bob, status=NominationStatus.AWARDED,
        decision=Decision.AWARD, decision_feedback="Outstanding mentoring.",
    )  # fmt: skip
    db.add(
        NominationEvent(
            nomination=awarded,
            from_status=NominationStatus.IN_REVIEW,
            to_status=NominationStatus.AWARDED,
        )
    )
    db.flush()
    organizer = login(app, make.organizer())
    assert "Awarded" in organizer.get(f"/nominations/{awarded.id}").text
    reviewer = make.reviewer()
    make.appointment(cycle, reviewer)
    for user in (ada, bob, reviewer):
        client = login(app, user)
        for url in (f"/nominations/{awarded.id}", "/nominations/mine"):
            page = client.get(url).text
            assert "Awarded" not in page and "Outstanding mentoring." not in page, (user, url)
        assert "In review" in client.get(f"/nominations/{awarded.id}").text
    assert "In review" in login(app, ada).get("/nominations/mine").text

    cycle.status = CycleStatus.PUBLISHED
    db.flush()
    nominee_page = login(app, ada).get(f"/nominations/{awarded.id}").text
    assert "Awarded" in nominee_page and "Outstanding mentoring." in nominee_page
    nominator_page = login(app, bob).get(f"/nominations/{awarded.id}").text
    assert "Awarded" in nominator_page
    assert "Outstanding mentoring." not in nominator_page  # feedback is for the nominee


def test_my_nominations_lists_both_sides_with_actions(app, make, db, cycle, peer):
    grace, bob = peer.nominee, peer.nominator
    own = make.nomination(cycle, grace, category=make.category(name="Other"))
    page = login(app, grace).get("/nominations/mine").text
    assert "Awaiting acceptance" in page and "Submitted" in page and "Yourself" in page
    assert f"/nominations/{peer.id}/accept" in page
    assert f"/nominations/{peer.id}/decline" in page
    assert f"/nominations/{own.id}/evidence" in page
    assert f"/nominations/{own.id}/withdraw" in page
    page = login(app, bob).get("/nominations/mine").text
    assert "Grace" in page and f"/nominations/{peer.id}/withdraw" in page
    assert f"/nominations/{peer.id}/accept" not in page
    assert "Nobody has nominated you yet." in page


def test_nominating_is_rate_limited(make, database_url, connection, cycle):
    from sqlalchemy.orm import sessionmaker

    from nominee import create_app
    from tests.conftest import BASE_CONFIG

    app = create_app(
        {
            **BASE_CONFIG,
            "DATABASE_URL": database_url,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_NOMINATE": "1 per minute",
        }
    )
    app.extensions["nominee.sessionmaker"] = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        client = login(app, make.user())
        assert nominate(client, cycle, make.user()).status_code == 302
        assert client.get(f"/cycles/{cycle.id}/nominate").status_code == 200
        assert nominate(client, cycle, make.user()).status_code == 429
    finally:
        app.extensions["nominee.engine"].dispose()
