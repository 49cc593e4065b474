from __future__ import annotations

from sqlalchemy import func, select

from nominee.accounts.models import Role, User
from nominee.audit import AuditEvent
from tests.factories import PASSWORD


def register(client, email="ada@example.org", password="a long enough phrase", name="Ada"):
    return client.post(
        "/register", data={"display_name": name, "email": email, "password": password}
    )


def actions(db, action: str) -> list[AuditEvent]:
    return db.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_first_account_becomes_organizer_then_members(client, db):
    assert register(client).status_code == 302
    client.post("/logout")
    assert register(client, email="bob@example.org", name="Bob").status_code == 302
    roles = {u.email: u.role for u in db.scalars(select(User))}
    assert roles == {"ada@example.org": Role.ORGANIZER, "bob@example.org": Role.MEMBER}
    assert len(actions(db, "account.registered")) == 2


def test_register_email_unique_case_insensitively(client, make, db):
    """A taken address (in any case) makes no account and is not told apart: the
    answer is the one a free address gets (see test_verification.py)."""
    make.user(email="ada@example.org")
    response = register(client, email="ADA@Example.org")
    assert response.status_code == 302
    assert response.headers["Location"] == "/check-inbox?after=registering"
    assert db.scalar(select(func.count()).select_from(User)) == 1


def test_register_validation_messages_next_to_fields(client, db):
    response = client.post(
        "/register", data={"display_name": "", "email": "nope", "password": "short"}
    )
    assert response.status_code == 400
    assert 'id="display_name-error"' in response.text
    assert 'id="email-error"' in response.text
    assert "Enter an email address, such as name@example.org." in response.text
    assert "Between 8 and 128 characters." in response.text
    assert db.scalar(select(User)) is None


def test_register_refuses_common_password(client, db):
    response = register(client, password="password123")
    assert "This password is too common" in response.text
    assert db.scalar(select(User)) is None


def test_register_accepts_long_passwords_up_to_128(client, db):
    assert register(client, password="x" * 127 + "y").status_code == 302
    client.post("/logout")
    response = register(client, email="long@example.org", password="x" * 129)
    assert response.status_code == 400


def test_login_wrong_password_and_unknown_email_same_message(client, make, db):
    make.user(email="ada@example.org")
    wrong = client.post("/login", data={"email": "ada@example.org", "password": "nope nope nope"})
    unknown = client.post("/login", data={"email": "who@example.org", "password": "nope nope nope"})
    assert wrong.status_code == unknown.status_code == 400
    assert "Wrong email or password." in wrong.text
    assert "Wrong email or password." in unknown.text
    assert len(actions(db, "login.failed")) == 2


def test_login_honours_local_next_only(client, make):
    make.user(email="ada@example.org")
    ok = client.post(
        "/login?next=/account/profile",
        data={"email": "ada@example.org", "password": PASSWORD, "next": "/account/profile"},
    )
    assert ok.headers["Location"] == "/account/profile"
    client.post("/logout")
    evil = client.post(
        "/login", data={"email": "ada@example.org", "password": PASSWORD, "next": "//evil.example"}
    )
    assert evil.headers["Location"] == "/"


def test_login_email_case_insensitive_and_audited(client, make, db):
    make.user(email="ada@example.org")
    assert (
        client.post("/login", data={"email": "ADA@example.org", "password": PASSWORD}).status_code
        == 302
    )
    assert len(actions(db, "login.succeeded")) == 1


def test_logout_is_post_only_and_kills_old_session_cookie(client, make, auth):
    user = make.user()
    auth.login(user)
    assert client.get("/logout").status_code == 405
    cookie = client.get_cookie("session")
    assert client.get("/account/profile").status_code == 200
    auth.logout()
    # Replaying the cookie captured before logout must not log anybody in.
    client.set_cookie("session", cookie.value)
    response = client.get("/account/profile")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_remember_cookie_stops_working_after_logout(app, make):
    user = make.user()
    first = app.test_client()
    first.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    remember = first.get_cookie("remember_token")
    assert remember is not None
    other = app.test_client()
    other.set_cookie("remember_token", remember.value)
    assert other.get("/account/profile").status_code == 200
    first.post("/logout")
    replay = app.test_client()
    replay.set_cookie("remember_token", remember.value)
    assert replay.get("/account/profile").status_code == 302


def test_profile_edit_renders_markdown_sanitised(client, make, auth, db):
    user = make.user()
    category = make.category(name="Data Platform")
    auth.login(user)
    response = client.post(
        "/account/profile",
        data={
            "display_name": "Ada L.",
            "bio_md": "I **love** SQL <script>alert(1)</script> [x](javascript:alert(1))",
            "location": "London",
            "link1": "https://ada.example.org",
            "primary_category_id": category.id,
        },
    )
    assert response.status_code == 302
    db.refresh(user)
    assert user.display_name == "Ada L."
    assert "<strong>love</strong>" in user.bio_html
    assert "<script" not in user.bio_html
    assert 'href="javascript' not in user.bio_html
    assert user.links == ["https://ada.example.org"]
    assert user.primary_category_id == category.id


def test_profile_rejects_non_http_link(client, make, auth):
    auth.login(make.user())
    response = client.post(
        "/account/profile", data={"display_name": "Ada", "link1": "javascript:alert(1)"}
    )
    assert response.status_code == 400
    assert (
        "Enter a web address" in response.text
        or "Use an http:// or https:// address." in response.text
    )


def test_change_password_requires_current_and_logs_out_elsewhere(app, make, db):
    user = make.user()
    laptop, phone = app.test_client(), app.test_client()
    for c in (laptop, phone):
        c.post("/login", data={"email": user.email, "password": PASSWORD})
    wrong = laptop.post(
        "/account/password", data={"current_password": "wrong", "new_password": "a new long phrase"}
    )
    assert "The current password is not correct." in wrong.text
    ok = laptop.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "a new long phrase"},
    )
    assert ok.status_code == 302
    assert laptop.get("/account/profile").status_code == 200
    assert phone.get("/account/profile").status_code == 302
    assert len(actions(db, "account.password_changed")) == 1


def test_change_email_requires_password(client, make, auth, db):
    user = make.user()
    auth.login(user)
    response = client.post(
        "/account/email", data={"email": "new@example.org", "current_password": "x"}
    )
    assert "The current password is not correct." in response.text
    client.post("/account/email", data={"email": "New@example.org", "current_password": PASSWORD})
    db.refresh(user)
    assert user.email == "new@example.org"


def test_organizer_changes_role_with_password_and_audit(client, make, auth, db):
    organizer = make.organizer()
    member = make.user()
    auth.login(organizer)
    client.post(
        f"/admin/accounts/{member.id}/role", data={"role": "reviewer", "current_password": "x"}
    )
    db.refresh(member)
    assert member.role is Role.MEMBER
    client.post(
        f"/admin/accounts/{member.id}/role", data={"role": "reviewer", "current_password": PASSWORD}
    )
    db.refresh(member)
    assert member.role is Role.REVIEWER
    (event,) = actions(db, "account.role_changed")
    assert event.before == {"role": "member"} and event.after == {"role": "reviewer"}


def test_member_cannot_reach_account_admin(client, make, auth, db):
    member = make.user()
    other = make.user()
    auth.login(member)
    assert client.get("/admin/accounts").status_code == 403
    response = client.post(
        f"/admin/accounts/{other.id}/role", data={"role": "organizer", "current_password": PASSWORD}
    )
    assert response.status_code == 403
    db.refresh(other)
    assert other.role is Role.MEMBER
    assert actions(db, "access.denied")


def test_deactivated_member_cannot_log_in_and_session_ends(app, make, db):
    organizer, member = make.organizer(), make.user()
    org_client, member_client = app.test_client(), app.test_client()
    org_client.post("/login", data={"email": organizer.email, "password": PASSWORD})
    member_client.post("/login", data={"email": member.email, "password": PASSWORD})
    org_client.post(f"/admin/accounts/{member.id}/active", data={"active": "0"})
    assert member_client.get("/account/profile").status_code == 302
    again = app.test_client().post("/login", data={"email": member.email, "password": PASSWORD})
    assert "Wrong email or password." in again.text
    org_client.post(f"/admin/accounts/{member.id}/active", data={"active": "1"})
    again = app.test_client().post("/login", data={"email": member.email, "password": PASSWORD})
    assert again.status_code == 302


def test_organizer_cannot_demote_self(client, make, auth, db):
    organizer = make.organizer()
    auth.login(organizer)
    response = client.post(
        f"/admin/accounts/{organizer.id}/role",
        data={"role": "member", "current_password": PASSWORD},
        follow_redirects=True,
    )
    assert "You cannot change this account&#39;s role." in response.text
    db.refresh(organizer)
    assert organizer.role is Role.ORGANIZER


def test_accounts_list_search(client, make, auth):
    auth.login(make.organizer())
    make.user(display_name="Grace Hopper", email="grace@example.org")
    make.user(display_name="Alan Turing", email="alan@example.org")
    response = client.get("/admin/accounts?q=grace")
    assert "Grace Hopper" in response.text
    assert "Alan Turing" not in response.text


def test_create_organizer_cli(runner, db, make):
    result = runner.invoke(
        args=["create-organizer", "Boss@example.org", "--password", "a long phrase here"]
    )
    assert "Created organizer boss@example.org" in result.output
    member = make.user(email="m@example.org")
    result = runner.invoke(args=["create-organizer", "m@example.org"])
    assert "Promoted organizer m@example.org" in result.output
    db.refresh(member)
    assert member.role is Role.ORGANIZER


def test_profile_sets_other_categories_shown_on_the_member_page(client, make, auth, db):
    user = make.user()
    data_platform, web = make.category(name="Data Platform"), make.category(name="Web")
    auth.login(user)
    response = client.post(
        "/account/profile",
        data={"display_name": "Ada", "category_ids": [data_platform.id, web.id]},
    )
    assert response.status_code == 302
    db.refresh(user)
    assert {c.name for c in user.categories} == {"Data Platform", "Web"}
    page = client.get(f"/members/{user.id}").text
    assert "Data Platform" in page and "Web" in page


def test_profile_refuses_a_retired_category_and_changes_nothing(client, make, auth, db):
    user = make.user(display_name="Ada")
    retired = make.category(name="Old Stack", retired=True)
    auth.login(user)
    response = client.post(
        "/account/profile", data={"display_name": "Ada Renamed", "category_ids": [retired.id]}
    )
    assert response.status_code == 400
    assert f"&#39;{retired.id}&#39; is not a valid choice for this field." in response.text
    assert 'aria-invalid="true" id="category_ids"' in response.text
    db.refresh(user)
    assert user.display_name == "Ada"
    assert user.categories == []


def test_profile_takes_five_links_in_order(client, make, auth, db):
    user = make.user()
    auth.login(user)
    links = {f"link{n}": f"https://example.org/{n}" for n in range(1, 6)}
    response = client.post("/account/profile", data={"display_name": "Ada", **links})
    assert response.status_code == 302
    db.refresh(user)
    assert user.links == [f"https://example.org/{n}" for n in range(1, 6)]
    form = client.get("/account/profile").text
    assert 'name="link5"' in form and 'name="link6"' not in form
