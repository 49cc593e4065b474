"""What the awards domain does when a cycle moves: the decided guard, publishing, renewal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from nominee.audit import AuditEvent
from nominee.awards.models import Award, AwardStatus
from nominee.contributions.models import Visibility
from nominee.cycles.models import CycleStatus, add_months
from nominee.errors import DomainError
from nominee.nominations.models import (
    Decision,
    Nomination,
    NominationEvent,
    NominationKind,
    NominationStatus,
)
from nominee.notifications.models import Notification
from tests.awards.helpers import move
from tests.factories import shown
from tests.fanout import run_fanout

pytestmark = pytest.mark.usefixtures("app_context")


def notifications(db, user) -> list[Notification]:
    return db.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ).all()


def decided(make, cycle, decision: Decision, **kw) -> Nomination:
    status = NominationStatus.AWARDED if decision is Decision.AWARD else NominationStatus.DECLINED
    return make.nomination(cycle, status=status, decision=decision, **kw)


# The decided guard


def test_cycle_is_decided_with_nominations_still_undecided(make, db):
    """Moving to decided closes the reviews; deciding happens there, so nothing waits."""
    cycle = make.cycle(status=CycleStatus.IN_REVIEW)
    decided(make, cycle, Decision.AWARD)
    undecided = make.nomination(cycle, status=NominationStatus.IN_REVIEW)
    move(db, cycle, CycleStatus.DECIDED)
    assert cycle.status is CycleStatus.DECIDED
    assert undecided.status is NominationStatus.IN_REVIEW


def test_cycle_is_decided_once_every_reviewed_nomination_is(make, db):
    cycle = make.cycle(status=CycleStatus.IN_REVIEW)
    decided(make, cycle, Decision.AWARD)
    decided(make, cycle, Decision.DECLINE)
    make.nomination(cycle, status=NominationStatus.WITHDRAWN)
    move(db, cycle, CycleStatus.DECIDED)
    assert cycle.status is CycleStatus.DECIDED


def test_publishing_is_refused_with_an_undecided_nomination(make, db):
    cycle = make.cycle(status=CycleStatus.DECIDED)
    make.nomination(cycle, status=NominationStatus.IN_REVIEW)
    with pytest.raises(
        DomainError,
        match="1 nomination in review has no decision yet: decide every nomination before",
    ):
        move(db, cycle, CycleStatus.PUBLISHED)
    assert cycle.status is CycleStatus.DECIDED


# Publishing


def test_publishing_creates_awards_and_notifies(app, make, db):
    organizer = make.organizer()
    cycle = make.cycle(status=CycleStatus.DECIDED)
    winner = decided(make, cycle, Decision.AWARD)
    peer_winner = decided(make, cycle, Decision.AWARD, kind=NominationKind.PEER)
    declined = decided(make, cycle, Decision.DECLINE, kind=NominationKind.PEER)
    move(db, cycle, CycleStatus.PUBLISHED, organizer)
    # Nominees and nominators are told by a job, after the publishing commits.
    assert notifications(db, winner.nominee) == []
    assert run_fanout(db) == 1

    assert cycle.published_at is not None
    awards = db.scalars(select(Award).order_by(Award.id)).all()
    assert [a.nomination_id for a in awards] == [winner.id, peer_winner.id]
    for award, nomination in zip(awards, (winner, peer_winner), strict=True):
        assert award.member_id == nomination.nominee_id
        assert award.category_id == nomination.category_id
        assert award.cycle_id == cycle.id
        assert award.starts_on == cycle.award_starts_on
        assert award.ends_on == cycle.award_ends_on
        assert award.status is AwardStatus.ACTIVE
        assert len(award.verification_id) >= 24
    assert awards[0].verification_id != awards[1].verification_id

    [granted] = notifications(db, winner.nominee)
    assert granted.kind == "award.granted"
    assert shown(app, granted).url == f"/awards/{awards[0].verification_id}"
    [results] = notifications(db, declined.nominee)
    assert results.kind == "results.published"
    assert shown(app, results).url == f"/nominations/{declined.id}"
    # Peer nominators hear about it too; self-nominators only once.
    assert len(notifications(db, peer_winner.nominator)) == 1
    assert len(notifications(db, declined.nominator)) == 1

    events = db.scalars(select(NominationEvent).where(NominationEvent.note == "Results published"))
    assert {(e.nomination_id, e.to_status) for e in events} == {
        (winner.id, NominationStatus.AWARDED),
        (peer_winner.id, NominationStatus.AWARDED),
        (declined.id, NominationStatus.DECLINED),
    }
    created = db.scalars(select(AuditEvent).where(AuditEvent.action == "award.created")).all()
    assert {e.object_id for e in created} == {a.id for a in awards}
    assert all(e.actor_id == organizer.id for e in created)


def test_publishing_twice_creates_no_second_award(make, db):
    cycle = make.cycle(status=CycleStatus.DECIDED)
    decided(make, cycle, Decision.AWARD)
    move(db, cycle, CycleStatus.PUBLISHED)
    move(db, cycle, CycleStatus.PUBLISHED)
    assert len(db.scalars(select(Award)).all()) == 1


# Renewal


@pytest.fixture
def renewal_setup(make):
    """An award of an earlier cycle whose term ends inside the new cycle's renewal window."""
    new_cycle = make.cycle(status=CycleStatus.DRAFT, max_evidence=3)
    earlier = make.cycle(
        status=CycleStatus.PUBLISHED,
        nominations_open_on=add_months(new_cycle.nominations_open_on, -12),
        nominations_close_on=add_months(new_cycle.nominations_close_on, -12),
        review_close_on=add_months(new_cycle.review_close_on, -12) - timedelta(days=10),
        categories=new_cycle.categories,
    )
    award = make.award(cycle=earlier)
    assert new_cycle.nominations_open_on <= award.ends_on <= new_cycle.award_starts_on
    return new_cycle, award


def renewals(db, cycle) -> list[Nomination]:
    return db.scalars(
        select(Nomination)
        .where(Nomination.cycle_id == cycle.id, Nomination.kind == NominationKind.RENEWAL)
        .order_by(Nomination.id)
    ).all()


def test_opening_a_cycle_renews_awards_ending_in_its_renewal_window(app, make, db, renewal_setup):
    cycle, award = renewal_setup
    member = award.member
    contribution_type = make.contribution_type()
    endorser = make.user()

    def contribution(days_into_term: int, **kw):
        return make.contribution(
            member,
            type=contribution_type,
            contributed_on=award.starts_on + timedelta(days=days_into_term),
            **kw,
        )

    before_term = contribution(-5, quantity=100)
    oldest = contribution(1, quantity=1)
    middle = contribution(20, quantity=2, audience=30, visibility=Visibility.PRIVATE)
    recent = contribution(40, quantity=3, audience=50)
    newest = contribution(60, quantity=4, audience=70)
    make.endorsement(recent, endorser)
    make.endorsement(newest, endorser)
    make.endorsement(newest, make.user())

    organizer = make.organizer()
    move(db, cycle, CycleStatus.OPEN, organizer)

    [renewal] = renewals(db, cycle)
    assert renewal.nominee_id == member.id
    assert renewal.nominator_id is None
    assert renewal.category_id == award.category_id
    assert renewal.status is NominationStatus.SUBMITTED
    assert renewal.renewal_of_award_id == award.id
    assert renewal.statement_md.startswith(f"Renewal of the {award.category.name} award ")
    # Up to max_evidence (3), most recent first, only inside the award term.
    evidence = {e.contribution_id for e in renewal.evidence}
    assert evidence == {newest.id, recent.id, middle.id}
    assert before_term.id not in evidence and oldest.id not in evidence
    assert renewal.evidence_count == 3
    assert renewal.distinct_endorsers == 2
    assert renewal.total_quantity == 9
    assert renewal.total_audience == 150
    assert renewal.no_activity is False
    assert renewal.events[0].to_status is NominationStatus.SUBMITTED
    [notice] = notifications(db, member)
    assert notice.kind == "award.renewal"
    assert "3 contributions" in shown(app, notice).text
    [audited] = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "nomination.renewal_created")
    ).all()
    assert audited.object_id == renewal.id and audited.actor_id == organizer.id


def test_renewal_without_contribution_is_flagged_no_activity(app, make, db, renewal_setup):
    cycle, award = renewal_setup
    make.contribution(award.member, contributed_on=award.starts_on - timedelta(days=1))
    move(db, cycle, CycleStatus.OPEN)
    [renewal] = renewals(db, cycle)
    assert renewal.no_activity is True
    assert renewal.evidence_count == 0
    assert renewal.evidence == []
    assert "no contribution" in shown(app, notifications(db, award.member)[0]).text


def test_reopening_never_duplicates_renewals(make, db, renewal_setup):
    cycle, award = renewal_setup
    move(db, cycle, CycleStatus.OPEN)
    [renewal] = renewals(db, cycle)
    # Even a withdrawn renewal is not recreated.
    renewal.status = NominationStatus.WITHDRAWN
    cycle.status = CycleStatus.DRAFT
    db.flush()
    move(db, cycle, CycleStatus.OPEN)
    assert renewals(db, cycle) == [renewal]


def test_member_with_a_live_nomination_gets_no_renewal(make, db, renewal_setup):
    cycle, award = renewal_setup
    make.nomination(cycle, award.member, category_id=award.category_id)
    move(db, cycle, CycleStatus.OPEN)
    assert renewals(db, cycle) == []


def test_revoked_and_out_of_term_awards_are_not_renewed(make, db, renewal_setup):
    cycle, award = renewal_setup
    award.status = AwardStatus.REVOKED
    make.award(cycle=award.cycle, ends_on=cycle.nominations_open_on - timedelta(days=1))
    make.award(cycle=award.cycle, ends_on=cycle.award_starts_on + timedelta(days=1))
    db.flush()
    move(db, cycle, CycleStatus.OPEN)
    assert renewals(db, cycle) == []


def test_renewal_terms_on_the_boundaries_are_renewed(make, db, renewal_setup):
    cycle, award = renewal_setup
    first = make.award(cycle=award.cycle, ends_on=cycle.nominations_open_on)
    last = make.award(cycle=award.cycle, ends_on=cycle.award_starts_on)
    move(db, cycle, CycleStatus.OPEN)
    renewed = {n.renewal_of_award_id for n in renewals(db, cycle)}
    assert renewed == {award.id, first.id, last.id}
