"""Messages from templates: a plain-text and an HTML part, both from ``templates/mail/``.

``build(settings, "verify_email", to, {...})`` renders ``mail/verify_email.txt`` (which
sets the subject: ``{% set subject = "..." %}``) and ``mail/verify_email.html``; both
extend a layout (``_layout.txt``, ``_layout.html``) that adds the footer and, for a
message a member can turn off, the unsubscribe link.

The Jinja environment is our own, not Flask's, so jobs outside a request build the same
messages. Links are absolute: templates write ``{{ absolute(link) }}``, which puts a
path such as ``/verify/abc`` under ``BASE_URL`` and leaves a full URL as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime as rfc5322_date
from email.utils import make_msgid
from functools import cache, partial
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from nominee import clock, i18n
from nominee.formatting import format_date, format_datetime
from nominee.i18n import ngettext
from nominee.mail.settings import MailSettings

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"


@cache
def environment(folder: Path = TEMPLATES) -> Environment:
    """Jinja for mail: HTML escaped, text not; an undefined name is an error, not a gap."""
    env = Environment(
        loader=FileSystemLoader(folder),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    i18n.install(env)
    env.globals["reader"] = i18n.current
    env.filters["date"] = format_date
    env.filters["datetime"] = format_datetime
    env.filters["duration"] = format_duration
    return env


def format_duration(value: timedelta) -> str:
    """``1 hour``, ``30 minutes``, ``3 days``: the largest whole unit, for "expires in"."""
    seconds = int(value.total_seconds())
    for size, unit in ((86400, "days"), (3600, "hours"), (60, "minutes")):
        if seconds >= size and seconds % size == 0 or seconds >= 2 * size:
            return _count(seconds // size, unit)
    return _count(seconds, "seconds")


def _count(num: int, unit: str) -> str:
    if unit == "days":
        return ngettext("%(num)d day", "%(num)d days", num)
    if unit == "hours":
        return ngettext("%(num)d hour", "%(num)d hours", num)
    if unit == "minutes":
        return ngettext("%(num)d minute", "%(num)d minutes", num)
    return ngettext("%(num)d second", "%(num)d seconds", num)


def absolute_url(base_url: str, link: str) -> str:
    """``link`` under ``base_url`` unless it is already a full URL."""
    if urlsplit(link).scheme:
        return link
    return f"{base_url.rstrip('/')}/{link.lstrip('/')}"


def build(
    settings: MailSettings,
    template: str,
    to: str | Address,
    context: Mapping[str, object] | None = None,
    *,
    unsubscribe_url: str | None = None,
) -> EmailMessage:
    """A multipart/alternative message to ``to`` from ``templates/mail/<template>.txt``
    and ``.html``, rendered with ``context``.

    With ``unsubscribe_url`` (a path or a full URL of a signed one-click link, see
    ``tokens``) the message carries ``List-Unsubscribe`` and ``List-Unsubscribe-Post``
    (RFC 8058), and its footer the same link. Leave it out for messages about the
    account's security, which a member cannot turn off.
    """
    unsubscribe = absolute_url(settings.base_url, unsubscribe_url) if unsubscribe_url else None
    values: dict[str, object] = {
        **(context or {}),
        "base_url": settings.base_url,
        "unsubscribe_url": unsubscribe,
        "absolute": partial(absolute_url, settings.base_url),
    }
    env = environment()
    text = env.get_template(f"mail/{template}.txt").make_module(values)
    subject = " ".join(str(getattr(text, "subject", "")).split())
    if not subject:
        raise ValueError(f"mail/{template}.txt sets no subject")
    html = env.get_template(f"mail/{template}.html").render(values, subject=subject)

    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = rfc5322_date(clock.now())
    message["Message-ID"] = make_msgid(domain=settings.message_id_domain)
    # RFC 3834: no out-of-office replies to a robot.
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe:
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # Quoted-printable keeps both parts readable in the raw message, unlike base64.
    message.set_content(str(text), cte="quoted-printable")
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    return message
