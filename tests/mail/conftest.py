from __future__ import annotations

import pytest

from nominee.mail.settings import MailSettings, parse_mail_url
from tests.smtp import SMTPServer


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free local port, accepting everything."""
    with SMTPServer() as server:
        yield server


@pytest.fixture
def mail_settings(smtp_server, tmp_path):
    return MailSettings(
        sender="Nominee <nominee@nominee.example>",
        base_url="https://nominee.example",
        url=parse_mail_url(smtp_server.url()),
        timeout=5,
        folder=tmp_path / "mail",
    )
