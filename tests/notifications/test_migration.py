"""Migration c3a9e5d17b42: the sentences and links of existing notifications become
kinds and parameters, and come back unchanged on downgrade."""

from __future__ import annotations

import json
from datetime import date

import sqlalchemy as sa
from alembic import command
from sqlalchemy.orm import Session

from nominee.db import make_engine
from nominee.migrate import alembic_config, upgrade
from nominee.nominations.models import NominationKind, NominationStatus
from nominee.notifications import kinds
from tests import factories
from tests.ops.test_migrations import empty_database  # noqa: F401  (the fixture)

BEFORE = "b7d41c2e9a10"
CONVERSION = "c3a9e5d17b42"

old_notifications = sa.table(
    "notifications",
    sa.column("id", sa.Integer),
    sa.column("user_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("message", sa.String),
    sa.column("link", sa.String),
    sa.column("created_at", sa.DateTime),
)


def _seed(session: Session) -> list[tuple[int, str, str, str, str]]:
    """People, a nomination, a renewal and an award, and one notification of every kind
    as the code before the conversion wrote it: (user, kind, message, link, new kind)."""
    make = factories.Factory(session)
    ada, bob = make.user(display_name="Ada"), make.user(display_name="Bob")
    grace = make.user(display_name="Grace")
    category = make.category(name="Data")
    cycle = make.cycle(name="Spring 2026", categories=[category])
    peer = make.nomination(
        cycle,
        ada,
        kind=NominationKind.PEER,
        nominator=bob,
        status=NominationStatus.WITHDRAWN,
        withdrawn_reason="Wrong category.",
    )
    contribution = make.contribution(ada, title="Window functions")
    award = make.award(
        cycle=cycle,
        member=ada,
        category_id=category.id,
        ends_on=date(2026, 6, 30),
        verification_id="v-123",
        revoked_reason="Plagiarised talks.",
    )
    renewal = make.nomination(cycle, ada, kind=NominationKind.RENEWAL, renewal_of_award_id=award.id)
    where = "Data in Spring 2026"
    n, r = f"/nominations/{peer.id}", f"/nominations/{renewal.id}"
    rows = [
        (
            ada,
            "nominated",
            f"Bob nominated you for {where}. Accept it (and pick your evidence) or decline it.",
            n,
            "nominated",
        ),
        (bob, "nomination_accepted", f"Ada accepted your nomination for {where}.", n, None),
        (bob, "nomination_declined", f"Ada declined your nomination for {where}.", n, None),
        (
            bob,
            "nomination_withdrawn",
            f"Ada withdrew the nomination for {where}. Reason: Wrong category.",
            n,
            None,
        ),
        (ada, "nomination_withdrawn", f"Bob withdrew the nomination for {where}.", n, None),
        (
            ada,
            "nomination_lapsed",
            f"The nomination for {where} lapsed: it was not accepted before nominations closed.",
            n,
            None,
        ),
        (
            bob,
            "nomination_lapsed",
            f"Your nomination of Ada for {where} lapsed: it was not "
            "accepted before nominations closed.",
            n,
            None,
        ),
        (
            ada,
            "endorsed",
            "Grace endorsed your contribution “Window functions”.",
            f"/contributions/{contribution.id}",
            None,
        ),
        (
            ada,
            "award.granted",
            "Congratulations! You received the Data award of Spring 2026.",
            "/awards/v-123",
            None,
        ),
        (
            ada,
            "results.published",
            "The results of Spring 2026 are published. Read the "
            "panel's feedback on your nomination.",
            n,
            None,
        ),
        (
            bob,
            "results.published",
            "The results of Spring 2026 are published for your nomination of Ada.",
            n,
            None,
        ),
        (
            ada,
            "award.renewal",
            "Your Data award ends on 30 Jun 2026: it is up for renewal in "
            "Spring 2026, with 3 contributions from your award term as evidence.",
            r,
            None,
        ),
        (
            ada,
            "award.renewal",
            "Your Data award ends on 30 Jun 2026: it is up for renewal in "
            "Spring 2026, but we found no contribution from your award term.",
            r,
            None,
        ),
        (
            ada,
            "award.renewal",
            "Your Data award is not renewed: we found no contribution "
            "from its term. It stays valid until 30 Jun 2026.",
            r,
            None,
        ),
        (
            ada,
            "award.revoked",
            "Your Data award of Spring 2026 was revoked: Plagiarised talks.",
            "/awards/v-123",
            None,
        ),
        # The cycle was renamed since: the sentence no longer matches the rows.
        (
            ada,
            "nominated",
            "Bob nominated you for Data in Spring 2025. Accept it (and pick "
            "your evidence) or decline it.",
            n,
            kinds.LEGACY,
        ),
        # A kind this revision does not know, a path it cannot take apart, a lost link.
        (grace, "test", "Welcome aboard.", "/nominations/mine", kinds.LEGACY),
        (grace, "nominated", "Somebody nominated you.", "/nominations/999999", kinds.LEGACY),
        (grace, "award.granted", "An award (truncated", "", kinds.LEGACY),
    ]
    session.flush()
    return [
        (user.id, kind, message, link, new_kind or kind)
        for user, kind, message, link, new_kind in rows
    ]


def _json(value):
    """A JSON column read through ``text()``: a string on SQLite, a dict on PostgreSQL."""
    return value if isinstance(value, dict) else json.loads(value)


def test_every_kind_is_converted_and_comes_back(empty_database):  # noqa: F811
    # The people and their programme are seeded with today's models, at the head, then the
    # schema goes back to before the conversion (the models would not load there), where
    # the notifications are written as the code of that time wrote them.
    upgrade(empty_database, "head")
    engine = make_engine(empty_database)
    try:
        with Session(engine) as session:
            seeded = _seed(session)
            session.commit()
        command.downgrade(alembic_config(empty_database), BEFORE)
        with Session(engine) as session:
            for user_id, kind, message, link, _ in seeded:
                session.execute(
                    old_notifications.insert().values(
                        user_id=user_id,
                        kind=kind,
                        message=message,
                        link=link,
                        created_at=sa.func.current_timestamp(),
                    )
                )
            session.commit()
        upgrade(empty_database, CONVERSION)
        with engine.connect() as conn:
            converted = conn.execute(
                sa.text("SELECT kind, params FROM notifications ORDER BY id")
            ).all()
        assert [kind for kind, _ in converted] == [new for *_, new in seeded]
        for (kind, params), (_, old_kind, message, link, _) in zip(converted, seeded, strict=True):
            params = _json(params)
            assert kinds.checked_params(kind, params) == params
            assert kinds.text(kind, params) == message
            if kind == kinds.LEGACY:
                assert (params["kind"], params["path"]) == (old_kind, link)
        assert _json(converted[3][1]) == {
            "nomination_id": _json(converted[0][1])["nomination_id"],
            "category": "Data",
            "cycle": "Spring 2026",
            "withdrawn_by": "Ada",
            "reason": "Wrong category.",
        }
        assert _json(converted[11][1])["ends_on"] == "2026-06-30"
        assert _json(converted[11][1])["evidence_count"] == 3

        command.downgrade(alembic_config(empty_database), BEFORE)
        with engine.connect() as conn:
            restored = conn.execute(
                sa.text("SELECT user_id, kind, message, link FROM notifications ORDER BY id")
            ).all()
        assert [tuple(row) for row in restored] == [row[:4] for row in seeded]
    finally:
        engine.dispose()
