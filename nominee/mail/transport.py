"""Hand a message to the mail server, or, in development, write it to a folder.

``send`` raises ``MailError``; its ``temporary`` says whether trying again later may
work (a 4xx answer, a refused or dropped connection, a timeout) or not (a 5xx answer,
a certificate that does not verify), so the caller can retry with backoff or give up.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import secrets
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

from nominee import clock
from nominee.mail.settings import MailSettings, MailURL

log = logging.getLogger("nominee.mail")

FIRST_LINK = re.compile(r"https?://[^\s<>\"')]+")


class MailError(Exception):
    """The message was not handed over. ``temporary``: trying again later may work.

    ``code`` is the server's SMTP reply code, None when it never answered.
    """

    def __init__(self, reason: str, *, temporary: bool, code: int | None = None) -> None:
        super().__init__(reason)
        self.temporary = temporary
        self.code = code


def send(
    settings: MailSettings, message: EmailMessage, *, tls: ssl.SSLContext | None = None
) -> None:
    """Send ``message`` to the recipients of its To, Cc and Bcc headers.

    Over ``settings.url`` when it is set; otherwise write it to ``settings.folder`` (see
    ``write_to_folder``). ``tls`` replaces the system's certificate checks (tests, a
    private CA). Raises ``MailError``.
    """
    if settings.url is None:
        write_to_folder(settings.folder, message)
    else:
        send_smtp(settings.url, message, timeout=settings.timeout, tls=tls)


def send_smtp(
    url: MailURL, message: EmailMessage, *, timeout: float, tls: ssl.SSLContext | None = None
) -> None:
    """One connection per message: ``smtps://`` speaks TLS from the start, ``smtp://``
    switches to it when the server offers STARTTLS, then logs in if the URL has a user.

    A password is never sent in clear: over ``smtp://`` to a server that offers no
    STARTTLS, only a loopback address may get it.
    """
    context = tls or ssl.create_default_context()
    where = f"{url.host}:{url.port}"
    try:
        server: smtplib.SMTP
        if url.implicit_tls:
            server = smtplib.SMTP_SSL(url.host, url.port, timeout=timeout, context=context)
        else:
            server = smtplib.SMTP(url.host, url.port, timeout=timeout)
        with server:
            encrypted = url.implicit_tls
            server.ehlo()
            if not encrypted and server.has_extn("starttls"):
                server.starttls(context=context)
                server.ehlo()
                encrypted = True
            if url.username is not None and url.password is not None:
                if not (encrypted or _is_loopback(url.host)):
                    raise MailError(
                        f"mail server {where} offers no STARTTLS: the password is not sent "
                        "in clear (use smtps:// or a server that offers STARTTLS)",
                        temporary=False,
                    )
                server.login(url.username, url.password)
            refused = server.send_message(message)
    except MailError:
        raise
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        answers = "; ".join(
            f"{rcpt}: {code} {_text(reply)}" for rcpt, (code, reply) in exc.recipients.items()
        )
        raise MailError(
            f"mail server {where} refused every recipient ({answers})",
            temporary=all(400 <= code < 500 for code in codes),
            code=codes[0] if codes else None,
        ) from exc
    except smtplib.SMTPResponseException as exc:
        raise MailError(
            f"mail server {where} answered {exc.smtp_code} {_text(exc.smtp_error)}",
            temporary=400 <= exc.smtp_code < 500,
            code=exc.smtp_code,
        ) from exc
    except ssl.SSLCertVerificationError as exc:
        raise MailError(
            f"mail server {where}: certificate not trusted ({exc.verify_message})",
            temporary=False,
        ) from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise MailError(f"mail server {where}: {exc}", temporary=False) from exc
    except (smtplib.SMTPException, OSError) as exc:
        # Refused or dropped connections, timeouts, name lookups, TLS handshakes.
        reason = str(exc) or type(exc).__name__
        raise MailError(f"mail server {where} unreachable: {reason}", temporary=True) from exc
    if refused:
        # Some recipients got it: sending again would repeat it to them, so do not retry.
        answers = "; ".join(f"{rcpt}: {code}" for rcpt, (code, _) in refused.items())
        raise MailError(f"mail server {where} refused some recipients ({answers})", temporary=False)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return " ".join(text.split())


def write_to_folder(folder: Path, message: EmailMessage) -> Path:
    """Development transport: write ``message`` as an ``.eml`` file in ``folder`` and log
    one line with its recipients, subject and the first link of its text part.

    The file appears whole (written aside, then renamed), named by time so that a
    listing reads in the order of sending.
    """
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{clock.now():%Y%m%dT%H%M%S.%f}-{secrets.token_hex(4)}.eml"
    path = folder / name
    partial = folder / f".{name}.partial"
    partial.write_bytes(message.as_bytes())
    os.replace(partial, path)
    link = first_link(message)
    log.info(
        "mail to %s: %s%s (%s)",
        message.get("To", "nobody"),
        message.get("Subject", "(no subject)"),
        f" {link}" if link else "",
        path,
    )
    return path


def first_link(message: EmailMessage) -> str | None:
    """The first http(s) link of the message's plain-text part, if any."""
    part = message.get_body(preferencelist=("plain",))
    if not isinstance(part, EmailMessage):
        return None
    found = FIRST_LINK.search(part.get_content())
    return found.group(0) if found else None
