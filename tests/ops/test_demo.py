"""``flask --app nominee seed-demo``: a believable community on an empty database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from nominee import clock
from nominee.accounts.models import Role, User
from nominee.appeals.models import Appeal, AppealStatus
from nominee.categories.models import Category
from nominee.contributions.models import Contribution, ContributionType, Visibility
from nominee.cycles.models import Cycle, CycleStatus
from nominee.endorsements.models import Endorsement
from nominee.nominations.models import Nomination, NominationStatus
from nominee.reviews.models import Review
from nominee.seeding import demo


def count(db, stmt) -> int:
    return db.scalar(select(func.count()).select_from(stmt.subquery()))


def test_seed_demo_fills_an_empty_database(runner, db, client, auth):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    for login in ("organizer@example.org", "reviewer1@example.org", "reviewer3@example.org"):
        assert login in result.output
    assert "member1@example.org to member44@example.org" in result.output
    assert "'nominee-demo'" in result.output

    users = db.scalars(select(User)).all()
    by_email = {u.email: u for u in users}
    assert by_email["organizer@example.org"].role is Role.ORGANIZER
    assert [by_email[f"reviewer{n}@example.org"].role for n in (1, 2, 3)] == [Role.REVIEWER] * 3
    members = [u for u in users if u.role is Role.MEMBER]
    assert len(members) >= 40
    assert {f"member{n}@example.org" for n in range(1, 41)} <= by_email.keys()
    assert len({u.display_name for u in users}) == len(users)
    assert all(u.bio_md and u.bio_html and u.location for u in users)
    assert len({u.password_hash for u in users}) == 1  # hashed once
    # Countries for the awardee directory's filter, and one private profile.
    assert len({u.country for u in users}) >= 10 and all(u.country for u in users)
    assert [u.email for u in users if not u.profile_public] == ["member44@example.org"]

    names = set(db.scalars(select(Category.name)))
    assert {"Developer Tools", "Data Platform", "Cloud & DevOps", "AI", "Security", "Web"} <= names

    contributions = db.scalars(select(Contribution).options(selectinload(Contribution.type))).all()
    assert len(contributions) >= 400
    types = db.scalars(select(ContributionType).where(ContributionType.retired.is_(False))).all()
    assert {t.id for t in types} == {c.type_id for c in contributions}
    today = clock.now().date()
    assert all(today - timedelta(days=550) <= c.contributed_on < today for c in contributions)
    assert max(c.contributed_on for c in contributions) > today - timedelta(days=60)
    assert min(c.contributed_on for c in contributions) < today - timedelta(days=480)
    assert 0 < sum(c.visibility is Visibility.PRIVATE for c in contributions) < 80
    for c in contributions:
        assert (c.quantity > 0) == bool(c.type.quantity_label), c.title
        assert (c.audience > 0) == bool(c.type.audience_label), c.title
        assert c.description_html
    assert max(c.audience for c in contributions) > 10_000

    endorsements = db.scalars(select(Endorsement)).all()
    assert len(endorsements) >= 400
    owner = {c.id: c for c in contributions}
    for e in endorsements:
        contribution = owner[e.contribution_id]
        assert e.endorser_id != contribution.owner_id
        assert e.endorsee_id == contribution.owner_id
        assert contribution.visibility is Visibility.PUBLIC
        assert contribution.created_at <= e.created_at
    pairs = [(e.contribution_id, e.endorser_id) for e in endorsements]
    assert len(pairs) == len(set(pairs))
    assert sum(bool(e.comment) for e in endorsements) > len(endorsements) / 3
    active = {}
    for e in endorsements:
        if e.withdrawn_at is None:
            active[e.contribution_id] = active.get(e.contribution_id, 0) + 1
    assert {c.id: c.endorsement_count for c in contributions if c.endorsement_count} == active

    assert "Cycles:" in result.output
    statuses = set(db.scalars(select(Cycle.status)))
    assert {CycleStatus.PUBLISHED, CycleStatus.IN_REVIEW, CycleStatus.OPEN} <= statuses
    assert count(db, select(Nomination)) >= 25
    assert "Reviews:" in result.output
    reviewed_by = set(db.scalars(select(Review.reviewer_id)))
    assert reviewed_by == {by_email[f"reviewer{n}@example.org"].id for n in (1, 2, 3)}

    # One declined nominee of the published cycle appealed; no organizer answered yet.
    (appeal,) = db.scalars(select(Appeal)).all()
    assert appeal.status is AppealStatus.OPEN
    assert appeal.nomination.status is NominationStatus.DECLINED

    # The public directory lists the published cycle's awardees, with their countries.
    directory = client.get("/awardees").text
    assert directory.count('<li class="awardee">') >= 3
    assert directory.count("<option value=") >= 3 + 2  # countries and categories at least
    assert "No awardee" not in directory

    assert auth.login("member1@example.org", "nominee-demo").status_code == 302
    assert client.get("/contributions/mine").status_code == 200
    auth.logout()
    assert auth.login("organizer@example.org", "nominee-demo").status_code == 302
    assert client.get("/admin/accounts").status_code == 200


def test_seed_demo_refuses_a_database_with_accounts(runner, db, make):
    make.user()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 1
    assert "The database already has 1 account(s)" in result.output
    assert count(db, select(Contribution)) == 0
    assert count(db, select(User)) == 1


def test_seed_demo_if_empty_skips_quietly(runner, db, make):
    make.user()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0
    assert "Not seeding" in result.output
    assert count(db, select(User)) == 1


@pytest.fixture
def people_only(monkeypatch):
    """Just the first steps: enough to test the people, much faster."""
    monkeypatch.setattr(demo, "STEPS", [demo.seed_categories, demo.seed_types, demo.seed_people])


def test_demo_password_setting_overrides_the_default(app, runner, auth, people_only):
    app.config["DEMO_PASSWORD"] = "another demo phrase"
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "'another demo phrase'" in result.output
    assert auth.login("member2@example.org", "nominee-demo").status_code == 400
    assert auth.login("member2@example.org", "another demo phrase").status_code == 302


def test_demo_is_deterministic(db, people_only):
    def people() -> list[tuple[str, str, str, str]]:
        with db.begin_nested() as savepoint:
            demo.seed(db, password_hash="x")
            rows = db.execute(select(User.email, User.display_name, User.bio_md, User.location))
            result = sorted(tuple(row) for row in rows)
            savepoint.rollback()
        return result

    first = people()
    assert len(first) == 1 + demo.REVIEWER_COUNT + demo.MEMBER_COUNT
    assert people() == first


def test_the_demo_history_is_not_mailed(runner, db):
    """Its steps notify members as they go, but no message waits in the outbox: serving
    the demo with a mail server sends nothing from its past."""
    from nominee.notifications.models import Notification
    from nominee.outbox.models import OutboxMessage

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert db.scalar(select(func.count()).select_from(Notification)) > 0
    waiting = db.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.dispatched_at.is_(None))
    )
    assert waiting == 0
