"""Helpers for the tests of notification mail: a mail context whose links are the app's
(``url_for`` in a test request) under https://nominee.example, and readers of a message."""

from __future__ import annotations

from email.message import EmailMessage
from urllib.parse import urlsplit

from flask import url_for

from nominee.mail.notifications import MailContext
from nominee.mail.settings import MailSettings

BASE_URL = "https://nominee.example"
SETTINGS = MailSettings(sender="Nominee <nominee@nominee.example>", base_url=BASE_URL)


def mail_context(app) -> MailContext:
    def link_for(endpoint, values):
        with app.test_request_context():
            return url_for(endpoint, **values)

    return MailContext(SETTINGS, app.config["SECRET_KEY"], link_for)


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert isinstance(text, EmailMessage) and isinstance(html, EmailMessage)
    return text.get_content(), html.get_content()


def path_of(url: str) -> str:
    """The site path of an absolute link of ours."""
    assert url.startswith(BASE_URL + "/"), url
    parts_ = urlsplit(url)
    return parts_.path + (f"?{parts_.query}" if parts_.query else "")


def unsubscribe_path(message: EmailMessage) -> str:
    header = message["List-Unsubscribe"]
    assert header.startswith("<") and header.endswith(">"), header
    return path_of(header[1:-1])
