"""Mail settings as plain values, read from the app's configuration mapping."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from email.headerregistry import Address, HeaderRegistry
from pathlib import Path
from urllib.parse import unquote, urlsplit

DEFAULT_SENDER = "Nominee <nominee@localhost>"
DEFAULT_BASE_URL = "http://127.0.0.1:5000"
DEFAULT_TIMEOUT = 10.0
DEFAULT_PORTS = {"smtp": 25, "smtps": 465}


class MailSettingError(ValueError):
    """A mail setting that cannot work; the message is one line, for the operator."""


@dataclass(frozen=True)
class MailURL:
    """Where to hand messages over: ``smtp://`` (STARTTLS when offered) or ``smtps://``."""

    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def implicit_tls(self) -> bool:
        return self.scheme == "smtps"

    def __str__(self) -> str:
        user = f"{self.username}:***@" if self.username else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{user}{host}:{self.port}"


def parse_mail_url(url: str) -> MailURL:
    """``smtp://[user:password@]host[:port]`` or ``smtps://...``; user and password are
    percent-decoded (write ``@`` as ``%40``). Raises ``MailSettingError``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        reason = f"MAIL_URL is not a mail server URL ({exc}): {_hidden(url)}"
        raise MailSettingError(reason) from None
    if parts.scheme not in DEFAULT_PORTS:
        raise MailSettingError(f"MAIL_URL must start with smtp:// or smtps://: {_hidden(url)}")
    if not parts.hostname:
        raise MailSettingError(f"MAIL_URL names no host: {_hidden(url)}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise MailSettingError(f"MAIL_URL takes no path, query or fragment: {_hidden(url)}")
    if (parts.username is None) != (parts.password is None) or parts.username == "":
        raise MailSettingError(
            f"MAIL_URL needs both a user and a password, or neither: {_hidden(url)}"
        )
    return MailURL(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port or DEFAULT_PORTS[parts.scheme],
        username=unquote(parts.username) if parts.username is not None else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


def _hidden(url: str) -> str:
    """The URL without its password, for messages and logs."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user, colon, _ = credentials.partition(":")
    return f"{scheme}://{user}{colon and ':***'}@{host}"


def parse_sender(sender: str) -> Address:
    """``MAIL_FROM`` as an address: ``Name <user@domain>`` or ``user@domain``."""
    header = HeaderRegistry()("From", sender)
    addresses: tuple[Address, ...] = getattr(header, "addresses", ())
    if header.defects or len(addresses) != 1 or not addresses[0].domain:
        raise MailSettingError(f"MAIL_FROM is not one email address: {sender!r}")
    return addresses[0]


def check_base_url(url: str) -> str:
    """``BASE_URL`` without its trailing slash: ``https://nominee.example.org``."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise MailSettingError(f"BASE_URL must be an http:// or https:// address: {url!r}")
    return url.rstrip("/")


@dataclass(frozen=True)
class MailSettings:
    """What the transports and the message builder need, as plain values.

    ``url`` None means development: messages are written to ``folder`` as ``.eml`` files.
    """

    sender: str = DEFAULT_SENDER
    base_url: str = DEFAULT_BASE_URL
    url: MailURL | None = None
    timeout: float = DEFAULT_TIMEOUT
    folder: Path = Path("instance/mail")

    @property
    def message_id_domain(self) -> str:
        """Message-IDs end in the sender's domain, as mail servers expect."""
        return parse_sender(self.sender).domain

    @classmethod
    def from_config(cls, config: Mapping[str, object]) -> MailSettings:
        """From the app's configuration (or any mapping with the same keys):
        ``MAIL_URL``, ``MAIL_FROM``, ``MAIL_TIMEOUT``, ``MAIL_FOLDER``, ``BASE_URL``."""
        url = config.get("MAIL_URL")
        sender = str(config.get("MAIL_FROM") or DEFAULT_SENDER)
        parse_sender(sender)
        timeout = config.get("MAIL_TIMEOUT", DEFAULT_TIMEOUT)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise MailSettingError(f"MAIL_TIMEOUT must be a number of seconds above 0: {timeout!r}")
        return cls(
            sender=sender,
            base_url=check_base_url(str(config.get("BASE_URL") or DEFAULT_BASE_URL)),
            url=parse_mail_url(str(url)) if url else None,
            timeout=float(timeout),
            folder=Path(str(config.get("MAIL_FOLDER") or "instance/mail")),
        )
