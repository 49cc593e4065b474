"""What a request keeps: a failed login's audit entry although it answers 400
(``uow.keep``), and nothing a refused operation flushed, even behind a redirect."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nominee import audit, uow
from nominee.accounts import services
from nominee.audit import AuditEvent
from nominee.errors import PermissionDenied
from tests.factories import PASSWORD


def actions(db) -> list[str]:
    return list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


@pytest.fixture
def probe(app):
    """Routes that write an audit entry and answer 400, keeping it or not."""

    def route(rule: str, *steps):
        def view():
            audit.record(uow.get_session(), None, "probe.written", object_type="probe")
            for step in steps:
                step()
            return "refused", 400

        app.add_url_rule(rule, rule.strip("/"), view, methods=["POST"])

    route("/probe/plain")
    route("/probe/kept", uow.keep)
    route("/probe/kept-then-refused", uow.keep, uow.refuse)
    return app.test_client()


@pytest.mark.parametrize(
    ("path", "kept"),
    [("/probe/plain", False), ("/probe/kept", True), ("/probe/kept-then-refused", False)],
)
def test_an_error_answer_commits_only_what_is_kept(probe, db, path, kept):
    assert probe.post(path).status_code == 400
    assert actions(db) == (["probe.written"] if kept else [])


def test_a_failed_login_keeps_its_audit_entry_only(client, make, db):
    ada = make.user(email="ada@example.org")
    response = client.post("/login", data={"email": ada.email, "password": "wrong wrong"})
    assert response.status_code == 400
    assert actions(db) == ["login.failed"]
    db.refresh(ada)
    assert ada.last_login_at is None


def test_a_refused_role_change_commits_nothing_behind_its_redirect(
    client, make, auth, db, monkeypatch
):
    organizer = make.organizer()
    member = make.user()
    auth.login(organizer)
    before = actions(db)

    def change_role_then_refuse(session, actor, target, role):
        audit.record(session, actor, "account.role_changed", target, after={"role": role})
        session.flush()
        raise PermissionDenied("No.")

    monkeypatch.setattr(services, "change_role", change_role_then_refuse)
    response = client.post(
        f"/admin/accounts/{member.id}/role", data={"role": "reviewer", "current_password": PASSWORD}
    )
    assert response.status_code == 302
    assert actions(db) == before
