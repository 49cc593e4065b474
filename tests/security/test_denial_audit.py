"""Refused organizer pages are audited at most once per account, route and minute, across
workers (the database decides), so reloading or probing ids cannot flood the audit log."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from nominee import clock, create_app
from nominee.audit import AuditEvent
from tests.conftest import BASE_CONFIG
from tests.factories import Factory
from tests.security.helpers import client_for


def denials(session) -> list[tuple[int, str, str]]:
    rows = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "access.denied").order_by(AuditEvent.id)
    )
    return [(e.actor_id, e.after["path"], e.after["method"]) for e in rows]


def test_one_row_per_account_route_and_minute(app, db, make):
    member, other = make.user(), make.user()
    target = make.user()
    as_member = client_for(app, member)
    for _ in range(3):
        assert as_member.get("/admin/accounts").status_code == 403
    # Another user id is the same route.
    for user in (member, other, target):
        path = f"/admin/accounts/{user.id}/role"
        assert as_member.post(path, data={}).status_code == 403
    assert client_for(app, other).get("/admin/accounts").status_code == 403
    assert denials(db) == [
        (member.id, "/admin/accounts", "GET"),
        (member.id, f"/admin/accounts/{member.id}/role", "POST"),
        (other.id, "/admin/accounts", "GET"),
    ]
    # A minute later the next refusal is written again.
    db.execute(update(AuditEvent).values(created_at=clock.now() - timedelta(seconds=61)))
    assert as_member.get("/admin/accounts").status_code == 403
    assert len(denials(db)) == 4


def test_the_minute_is_shared_by_every_worker(committing_app, database_url):
    """Two app instances (two workers) on one database: one row between them."""
    other_worker = create_app({**BASE_CONFIG, "DATABASE_URL": database_url})
    try:
        engine = committing_app.extensions["nominee.engine"]
        with Session(engine, expire_on_commit=False) as session:
            member = Factory(session).user()
            session.commit()
        for app in (committing_app, other_worker, committing_app):
            assert client_for(app, member).get("/admin/categories/").status_code == 403
        with Session(engine) as session:
            assert denials(session) == [(member.id, "/admin/categories/", "GET")]
    finally:
        other_worker.extensions["nominee.engine"].dispose()
