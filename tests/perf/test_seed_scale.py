"""The synthetic programme of ``seed-scale``: consistent with the services, true to the
domain's rules, and the same for the same seed."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import func, inspect, select

from nominee.accounts.models import User
from nominee.contributions.models import Contribution, ContributionType, Visibility
from nominee.cycles.models import Cycle
from nominee.db import Base, make_engine
from nominee.endorsements.models import Endorsement
from nominee.nominations import services as nominations
from nominee.nominations.models import Nomination, NominationEvidence
from nominee.reviews import services as reviews
from nominee.reviews.models import Assignment
from nominee.reviews.queries import find_conflicts
from nominee.seeding.scale.database import seed_database
from tests.perf.helpers import SMALL, seeded

COUNTERS = (
    "evidence_count",
    "distinct_endorsers",
    "total_quantity",
    "total_audience",
    "reviews_submitted",
    "recommend_award",
    "recommend_decline",
    "recommend_abstain",
    "disagreement",
)


def test_stored_counters_are_what_the_services_compute(connection):
    with seeded(connection, SMALL) as session:
        active = dict(
            session.execute(
                select(Endorsement.contribution_id, func.count())
                .where(Endorsement.withdrawn_at.is_(None))
                .group_by(Endorsement.contribution_id)
            ).all()
        )
        stored = dict(
            session.execute(select(Contribution.id, Contribution.endorsement_count)).all()
        )
        assert stored == {c: active.get(c, 0) for c in stored}

        for nomination in session.scalars(select(Nomination).order_by(Nomination.id)).all():
            seeded_values = {name: getattr(nomination, name) for name in COUNTERS}
            seeded_mean = nomination.score_mean
            nominations.refresh_counters(session, nomination)
            reviews.refresh_scores(session, nomination)
            assert {name: getattr(nomination, name) for name in COUNTERS} == seeded_values, (
                nomination.id
            )
            assert nomination.score_mean == pytest.approx(seeded_mean), nomination.id


def test_the_programme_keeps_the_domain_rules(connection):
    with seeded(connection, SMALL) as session:
        assert not session.scalar(
            select(func.count()).where(Endorsement.endorser_id == Endorsement.endorsee_id)
        )
        owner_mismatch = (
            select(func.count())
            .select_from(Endorsement)
            .join(Contribution, Contribution.id == Endorsement.contribution_id)
            .where(Contribution.owner_id != Endorsement.endorsee_id)
        )
        assert not session.scalar(owner_mismatch)
        used = set(session.scalars(select(Contribution.type_id).distinct()))
        assert used == set(session.scalars(select(ContributionType.id)))

        evidence = session.execute(
            select(Nomination.nominee_id, Contribution.owner_id, Contribution.contributed_on, Cycle)
            .join(NominationEvidence, NominationEvidence.nomination_id == Nomination.id)
            .join(Contribution, Contribution.id == NominationEvidence.contribution_id)
            .join(Cycle, Cycle.id == Nomination.cycle_id)
        ).all()
        assert evidence
        for nominee, owner, day, cycle in evidence:
            assert owner == nominee
            assert cycle.lookback_start <= day <= cycle.nominations_close_on

        for cycle in session.scalars(select(Cycle)):
            pairs = session.execute(
                select(Assignment.nomination_id, Assignment.reviewer_id)
                .join(Nomination, Nomination.id == Assignment.nomination_id)
                .where(Nomination.cycle_id == cycle.id)
            ).all()
            conflicts = find_conflicts(session, cycle, {reviewer for _, reviewer in pairs})
            assert not [pair for pair in pairs if tuple(pair) in conflicts], cycle.name


def _fingerprint(session) -> str:
    digest = hashlib.sha256()
    for model, order in (
        (User, User.id),
        (Contribution, Contribution.id),
        (Endorsement, Endorsement.id),
        (Nomination, Nomination.id),
        (Assignment, (Assignment.nomination_id, Assignment.reviewer_id)),
    ):
        # Contribution types are added by the services (ids from the sequence, which a
        # rollback does not give back on PostgreSQL): they are compared by slug below.
        columns = [c for c in model.__table__.columns if c.name not in ("password_hash", "type_id")]
        order = order if isinstance(order, tuple) else (order,)
        for row in session.execute(select(*columns).order_by(*order)):
            digest.update(repr(tuple(row)).encode())
    types = select(Contribution.id, ContributionType.slug).join(ContributionType)
    for row in session.execute(types.order_by(Contribution.id)):
        digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def test_the_same_seed_gives_the_same_programme(connection):
    with seeded(connection, SMALL, seed=3) as session:
        first = _fingerprint(session)
    with seeded(connection, SMALL, seed=3) as session:
        assert _fingerprint(session) == first
    with seeded(connection, SMALL, seed=4) as session:
        assert _fingerprint(session) != first


def test_seed_scale_refuses_a_database_with_data(committing_app):
    from nominee.uow import get_session

    with committing_app.app_context():
        session = get_session()
        session.add(User(email="someone@example.org", display_name="Someone", password_hash="x"))
        session.commit()
    result = committing_app.test_cli_runner().invoke(args=["seed-scale", "--scale", "small"])
    assert result.exit_code == 1
    assert "not empty" in result.output


def test_endorsements_are_public_as_the_services_keep_them(connection):
    """``Endorsement.public`` is written as the services keep it (the contribution public,
    its owner's account active), with no UPDATE after the load."""
    with seeded(connection, SMALL) as session:
        rows = session.execute(
            select(Endorsement.public, Contribution.visibility, User.is_active_account)
            .join(Contribution, Contribution.id == Endorsement.contribution_id)
            .join(User, User.id == Endorsement.endorsee_id)
        ).all()
        assert rows
        assert all(
            public == (visibility == Visibility.PUBLIC and active)
            for public, visibility, active in rows
        )


def _schema(engine) -> dict:
    """Every table's foreign keys, indexes and unique constraints, as the database has
    them."""
    inspector = inspect(engine)

    def described(items: list) -> list[str]:
        # str() for what is not JSON: a partial index's condition is a clause.
        return sorted(json.dumps(item, sort_keys=True, default=str) for item in items)

    return {
        table: (
            described(inspector.get_foreign_keys(table)),
            described(inspector.get_indexes(table)),
            described(inspector.get_unique_constraints(table)),
        )
        for table in inspector.get_table_names()
    }


def test_seeding_a_database_leaves_its_schema_as_it_found_it(committing_app, engine, tmp_path):
    """The bulk load drops the big tables' indexes and, on PostgreSQL, every foreign key:
    all are back after it, and each phase is timed."""
    if engine.dialect.name == "sqlite":
        # The load takes SQLite out of WAL mode, which needs the file to itself: the
        # suite's database is held open by other tests' connections.
        engine = make_engine(f"sqlite:///{tmp_path / 'seeded.sqlite3'}")
        Base.metadata.create_all(engine)
    before = _schema(engine)
    timings: dict[str, list[float]] = {}
    counts = seed_database(engine, "small", 1, "a-password-for-the-seed", timings=timings)
    assert counts["endorsements"] > 0
    assert _schema(engine) == before
    assert {"write endorsements", "indexes", "analyze"} <= set(timings)
    assert ("foreign keys" in timings) == (engine.dialect.name == "postgresql")
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Endorsement)) == counts["endorsements"]
