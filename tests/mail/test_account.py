"""The ``mail.account`` handler: each account message from its outbox row."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nominee.jobs.handlers import account_mail
from nominee.mail.account import TOPIC, messages_for
from nominee.mail.settings import MailSettings

SETTINGS = MailSettings(
    sender="Nominee <nominee@nominee.example>", base_url="https://nominee.example"
)


def parts(message) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def row(user, template, params, **extra):
    return {"user_id": user.id, "template": template, "params": params, **extra}


def test_verification_mail(make, db):
    sam = make.user(email="sam@example.org", display_name="Sam", email_verified_at=None)
    payload = row(sam, "verify_email", {"link": "/verify/tok", "address": "sam@example.org"})
    (message,) = messages_for(SETTINGS, db, payload)
    assert message["To"] == "Sam <sam@example.org>"  # the name, as in other mail
    assert message["Subject"] == "Confirm your email address"
    assert "List-Unsubscribe" not in message
    text, html = parts(message)
    assert "Hello Sam," in text and "https://nominee.example/verify/tok" in text
    assert 'href="https://nominee.example/verify/tok"' in html
    assert "expires in 3 days" in text


def test_a_verification_for_an_address_left_since_is_not_sent(make, db):
    sam = make.user(email="sam@elsewhere.org")
    payload = row(sam, "verify_email", {"link": "/verify/tok", "address": "sam@example.org"})
    assert messages_for(SETTINGS, db, payload) == []


def test_reset_mail(make, db):
    ada = make.user(email="ada@example.org", display_name="Ada")
    (message,) = messages_for(
        SETTINGS, db, row(ada, "password_reset", {"link": "/password/reset/t"})
    )
    assert message["Subject"] == "Reset your Nominee password"
    text, html = parts(message)
    assert "https://nominee.example/password/reset/t" in text
    assert 'href="https://nominee.example/password/reset/t"' in html
    assert "expires in 1 hour" in text


def test_address_taken_mail(make, db):
    ada = make.user(email="ada@example.org", display_name="Ada")
    params = {"login_link": "/login", "reset_link": "/password/forgot"}
    (message,) = messages_for(SETTINGS, db, row(ada, "address_taken", params))
    assert message["Subject"] == "Someone tried to register with your address"
    text, html = parts(message)
    assert "https://nominee.example/login" in text
    assert "https://nominee.example/password/forgot" in html


def test_security_notice_goes_to_the_address_given(make, db):
    ada = make.user(email="ada@new.example.org", display_name="Ada")
    params = {
        "change": "email",
        "changed_at": datetime(2026, 12, 10, 9, 30, tzinfo=UTC).isoformat(),
        "new_address": "ada@new.example.org",
        "reset_link": "/password/forgot",
    }
    payload = row(ada, "security_notice", params, to="ada@old.example.org")
    (message,) = messages_for(SETTINGS, db, payload)
    assert message["To"] == "ada@old.example.org"
    assert message["Subject"] == "The email address of your Nominee account was changed"
    text, html = parts(message)
    assert "ada@new.example.org" in text and "https://nominee.example/password/forgot" in text
    assert "2026" in text
    password = {**params, "change": "password"}
    (notice,) = messages_for(SETTINGS, db, row(ada, "security_notice", password))
    assert notice["To"] == "Ada <ada@new.example.org>"
    assert notice["Subject"] == "The password of your Nominee account was changed"


def test_nothing_for_an_account_gone_and_an_error_for_an_unknown_template(make, db):
    payload = {"user_id": 999_999, "template": "password_reset", "params": {"link": "/x"}}
    assert messages_for(SETTINGS, db, payload) == []
    with pytest.raises(ValueError, match="unknown template"):
        messages_for(SETTINGS, db, {**payload, "template": "nope"})


def test_the_handler_reads_the_settings_of_the_app(app, make, db):
    sam = make.user(email="sam@example.org", email_verified_at=None)
    app.config["BASE_URL"] = "https://members.example.org"
    payload = row(sam, "verify_email", {"link": "/verify/tok", "address": "sam@example.org"})
    with app.app_context():
        (message,) = account_mail(db, payload)
    assert "https://members.example.org/verify/tok" in parts(message)[0]
    assert TOPIC == "mail.account"


def test_the_rows_the_services_write_build_messages(client, db):
    """From a registration to its mail: the row's link made absolute, working when followed."""
    from tests.accounts.helpers import account_mail

    data = {"display_name": "Sam", "email": "sam@example.org", "password": "a long passphrase"}
    client.post("/register", data=data)
    (payload,) = account_mail(db)
    (message,) = messages_for(SETTINGS, db, payload)
    link = next(w for w in parts(message)[0].split() if w.startswith("https://nominee.example/v"))
    assert client.get(link.removeprefix("https://nominee.example")).status_code == 200
