"""Logins, refusals and role changes land in the audit log, which organizers read;
a role change or deactivation ends the account's sessions at once."""

from __future__ import annotations

from sqlalchemy import select

from nominee.accounts.models import Role
from nominee.audit import AuditEvent
from tests.factories import PASSWORD


def events(db, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_failed_logins_are_audited_without_the_password_tried(app, db, make):
    ada = make.user(email="ada@example.org")
    gone = make.user(email="gone@example.org", is_active_account=False)
    client = app.test_client()
    client.post("/login", data={"email": "ada@example.org", "password": "guess-one-two"})
    client.post("/login", data={"email": "who@example.org", "password": "guess-three-four"})
    client.post("/login", data={"email": "gone@example.org", "password": PASSWORD})
    failed = events(db, "login.failed")
    assert [(e.actor_id, e.after["email"], e.after["inactive"]) for e in failed] == [
        (ada.id, "ada@example.org", False),
        (None, "who@example.org", False),
        (gone.id, "gone@example.org", True),
    ]
    assert all(e.ip_address == "127.0.0.1" for e in failed)
    stored = " ".join(f"{e.before} {e.after}" for e in db.scalars(select(AuditEvent)))
    assert "guess" not in stored and PASSWORD not in stored


def test_successful_login_is_audited(app, db, make):
    ada = make.user()
    app.test_client().post("/login", data={"email": ada.email, "password": PASSWORD})
    (event,) = events(db, "login.succeeded")
    assert event.actor_id == ada.id and event.object_id == ada.id


def test_organizers_read_logins_refusals_and_role_changes(as_user, db, make):
    organizer = make.organizer()
    member = make.user(display_name="Curious Member")
    as_member = as_user(member)
    assert as_member.get("/admin/accounts").status_code == 403
    assert as_member.post(f"/admin/accounts/{member.id}/role", data={}).status_code == 403
    as_user().post("/login", data={"email": member.email, "password": "not it at all"})
    as_organizer = as_user(organizer)
    as_organizer.post(
        f"/admin/accounts/{member.id}/role", data={"role": "reviewer", "current_password": PASSWORD}
    )
    denied = events(db, "access.denied")
    assert [(e.actor_id, e.after) for e in denied] == [
        (member.id, {"path": "/admin/accounts", "method": "GET", "route": "/admin/accounts"}),
        (
            member.id,
            {
                "path": f"/admin/accounts/{member.id}/role",
                "method": "POST",
                "route": "/admin/accounts/<int:user_id>/role",
            },
        ),
    ]
    page = as_organizer.get("/admin/audit").text
    for action in ("access.denied", "login.failed", "account.role_changed"):
        assert f"<code>{action}</code>" in page, action
    assert f"/admin/accounts/{member.id}/role" in page
    assert "Curious Member" in page


def test_role_change_ends_the_accounts_sessions(as_user, db, make):
    """A demoted reviewer's open session does not keep the reviewer's rights."""
    organizer, reviewer = make.organizer(), make.reviewer()
    as_reviewer = as_user(reviewer)
    assert as_reviewer.get("/review").status_code == 200
    as_user(organizer).post(
        f"/admin/accounts/{reviewer.id}/role", data={"role": "member", "current_password": PASSWORD}
    )
    db.refresh(reviewer)
    assert reviewer.role is Role.MEMBER
    response = as_reviewer.get("/review")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    (event,) = events(db, "account.role_changed")
    assert event.actor_id == organizer.id
    assert (event.before, event.after) == ({"role": "reviewer"}, {"role": "member"})


def test_deactivation_is_audited_and_ends_remember_me_too(app, as_user, db, make):
    organizer, member = make.organizer(), make.user()
    remembered = app.test_client()
    remembered.post("/login", data={"email": member.email, "password": PASSWORD, "remember": "y"})
    cookie = remembered.get_cookie("remember_token").value
    as_user(organizer).post(f"/admin/accounts/{member.id}/active", data={"active": "0"})
    replay = app.test_client()
    replay.set_cookie("remember_token", cookie)
    assert replay.get("/account/profile").status_code == 302
    (event,) = events(db, "account.deactivated")
    assert event.actor_id == organizer.id and event.object_id == member.id
    assert (event.before, event.after) == ({"active": True}, {"active": False})


def test_password_change_ends_remember_me_elsewhere(app, make):
    member = make.user()
    laptop, phone = app.test_client(), app.test_client()
    for client in (laptop, phone):
        client.post("/login", data={"email": member.email, "password": PASSWORD, "remember": "y"})
    cookie = phone.get_cookie("remember_token").value
    laptop.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "another long passphrase"},
    )
    replay = app.test_client()
    replay.set_cookie("remember_token", cookie)
    assert replay.get("/account/profile").status_code == 302
    assert laptop.get("/account/profile").status_code == 200


def test_promotion_from_the_shell_is_audited(runner, db, make):
    member = make.user(email="m@example.org")
    runner.invoke(args=["create-organizer", "m@example.org"])
    (event,) = events(db, "account.role_changed")
    assert event.actor_id is None and event.object_id == member.id
    assert (event.before, event.after) == ({"role": "member"}, {"role": "organizer"})
