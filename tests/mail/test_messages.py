"""Messages from templates: headers, both parts, absolute links, the four account mails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.headerregistry import Address

import pytest
from jinja2 import UndefinedError

from nominee import clock
from nominee.mail.messages import absolute_url, build, environment, format_duration
from nominee.mail.settings import MailSettings

SETTINGS = MailSettings(
    sender="Nominee <nominee@nominee.example>", base_url="https://nominee.example/app"
)
CHANGED_AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
ACCOUNT_MAILS = {
    "verify_email": {"name": "Ada", "link": "/verify/t", "expires_in": timedelta(days=2)},
    "password_reset": {"name": "Ada", "link": "/reset/t", "expires_in": timedelta(hours=1)},
    "address_taken": {"name": "Ada", "login_link": "/login", "reset_link": "/reset"},
    "security_notice": {
        "name": "Ada", "change": "password", "changed_at": CHANGED_AT, "reset_link": "/reset",
    },
}  # fmt: skip


def parts(message) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_headers_and_both_parts():
    with clock.as_of(CHANGED_AT):
        message = build(
            SETTINGS, "password_reset", Address("Ada <b>", addr_spec="ada@example.org"),
            ACCOUNT_MAILS["password_reset"],
        )  # fmt: skip
    assert message.get_content_type() == "multipart/alternative"
    assert message["From"] == "Nominee <nominee@nominee.example>"
    assert message["To"] == '"Ada <b>" <ada@example.org>'
    assert message["Subject"] == "Reset your Nominee password"
    assert message["Date"] == "Sun, 01 Mar 2026 09:30:00 +0000"
    assert message["Message-ID"].endswith("@nominee.example>")
    assert message["Auto-Submitted"] == "auto-generated"
    assert "List-Unsubscribe" not in message
    text, html = parts(message)
    assert "https://nominee.example/app/reset/t" in text
    assert "expires in 1 hour" in text
    assert "If it wasn't you, ignore this message" in text
    assert "<a href" not in text
    assert html.startswith("<!DOCTYPE html>")
    assert 'href="https://nominee.example/app/reset/t"' in html
    assert '<meta name="color-scheme" content="light dark">' in html
    assert "<title>Reset your Nominee password</title>" in html


def test_html_escapes_and_text_does_not():
    context = {**ACCOUNT_MAILS["password_reset"], "name": "<Ada & Bob>"}
    text, html = parts(build(SETTINGS, "password_reset", "ada@example.org", context))
    assert "Hello <Ada & Bob>," in text
    assert "Hello &lt;Ada &amp; Bob&gt;," in html


def test_unsubscribe_link_in_headers_and_footers():
    message = build(
        SETTINGS, "verify_email", "ada@example.org", ACCOUNT_MAILS["verify_email"],
        unsubscribe_url="https://nominee.example/app/unsubscribe/tok",
    )  # fmt: skip
    assert message["List-Unsubscribe"] == "<https://nominee.example/app/unsubscribe/tok>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_layout_footers_carry_the_unsubscribe_link():
    # The account mails say why they are sent instead; a mail a member can turn off
    # keeps the layout's footer, with the link.
    values = {"base_url": SETTINGS.base_url, "unsubscribe_url": "https://n.example/u/tok"}
    env = environment()
    text = env.from_string(
        '{% extends "mail/_layout.txt" %}{% block body %}Hi{% endblock %}'
    ).render(values)
    html = env.from_string(
        '{% extends "mail/_layout.html" %}{% block body %}Hi{% endblock %}'
    ).render(values, subject="Hi")
    assert "Stop receiving these messages: https://n.example/u/tok" in text
    assert '<a href="https://n.example/u/tok"' in html


@pytest.mark.parametrize("name", sorted(ACCOUNT_MAILS))
def test_each_account_mail_renders_its_links(name):
    text, html = parts(build(SETTINGS, name, "ada@example.org", ACCOUNT_MAILS[name]))
    links = [v for k, v in ACCOUNT_MAILS[name].items() if k.endswith("link")]
    for link in links:
        assert f"https://nominee.example/app{link}" in text
        assert f'href="https://nominee.example/app{link}"' in html
    assert "Hello Ada," in text and "Hello Ada," in html
    assert "Stop receiving" not in text  # about the account's security: cannot be turned off


def test_security_notice_names_the_change():
    context = {**ACCOUNT_MAILS["security_notice"], "change": "email", "new_address": "n@x.org"}
    message = build(SETTINGS, "security_notice", "old@example.org", context)
    assert message["Subject"] == "The email address of your Nominee account was changed"
    text, _ = parts(message)
    assert "On 1 Mar 2026, 09:30 UTC, the email address" in text
    assert "changed to n@x.org" in text


def test_a_missing_value_is_an_error_not_a_gap():
    with pytest.raises(UndefinedError):
        build(SETTINGS, "password_reset", "ada@example.org", {"name": "Ada"})


@pytest.mark.parametrize(
    ("link", "url"),
    [
        ("/verify/x", "https://nominee.example/app/verify/x"),
        ("verify/x", "https://nominee.example/app/verify/x"),
        ("https://elsewhere.example/x", "https://elsewhere.example/x"),
    ],
)
def test_absolute_url(link, url):
    assert absolute_url("https://nominee.example/app/", link) == url


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (timedelta(hours=1), "1 hour"),
        (timedelta(minutes=90), "90 minutes"),
        (timedelta(hours=48), "2 days"),
        (timedelta(hours=36), "36 hours"),
        (timedelta(seconds=45), "45 seconds"),
    ],
)
def test_format_duration(value, words):
    assert format_duration(value) == words
