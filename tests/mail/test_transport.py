"""Messages reach a real SMTP server; failures say whether a retry may help."""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta
from email import message_from_bytes
from email.policy import default

import pytest

from nominee.mail import transport
from nominee.mail.messages import build
from nominee.mail.settings import MailSettings, parse_mail_url
from nominee.mail.transport import MailError, send
from tests.smtp import SMTPServer, self_signed, unused_port

RESET = {"name": "Ada", "link": "/reset/tok3n", "expires_in": timedelta(hours=1)}


def reset_message(settings: MailSettings, to: str = "ada@example.org"):
    return build(settings, "password_reset", to, RESET)


def test_both_parts_reach_the_recipient(smtp_server, mail_settings):
    send(mail_settings, reset_message(mail_settings))

    [received] = smtp_server.received
    assert received.recipients == ["ada@example.org"]
    assert received.sender == "nominee@nominee.example"
    assert received.message["Subject"] == "Reset your Nominee password"
    assert "https://nominee.example/reset/tok3n" in received.text()
    assert "expires in 1 hour" in received.text()
    assert 'href="https://nominee.example/reset/tok3n"' in received.html()
    assert "List-Unsubscribe" not in received.message


def test_unsubscribe_headers_arrive_when_asked(smtp_server, mail_settings):
    message = build(
        mail_settings, "verify_email", "ada@example.org",
        {**RESET, "expires_in": timedelta(days=2)}, unsubscribe_url="/unsubscribe/abc",
    )  # fmt: skip
    send(mail_settings, message)

    [received] = smtp_server.received
    assert received.message["List-Unsubscribe"] == "<https://nominee.example/unsubscribe/abc>"
    assert received.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_logs_in_with_percent_decoded_credentials(tmp_path):
    with SMTPServer(users={"mailer@nominee.example": "p@ss:word"}) as server:
        settings = MailSettings(
            sender="nominee@nominee.example",
            url=parse_mail_url(server.url(credentials="mailer%40nominee.example:p%40ss%3Aword")),
            timeout=5,
        )
        send(settings, reset_message(settings))
        assert server.sessions[0]["login"] == b"mailer@nominee.example"

        wrong = dataclasses.replace(
            settings, url=parse_mail_url(server.url(credentials="mailer:wrong"))
        )
        with pytest.raises(MailError) as info:
            send(wrong, reset_message(wrong))
        assert info.value.code == 535
        assert info.value.temporary is False
    assert len(server.received) == 1


@pytest.fixture(scope="module")
def certificate():
    return self_signed()


def test_switches_to_tls_when_the_server_offers_starttls(certificate):
    server_tls, client_tls = certificate
    with SMTPServer(starttls=server_tls, users={"mailer": "secret"}) as server:
        settings = MailSettings(
            sender="nominee@nominee.example",
            url=parse_mail_url(server.url(credentials="mailer:secret")),
            timeout=5,
        )
        send(settings, reset_message(settings), tls=client_tls)
        assert server.sessions == [{"tls": True, "login": b"mailer"}]


def test_smtps_speaks_tls_from_the_start(certificate):
    server_tls, client_tls = certificate
    with SMTPServer(implicit_tls=server_tls) as server:
        settings = MailSettings(url=parse_mail_url(server.url("smtps")), timeout=5)
        send(settings, reset_message(settings), tls=client_tls)
        assert server.sessions == [{"tls": True, "login": None}]


def test_an_untrusted_certificate_is_a_permanent_failure(certificate):
    server_tls, _ = certificate
    with SMTPServer(implicit_tls=server_tls) as server:
        settings = MailSettings(url=parse_mail_url(server.url("smtps")), timeout=5)
        with pytest.raises(MailError, match="certificate not trusted") as info:
            send(settings, reset_message(settings))
        assert info.value.temporary is False
        assert server.received == []


def test_no_password_in_clear_to_a_remote_server_without_starttls(monkeypatch):
    # The test server listens on 127.0.0.1, which may have the password: pretend it is far.
    monkeypatch.setattr(transport, "_is_loopback", lambda host: False)
    with SMTPServer(users={"mailer": "secret"}) as server:
        settings = MailSettings(url=parse_mail_url(server.url(credentials="mailer:secret")))
        with pytest.raises(MailError, match="offers no STARTTLS") as info:
            send(settings, reset_message(settings))
        assert info.value.temporary is False
        assert server.received == []


@pytest.mark.parametrize(
    ("answer", "temporary"),
    [("451 4.3.0 Try again later", True), ("550 5.7.1 Rejected", False)],
)
def test_data_answers_are_classified(smtp_server, mail_settings, answer, temporary):
    smtp_server.answer = answer
    with pytest.raises(MailError) as info:
        send(mail_settings, reset_message(mail_settings))
    assert info.value.temporary is temporary
    assert info.value.code == int(answer[:3])
    assert answer.split(" ", 1)[1] in str(info.value)


@pytest.mark.parametrize(
    ("answer", "temporary"),
    [("450 4.2.1 Mailbox busy", True), ("550 5.1.1 No such user", False)],
)
def test_refused_recipients_are_classified(smtp_server, mail_settings, answer, temporary):
    smtp_server.answer_to_rcpt = answer
    with pytest.raises(MailError, match="refused every recipient") as info:
        send(mail_settings, reset_message(mail_settings))
    assert info.value.temporary is temporary


def test_a_refused_connection_is_temporary(mail_settings):
    settings = dataclasses.replace(
        mail_settings, url=parse_mail_url(f"smtp://127.0.0.1:{unused_port()}")
    )
    with pytest.raises(MailError, match="unreachable") as info:
        send(settings, reset_message(settings))
    assert info.value.temporary is True
    assert info.value.code is None


def test_without_mail_url_messages_go_to_the_folder_and_the_log(tmp_path, caplog):
    settings = MailSettings(base_url="http://127.0.0.1:5000", folder=tmp_path / "mail")
    with caplog.at_level(logging.INFO, logger="nominee.mail"):
        send(settings, reset_message(settings))
        send(settings, reset_message(settings, to="bob@example.org"))

    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2
    saved = message_from_bytes(files[0].read_bytes(), policy=default)
    assert saved["To"] == "ada@example.org"
    assert saved.get_body(("html",)) is not None
    assert not list((tmp_path / "mail").glob(".*"))
    first = caplog.records[0].getMessage()
    assert first.startswith(
        "mail to ada@example.org: Reset your Nominee password http://127.0.0.1:5000/reset/tok3n ("
    )
    assert str(files[0]) in first
