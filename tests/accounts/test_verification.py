"""Email verification, and registration that does not tell whether an address is taken."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from nominee import clock, create_app
from nominee.accounts import rules
from nominee.accounts.models import User
from nominee.cycles.models import CycleStatus
from nominee.endorsements.models import Endorsement
from nominee.errors import DomainError, PermissionDenied
from nominee.extensions import limiter
from nominee.mail.tokens import Purpose, make_token
from nominee.nominations import services as nominations
from nominee.reviews import services as reviews
from tests.accounts.helpers import account_mail, last_link
from tests.conftest import BASE_CONFIG
from tests.factories import PASSWORD

NEWCOMER = {"display_name": "Sam", "email": "sam@example.org", "password": "a long enough phrase"}


def register(client, **data):
    return client.post("/register", data={**NEWCOMER, **data})


def endorse(client, contribution):
    return client.post(f"/contributions/{contribution.id}/endorse", data={"comment": ""})


def test_registering_answers_check_your_inbox_and_mails_a_link(client, db):
    response = register(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/check-inbox?after=registering"
    user = db.scalar(select(User).where(User.email == "sam@example.org"))
    assert user is not None and user.email_verified_at is None
    # Nobody is logged in by registering: a taken address could not answer the same.
    assert client.get("/account/profile").status_code == 302
    (mail,) = account_mail(db)
    assert mail["user_id"] == user.id and mail["template"] == "verify_email"
    assert mail["params"]["link"].startswith("/verify/")
    assert mail["params"]["address"] == "sam@example.org"
    assert "to" not in mail
    page = client.get(response.headers["Location"])
    assert "Check your inbox" in page.text


def test_a_taken_address_answers_exactly_as_a_free_one(app, make, db):
    owner = make.user(email="taken@example.org", display_name="Owner")
    answers = []
    for email in ("TAKEN@example.org", "free@example.org"):
        client = app.test_client()
        response = register(client, email=email)
        page = client.get(response.headers["Location"])
        answers.append(
            (
                response.status_code,
                response.headers["Location"],
                sorted(c.key for c in client._cookies.values()),
                page.status_code,
                page.text,
            )
        )
    assert answers[0] == answers[1]
    assert db.scalar(select(func.count()).where(User.email == "taken@example.org")) == 1
    taken, verify = account_mail(db)
    assert taken["user_id"] == owner.id and taken["template"] == "address_taken"
    assert taken["params"] == {"login_link": "/login", "reset_link": "/password/forgot"}
    assert verify["template"] == "verify_email"


def test_registration_still_refuses_a_bad_password_next_to_its_field(client, make, db):
    make.user(email="taken@example.org")
    for email in ("taken@example.org", "free@example.org"):
        response = register(client, email=email, password="password123")
        assert response.status_code == 400
        assert "This password is too common" in response.text
    assert account_mail(db) == []


def test_unverified_member_logs_in_and_logs_work_but_cannot_endorse(client, auth, make, db):
    sam = make.user(email_verified_at=None)
    contribution = make.contribution(title="Window functions")
    assert auth.login(sam).status_code == 302
    assert client.get("/contributions/new").status_code in (200, 302)
    page = client.get(f"/contributions/{contribution.id}")
    assert "Send the link again" in page.text
    assert ">Endorse</button>" not in page.text
    response = endorse(client, contribution)
    assert response.status_code == 403
    assert "Confirm your email address before you endorse" in response.text
    assert db.scalar(select(func.count()).select_from(Endorsement)) == 0


def test_following_the_link_confirms_and_then_endorsing_works(app, client, make, db):
    contribution = make.contribution()
    register(client)
    link = last_link(db, "verify_email")
    page = client.get(link)
    assert page.status_code == 200 and "Confirm my address" in page.text
    response = client.post(link)
    # Confirming logs nobody in: the one who registered the address may not be its owner.
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "confirmed. Log in with your password" in client.get("/login").text
    assert client.get("/account/profile").status_code == 302
    sam = db.scalar(select(User).where(User.email == "sam@example.org"))
    db.refresh(sam)
    assert sam.email_verified_at is not None
    client.post("/login", data={"email": NEWCOMER["email"], "password": NEWCOMER["password"]})
    assert endorse(client, contribution).status_code == 302
    assert db.scalar(select(func.count()).select_from(Endorsement)) == 1


def test_a_link_serves_once(app, client, db):
    register(client)
    link = last_link(db, "verify_email")
    client.post(link)
    again = app.test_client()
    response = again.post(link)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "already confirmed" in again.get("/login").text
    assert again.get("/account/profile").status_code == 302  # the second use logs nobody in


def test_a_link_for_an_address_left_since_is_refused(client, auth, make, db):
    sam = make.user(email="sam@example.org", email_verified_at=None)
    token = make_token(
        BASE_CONFIG["SECRET_KEY"], Purpose.VERIFY_EMAIL, {"u": sam.id, "e": "sam@example.org"}
    )
    auth.login(sam)
    data = {"email": "sam@elsewhere.org", "current_password": PASSWORD}
    assert client.post("/account/email", data=data).status_code == 302
    response = client.post(f"/verify/{token}")
    assert response.status_code == 400
    assert "for an address your account no longer uses" in response.text
    db.refresh(sam)
    assert sam.email_verified_at is None


def test_expired_and_forged_links_are_refused(client, db):
    register(client)
    link = last_link(db, "verify_email")
    with clock.as_of(clock.now() + rules.VERIFY_LINK_LIFETIME + timedelta(minutes=1)):
        expired = client.get(link)
    assert expired.status_code == 400 and "This link has expired" in expired.text
    forged = client.get(link[:-3] + "abc")
    assert forged.status_code == 400 and "This link is not valid" in forged.text


def test_changing_the_address_asks_to_verify_it_and_tells_the_old_one(client, auth, make, db):
    sam = make.user(email="sam@example.org", display_name="Sam")
    auth.login(sam)
    data = {"email": "Sam@Elsewhere.org", "current_password": PASSWORD}
    response = client.post("/account/email", data=data)
    assert response.status_code == 302
    db.refresh(sam)
    assert (sam.email, sam.email_verified_at) == ("sam@elsewhere.org", None)
    notice, verify = account_mail(db)
    assert notice["template"] == "security_notice" and notice["to"] == "sam@example.org"
    assert notice["params"]["change"] == "email"
    assert notice["params"]["new_address"] == "sam@elsewhere.org"
    assert verify["template"] == "verify_email" and "to" not in verify
    assert verify["params"]["address"] == "sam@elsewhere.org"
    assert "Send the link again" in client.get("/account/profile").text


def test_send_the_link_again(client, auth, make, db):
    sam = make.user(email_verified_at=None)
    auth.login(sam)
    response = client.post("/account/verify/resend", data={"next": "/account/profile"})
    assert response.headers["Location"] == "/account/profile"
    assert len(account_mail(db, "verify_email")) == 1
    assert "We sent a new link" in client.get("/account/profile").text


def test_send_the_link_again_when_confirmed_sends_nothing(client, auth, make, db):
    auth.login(make.user())
    client.post("/account/verify/resend")
    assert account_mail(db) == []
    assert "already confirmed" in client.get("/").text


@pytest.fixture
def configured(app, database_url, connection):
    """An app with other settings on the test's connection (one global limiter: reset)."""
    made = []

    def configure(**config):
        other = create_app({**BASE_CONFIG, "DATABASE_URL": database_url, **config})
        other.extensions["nominee.sessionmaker"] = sessionmaker(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        limiter.reset()
        made.append(other)
        return other

    yield configure
    limiter.reset()
    for other in made:
        other.extensions["nominee.engine"].dispose()


def test_send_the_link_again_is_rate_limited(configured, make, db):
    app = configured(RATELIMIT_ENABLED=True, RATELIMIT_VERIFY_RESEND="2 per minute")
    client = app.test_client()
    sam = make.user(email_verified_at=None)
    client.post("/login", data={"email": sam.email, "password": PASSWORD})
    answers = [client.post("/account/verify/resend").status_code for _ in range(3)]
    assert answers == [302, 302, 429]
    assert len(account_mail(db, "verify_email")) == 2


def test_the_rate_limit_page_says_how_long_to_wait(configured, make):
    app = configured(RATELIMIT_ENABLED=True, RATELIMIT_VERIFY_RESEND="1 per 15 minutes")
    client = app.test_client()
    sam = make.user(email_verified_at=None)
    client.post("/login", data={"email": sam.email, "password": PASSWORD})
    client.post("/account/verify/resend")
    refused = client.post("/account/verify/resend")
    assert refused.status_code == 429
    assert "Please wait up to 15 minutes before trying again." in refused.text
    assert "wait a minute" not in refused.text


def test_without_require_verified_email_the_unverified_may_endorse(configured, make, db):
    app = configured(REQUIRE_VERIFIED_EMAIL=False)
    client = app.test_client()
    sam = make.user(email_verified_at=None)
    client.post("/login", data={"email": sam.email, "password": PASSWORD})
    assert endorse(client, make.contribution()).status_code == 302
    assert db.scalar(select(func.count()).select_from(Endorsement)) == 1


def test_the_rule_follows_the_setting(make):
    sam = make.user(email_verified_at=None)
    assert rules.must_be_verified(sam, "endorse")
    token = rules.verification_required.set(False)
    try:
        assert rules.must_be_verified(sam, "endorse") is None
    finally:
        rules.verification_required.reset(token)
    assert rules.must_be_verified(make.user(), "endorse") is None


def test_the_unverified_cannot_nominate(client, auth, make, db):
    sam = make.user(email_verified_at=None)
    cycle = make.cycle(status=CycleStatus.OPEN)
    with pytest.raises(PermissionDenied, match="before you nominate"):
        nominations.nominate(
            db,
            sam,
            cycle,
            category_id=cycle.categories[0].id,
            nominee_id=make.user().id,
            statement_md="x" * 200,
        )
    auth.login(sam)
    page = client.get(f"/cycles/{cycle.id}")
    assert "Send the link again" in page.text
    assert "Nominate yourself or a peer</a>" not in page.text
    assert client.get(f"/cycles/{cycle.id}/nominate").status_code == 403


def test_the_unverified_cannot_be_appointed_a_reviewer(make, db):
    organizer = make.organizer()
    cycle = make.cycle()
    rita = make.reviewer(display_name="Rita", email_verified_at=None)
    with pytest.raises(DomainError, match="Rita has not confirmed their email address"):
        reviews.appoint(db, organizer, cycle, rita, None)
    rita.email_verified_at = clock.now()
    assert reviews.appoint(db, organizer, cycle, rita, None).reviewer_id == rita.id
