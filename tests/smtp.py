"""A real SMTP server for the tests: aiosmtpd on a free 127.0.0.1 port, in a thread.

It keeps what it receives (``server.received``: envelope and parsed message), can ask
for a login (``users``), offer STARTTLS (``starttls``) or speak TLS from the start
(``implicit_tls``), and answer a chosen reply instead of accepting (``server.answer =
"451 4.3.0 Try again later"``). ``unused_port()`` gives a port that refuses connections.

Other test folders import it: ``from tests.smtp import SMTPServer``.
"""

from __future__ import annotations

import socket
import ssl
import threading
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert isinstance(part, EmailMessage)
        return part.get_content()

    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        assert isinstance(part, EmailMessage)
        return part.get_content()


def unused_port() -> int:
    """A port nothing listens on (just released by the system), so connecting is refused."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class _Handler:
    def __init__(self, server: SMTPServer) -> None:
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.server.answer_to_rcpt:
            return self.server.answer_to_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.server.answer:
            return self.server.answer
        message = message_from_bytes(envelope.content, policy=default)
        assert isinstance(message, EmailMessage)
        with self.server.lock:
            self.server.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), message)
            )
            tls = session.ssl is not None or server.transport.get_extra_info("ssl_object")
            self.server.sessions.append({"tls": bool(tls), "login": session.auth_data})
        return "250 Message accepted"


class SMTPServer:
    """Start with ``start()`` (or as a context manager), stop with ``stop()``."""

    def __init__(
        self,
        *,
        users: dict[str, str] | None = None,
        starttls: ssl.SSLContext | None = None,
        implicit_tls: ssl.SSLContext | None = None,
    ) -> None:
        self.users = users
        self.received: list[Received] = []
        self.sessions: list[dict[str, object]] = []
        self.lock = threading.Lock()
        # A reply such as "451 4.3.0 Try later" or "550 5.1.1 No such user" instead of
        # accepting the message (after DATA) or the recipient (after RCPT).
        self.answer: str | None = None
        self.answer_to_rcpt: str | None = None
        self.port = unused_port()
        options: dict[str, object] = {}
        if users is not None:
            options.update(authenticator=self._authenticate, auth_require_tls=False)
        if starttls is not None:
            options.update(tls_context=starttls)
        self._controller = Controller(
            _Handler(self),
            hostname=HOST,
            port=self.port,
            ssl_context=implicit_tls,
            server_hostname="localhost",
            **options,
        )

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and self.users is not None
            and self.users.get(auth_data.login.decode()) == auth_data.password.decode()
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data.login if ok else None)

    def url(self, scheme: str = "smtp", credentials: str = "") -> str:
        return f"{scheme}://{credentials + '@' if credentials else ''}{HOST}:{self.port}"

    def start(self) -> SMTPServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> SMTPServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def self_signed() -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A certificate for 127.0.0.1 and localhost from a throwaway authority (trustme):
    (the server's context, a client context that trusts that authority)."""
    authority = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1", "localhost").configure_cert(server)
    client = ssl.create_default_context()
    authority.configure_trust(client)
    return server, client
