"""MAIL_URL, MAIL_FROM and BASE_URL as the transports and the builder read them."""

from __future__ import annotations

from pathlib import Path

import pytest

from nominee.mail.settings import MailSettingError, MailSettings, MailURL, parse_mail_url


@pytest.mark.parametrize(
    ("url", "parsed"),
    [
        ("smtp://127.0.0.1:2525", MailURL("smtp", "127.0.0.1", 2525)),
        ("smtp://mail.example.org", MailURL("smtp", "mail.example.org", 25)),
        ("smtps://mail.example.org", MailURL("smtps", "mail.example.org", 465)),
        (
            "smtp://apikey:s3cr%40t%3A%2F@smtp.example.org:587/",
            MailURL("smtp", "smtp.example.org", 587, "apikey", "s3cr@t:/"),
        ),
        (
            "smtps://me%40example.org:pw@[::1]:465",
            MailURL("smtps", "::1", 465, "me@example.org", "pw"),
        ),
    ],
)
def test_parses_mail_urls(url, parsed):
    assert parse_mail_url(url) == parsed


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://mail.example.org", "MAIL_URL must start with smtp:// or smtps://"),
        ("mail.example.org:25", "MAIL_URL must start with smtp:// or smtps://"),
        ("smtp://:25", "MAIL_URL names no host"),
        ("smtp://mail.example.org:port", "MAIL_URL is not a mail server URL"),
        ("smtp://mail.example.org:99999", "MAIL_URL is not a mail server URL"),
        ("smtp://user@mail.example.org", "MAIL_URL needs both a user and a password"),
        ("smtp://mail.example.org/inbox", "MAIL_URL takes no path, query or fragment"),
    ],
)
def test_refuses_malformed_mail_urls(url, reason):
    with pytest.raises(MailSettingError, match=f"^{reason}"):
        parse_mail_url(url)


def test_the_password_is_never_shown():
    with pytest.raises(MailSettingError) as info:
        parse_mail_url("smtp://user:hunter2@mail.example.org/x")
    assert "hunter2" not in str(info.value)
    url = parse_mail_url("smtp://user:hunter2@mail.example.org")
    assert "hunter2" not in str(url) and "hunter2" not in repr(url)


def test_from_config():
    settings = MailSettings.from_config(
        {
            "MAIL_URL": "smtps://u:p@mail.example.org",
            "MAIL_FROM": "Awards <awards@example.org>",
            "MAIL_TIMEOUT": 3,
            "MAIL_FOLDER": "/tmp/outbox",
            "BASE_URL": "https://awards.example.org/",
        }
    )
    assert settings.url == MailURL("smtps", "mail.example.org", 465, "u", "p")
    assert settings.sender == "Awards <awards@example.org>"
    assert settings.message_id_domain == "example.org"
    assert settings.timeout == 3.0
    assert settings.folder == Path("/tmp/outbox")
    assert settings.base_url == "https://awards.example.org"


def test_from_config_defaults_to_the_folder_in_development():
    settings = MailSettings.from_config({})
    assert settings.url is None
    assert settings.sender == "Nominee <nominee@localhost>"
    assert settings.base_url == "http://127.0.0.1:5000"


@pytest.mark.parametrize(
    ("config", "reason"),
    [
        ({"MAIL_FROM": "nominee"}, "MAIL_FROM is not one email address"),
        ({"MAIL_FROM": "a@example.org, b@example.org"}, "MAIL_FROM is not one email address"),
        ({"MAIL_TIMEOUT": 0}, "MAIL_TIMEOUT must be a number of seconds"),
        ({"MAIL_TIMEOUT": "10"}, "MAIL_TIMEOUT must be a number of seconds"),
        ({"BASE_URL": "nominee.example.org"}, "BASE_URL must be an http:// or https:// address"),
    ],
)
def test_from_config_refuses(config, reason):
    with pytest.raises(MailSettingError, match=f"^{reason}"):
        MailSettings.from_config(config)
