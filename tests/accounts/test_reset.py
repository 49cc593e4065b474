"""Password reset: the same answer whether or not the address has an account; a link
that serves once, for an hour, voided by a later request or a password change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from nominee import clock, create_app
from nominee.accounts import rules
from nominee.audit import AuditEvent
from nominee.extensions import limiter
from tests.accounts.helpers import account_mail, last_link
from tests.conftest import BASE_CONFIG
from tests.factories import PASSWORD

NEW_PASSWORD = "a brand new passphrase"


def forgot(client, email, **kw):
    return client.post("/password/forgot", data={"email": email}, **kw)


def test_the_login_page_offers_a_reset(client):
    page = client.get("/login")
    assert 'href="/password/forgot"' in page.text
    assert "Forgot your password?" in client.get("/password/forgot").text


def test_the_answer_is_the_same_for_an_account_and_for_nobody(app, make, db):
    ada = make.user(email="ada@example.org")
    answers = []
    for email in ("ADA@example.org", "nobody@example.org"):
        client = app.test_client()
        response = forgot(client, email)
        page = client.get(response.headers["Location"])
        answers.append(
            (
                response.status_code,
                response.headers["Location"],
                response.get_data(),
                sorted(c.key for c in client._cookies.values()),
                page.text,
            )
        )
    assert answers[0] == answers[1]
    assert "If an account uses this address" in answers[0][-1]
    (mail,) = account_mail(db)
    assert mail["user_id"] == ada.id and mail["template"] == "password_reset"
    assert mail["params"]["link"].startswith("/password/reset/")


def test_the_link_sets_a_new_password_and_ends_every_session(app, client, auth, make, db):
    ada = make.user(email="ada@example.org")
    elsewhere = app.test_client()
    elsewhere.post("/login", data={"email": ada.email, "password": PASSWORD})
    assert elsewhere.get("/account/profile").status_code == 200
    forgot(client, "ada@example.org")
    link = last_link(db, "password_reset")
    assert "Choose a new password" in client.get(link).text
    response = client.post(link, data={"new_password": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "every other session of your account has ended" in client.get("/").text
    assert client.get("/account/profile").status_code == 200  # logged in here, anew
    assert elsewhere.get("/account/profile").status_code == 302  # logged out there
    client.post("/logout")
    assert auth.login(ada, password=PASSWORD).status_code == 400
    assert auth.login(ada, password=NEW_PASSWORD).status_code == 302
    notice = account_mail(db, "security_notice")[-1]
    assert notice["user_id"] == ada.id and notice["params"]["change"] == "password"
    assert notice["params"]["reset_link"] == "/password/forgot"
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.object_id == ada.id)).all()
    assert "account.password_reset" in actions


def test_the_link_serves_once(client, make, db):
    make.user(email="ada@example.org")
    forgot(client, "ada@example.org")
    link = last_link(db, "password_reset")
    client.post(link, data={"new_password": NEW_PASSWORD})
    for method in ("get", "post"):
        again = getattr(client, method)(link, data={"new_password": "yet another passphrase"})
        assert again.status_code == 400
        assert "This link was already used" in again.text


def test_a_later_request_voids_the_earlier_link(client, make, db):
    make.user(email="ada@example.org")
    forgot(client, "ada@example.org")
    first = last_link(db, "password_reset")
    forgot(client, "ada@example.org")
    second = last_link(db, "password_reset")
    assert client.get(first).status_code == 400
    assert client.get(second).status_code == 200


def test_a_password_change_voids_the_link(client, auth, make, db):
    ada = make.user(email="ada@example.org")
    forgot(client, "ada@example.org")
    link = last_link(db, "password_reset")
    auth.login(ada)
    data = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert client.post("/account/password", data=data).status_code == 302
    assert client.get(link).status_code == 400
    assert account_mail(db, "security_notice")[-1]["params"]["change"] == "password"


def test_the_link_expires_after_an_hour(client, make, db):
    make.user(email="ada@example.org")
    forgot(client, "ada@example.org")
    link = last_link(db, "password_reset")
    with clock.as_of(clock.now() + rules.RESET_LINK_LIFETIME - timedelta(minutes=1)):
        assert client.get(link).status_code == 200
    with clock.as_of(clock.now() + rules.RESET_LINK_LIFETIME + timedelta(minutes=1)):
        expired = client.get(link)
    assert expired.status_code == 400 and "This link has expired" in expired.text


def test_the_new_password_follows_the_registration_rules(client, make, db):
    make.user(email="ada@example.org")
    forgot(client, "ada@example.org")
    link = last_link(db, "password_reset")
    response = client.post(link, data={"new_password": "password123"})
    assert response.status_code == 400 and "This password is too common" in response.text
    assert client.get(link).status_code == 200  # still usable


def test_a_weak_new_password_is_refused_next_to_its_field(client, make, db):
    make.user(email="ada@example.org")
    forgot(client, "ada@example.org")
    response = client.post(last_link(db, "password_reset"), data={"new_password": "password123"})
    assert '<p class="error" id="new_password-error">This password is too common' in response.text
    assert 'aria-invalid="true"' in response.text


def test_a_reset_confirms_an_unconfirmed_address(client, make, db):
    ada = make.user(email="ada@example.org", email_verified_at=None)
    forgot(client, "ada@example.org")
    client.post(last_link(db, "password_reset"), data={"new_password": NEW_PASSWORD})
    db.refresh(ada)
    assert ada.email_verified_at is not None


def test_a_deactivated_account_gets_no_link(client, make, db):
    make.user(email="ada@example.org", is_active_account=False)
    assert forgot(client, "ada@example.org").status_code == 302
    assert account_mail(db) == []


@pytest.fixture
def limited(app, database_url, connection):
    def configure(**config):
        other = create_app(
            {**BASE_CONFIG, "DATABASE_URL": database_url, "RATELIMIT_ENABLED": True, **config}
        )
        other.extensions["nominee.sessionmaker"] = sessionmaker(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        limiter.reset()
        return other

    yield configure
    limiter.reset()


def test_requests_are_limited_per_address_from_any_client(limited, make, db):
    app = limited(RATELIMIT_RESET="100 per minute", RATELIMIT_RESET_ADDRESS="2 per minute")
    make.user(email="ada@example.org")
    answers = [
        forgot(app.test_client(), "ada@example.org", environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})
        for n in range(3)
    ]
    assert [a.status_code for a in answers] == [302, 302, 429]
    # Another address is not held back by this one's limit.
    assert forgot(app.test_client(), "bob@example.org").status_code == 302
    assert len(account_mail(db)) == 2


def test_requests_are_limited_per_client(limited):
    app = limited(RATELIMIT_RESET="2 per minute", RATELIMIT_RESET_ADDRESS="100 per minute")
    client = app.test_client()
    answers = [forgot(client, f"someone{n}@example.org").status_code for n in range(3)]
    assert answers == [302, 302, 429]
