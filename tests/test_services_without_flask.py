"""The programme run from a plain script: a session, users, services; no Flask app.

No app, no app context, no request: the services take the session and the acting user,
and the receivers are connected as a script would connect them. (The ``engine`` and
``connection`` fixtures only give the test database and its rolled-back transaction.)
"""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import flask
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from nominee import clock, events, receivers
from nominee.audit import AuditEvent
from nominee.awards import services as awards
from nominee.awards.models import Award
from nominee.cycles import services as cycles
from nominee.cycles.models import CycleStatus
from nominee.nominations import services as nominations
from nominee.nominations.models import Decision, NominationStatus
from nominee.reviews import services as reviews
from nominee.reviews.models import Confidence, Recommendation
from tests.factories import Factory

STATEMENT = "Runs the monthly meetup, mentors newcomers and writes the community's guides. " * 2


@pytest.fixture
def session(connection):
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    yield session
    session.close()


@pytest.fixture
def moves():
    """Every ``nomination_moved`` sent, as (nominee id, old, new, action)."""
    sent: list[tuple] = []

    def record(nomination, *, old, new, action, **_):
        sent.append((nomination.nominee_id, old, new, action))

    events.nomination_moved.connect(record)
    yield sent
    events.nomination_moved.disconnect(record)


def test_nominate_review_decide_and_publish_without_flask(session, moves):
    assert not flask.has_app_context()
    receivers.connect()
    make = Factory(session)
    organizer, reviewer = make.organizer(), make.reviewer()
    ada, bea, cleo = make.user(), make.user(), make.user()
    category = make.category()
    kind = make.contribution_type()
    works = {
        member.id: [make.contribution(member, type=kind, primary_category=category) for _ in "abc"]
        for member in (ada, cleo)
    }
    today = clock.today()

    cycle = cycles.create_cycle(
        session,
        organizer,
        cycles.CycleSettings(
            name="Spring without Flask",
            category_ids=[category.id],
            nominations_open_on=today - timedelta(days=5),
            nominations_close_on=today + timedelta(days=5),
            review_close_on=today + timedelta(days=30),
            reviewers_per_nomination=1,
        ),
    )
    cycles.move_status(session, organizer, cycle, CycleStatus.OPEN, cycle.version)

    own = nominations.nominate(
        session,
        ada,
        cycle,
        category_id=category.id,
        nominee_id=ada.id,
        statement_md=STATEMENT,
        evidence_ids=[c.id for c in works[ada.id]],
    )
    peer = nominations.nominate(
        session,
        bea,
        cycle,
        category_id=category.id,
        nominee_id=cleo.id,
        statement_md=STATEMENT,
    )
    nominations.accept(
        session,
        cleo,
        peer,
        evidence_ids=[c.id for c in works[cleo.id]],
        nominee_statement_md="",
        expected_version=peer.version,
    )
    cycles.move_status(session, organizer, cycle, CycleStatus.IN_REVIEW, cycle.version)
    assert own.status is peer.status is NominationStatus.IN_REVIEW

    reviews.appoint(session, organizer, cycle, reviewer, None)
    for nomination in (own, peer):
        reviews.assign(session, organizer, nomination, reviewer)
        scores = {criterion.id: 4 for criterion in cycle.criteria}
        reviews.save_review(
            session,
            reviewer,
            nomination,
            reviews.ReviewInput(
                scores=scores,
                confidence=Confidence.HIGH,
                recommendation=Recommendation.AWARD,
                panel_comment="Steady, visible work.",
            ),
            submit=True,
            version=0,
        )
    for nomination, decision in ((own, Decision.AWARD), (peer, Decision.DECLINE)):
        awards.decide(
            session,
            organizer,
            nomination,
            decision=decision,
            rationale="The panel agrees.",
            feedback="Thank you.",
            version=nomination.version,
        )
    cycles.move_status(session, organizer, cycle, CycleStatus.DECIDED, cycle.version)
    cycles.move_status(session, organizer, cycle, CycleStatus.PUBLISHED, cycle.version)

    [award] = session.scalars(select(Award).where(Award.cycle_id == cycle.id)).all()
    assert (award.member_id, award.nomination_id) == (ada.id, own.id)
    assert peer.status is NominationStatus.DECLINED
    # Every move of a nomination went through its one gate, which sent the event...
    S = NominationStatus
    assert moves == [
        (ada.id, None, S.SUBMITTED, "nomination.created"),
        (cleo.id, None, S.AWAITING_ACCEPTANCE, "nomination.created"),
        (cleo.id, S.AWAITING_ACCEPTANCE, S.SUBMITTED, "nomination.accepted"),
        (ada.id, S.SUBMITTED, S.IN_REVIEW, "nomination.entered_review"),
        (cleo.id, S.SUBMITTED, S.IN_REVIEW, "nomination.entered_review"),
        (ada.id, S.IN_REVIEW, S.AWARDED, "nomination.decided"),
        (cleo.id, S.IN_REVIEW, S.DECLINED, "nomination.decided"),
    ]
    # ... and wrote the audit event of each.
    audited = session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "nomination", AuditEvent.action.startswith("nomination."))
        .order_by(AuditEvent.id)
    ).all()
    assert audited == [action for *_, action in moves]
    assert not flask.has_app_context()


def test_the_services_import_no_flask():
    """A script (a job, a worker) can import the services without importing Flask."""
    code = (
        "import sys\n"
        "import nominee.nominations.services, nominee.reviews.services\n"
        "import nominee.awards.services, nominee.cycles.services\n"
        "flask = sorted(m for m in sys.modules if m == 'flask' or m.startswith('flask.'))\n"
        "assert not flask, flask\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
