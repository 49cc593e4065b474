"""Email for notifications: the handler of outbox topic ``notification.created``.

``notification_mail(session, {"notification_id": id})`` loads the notification and its
member and, when the member gets that kind immediately (``nominee.preferences``), builds
one message from ``templates/mail/notification.{txt,html}``: the kind's subject and
sentence (``nominee.notifications.kinds``), a button to its page, what the kind needs
more (a peer nomination's answer-by date, a reviewer's due date, the results'
feedback), and a signed one-click unsubscribe link for that kind (RFC 8058 headers, see
``messages.build``). A kind in the daily digest, or off, gives no message here: ``[]``.

Links are absolute. The handler builds them with its context's ``link_for(endpoint,
values)``: the jobs give the running app's settings, key and URL map
(``nominee.jobs.handlers``); tests and scripts pass a ``MailContext`` of their own. No
Flask here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nominee import i18n
from nominee.accounts.models import User
from nominee.appeals.models import Appeal
from nominee.awards.models import Award
from nominee.formatting import format_date
from nominee.i18n import _
from nominee.mail import messages, tokens
from nominee.mail.settings import MailSettings
from nominee.nominations.models import Decision, Nomination
from nominee.notifications import kinds
from nominee.notifications.kinds import MailMode
from nominee.notifications.models import Notification
from nominee.preferences import queries as preferences
from nominee.reviews.queries import nominee_feedback

TOPIC = "notification.created"
LinkFor = Callable[[str, Mapping[str, Any]], str]


@dataclass(frozen=True)
class MailContext:
    """What building a message needs besides the database: the mail settings, the
    secret that signs unsubscribe links, and how to turn an endpoint into a path."""

    settings: MailSettings
    secret: str
    link_for: LinkFor

    def unsubscribe_link(self, user_id: int, kind: str) -> str:
        token = tokens.make_token(
            self.secret, tokens.Purpose.UNSUBSCRIBE, {"user_id": user_id, "kind": kind}
        )
        return self.link_for("preferences.unsubscribe", {"token": token})


def recipient(user: User) -> Address:
    return Address(display_name=user.display_name, addr_spec=user.email)


def notification_mail(
    session: Session, payload: Mapping[str, Any], *, context: MailContext
) -> list[EmailMessage]:
    """The email for the notification of ``payload`` ({notification_id}), or ``[]`` when
    its member gets that kind in the digest, not at all, or is gone or deactivated."""
    notification = session.get(Notification, payload["notification_id"])
    if notification is None:
        return []  # deleted with its member
    user = session.get(User, notification.user_id)
    if user is None or not user.is_active:
        return []
    if preferences.mode_of(session, user.id, notification.kind) is not MailMode.IMMEDIATE:
        return []
    return [compose(session, notification, user, context)]


def compose(
    session: Session, notification: Notification, user: User, context: MailContext
) -> EmailMessage:
    """The message telling ``user`` about ``notification``, whatever their preference,
    in their language and time zone."""
    with i18n.reading(i18n.language_of(user.language), user.time_zone):
        return _compose(session, notification, user, context)


def _compose(
    session: Session, notification: Notification, user: User, context: MailContext
) -> EmailMessage:
    name, params = notification.kind, notification.params
    kind = kinds.kind_of(name)
    values: dict[str, Any] = {
        "name": user.display_name,
        "mail_subject": kinds.mail_subject(name, params),
        "text": kinds.text(name, params),
        "link": None,
        "action": _("Open in Nominee"),
        "details": [],
        "feedback": [],
        "also": [],
        "label": _(kind.label),
        "preferences_link": context.link_for("preferences.edit", {}),
    }
    target = kinds.target(name, params)
    if target is not None:
        values["link"] = context.link_for(*target)
    more = MORE.get(name)
    if more is not None:
        values.update(more(session, notification, user, context))
    return messages.build(
        context.settings,
        "notification",
        recipient(user),
        values,
        unsubscribe_url=context.unsubscribe_link(user.id, name),
    )


# What some kinds say beyond their sentence: keys of the template's context.
More = Callable[[Session, Notification, User, MailContext], dict[str, Any]]


def _day(iso: str) -> str:
    return format_date(date.fromisoformat(iso))


def _nominated(
    session: Session, notification: Notification, user: User, context: MailContext
) -> dict[str, Any]:
    """The button accepts; declining is on the nomination's page. Answer by the close."""
    nomination_id = notification.params["nomination_id"]
    nomination = session.get(Nomination, nomination_id)
    if nomination is None:
        return {}
    close = format_date(nomination.cycle.nominations_close_on)
    return {
        "action": _("Accept the nomination"),
        "link": context.link_for("nominations.accept", {"nomination_id": nomination_id}),
        "details": [(_("Answer by"), _("%(day)s, when nominations close", day=close))],
        "also": [
            (
                _("To decline it, or read it first"),
                context.link_for("nominations.show", {"nomination_id": nomination_id}),
            )
        ],
    }


def _decision(nomination: Nomination) -> str:
    if nomination.decision is Decision.AWARD:
        return _("Awarded")
    if nomination.decision is Decision.DECLINE:
        return _("Not awarded")
    return _("Not decided")


def _feedback(session: Session, nomination: Nomination, user: User) -> list[str]:
    """The decision's feedback and the reviewers', for the nominee only."""
    if user.id != nomination.nominee_id:
        return []
    notes = [nomination.decision_feedback] if nomination.decision_feedback.strip() else []
    return notes + nominee_feedback(session, nomination, user)


def _results(
    session: Session, notification: Notification, user: User, context: MailContext
) -> dict[str, Any]:
    nomination = session.get(Nomination, notification.params["nomination_id"])
    if nomination is None:
        return {}
    return {
        "action": _("Read the results"),
        "details": [(_("Decision"), _decision(nomination))],
        "feedback": _feedback(session, nomination, user),
    }


def _granted(
    session: Session, notification: Notification, user: User, context: MailContext
) -> dict[str, Any]:
    award = session.get(Award, notification.params["award_id"])
    if award is None:
        return {}
    valid = _(
        "%(start)s to %(end)s", start=format_date(award.starts_on), end=format_date(award.ends_on)
    )
    details = [(_("Valid"), valid)]
    nomination = session.get(Nomination, award.nomination_id) if award.nomination_id else None
    feedback = _feedback(session, nomination, user) if nomination is not None else []
    return {"action": _("See your award"), "details": details, "feedback": feedback}


def _reviewing(
    session: Session, notification: Notification, user: User, context: MailContext
) -> dict[str, Any]:
    return {
        "action": _("Open your reviews"),
        "details": [(_("Reviews due by"), _day(notification.params["review_close_on"]))],
    }


def _appeal(
    session: Session, notification: Notification, user: User, context: MailContext
) -> dict[str, Any]:
    """The organizers' response, which the nominee reads on the nomination page too."""
    appeal = session.scalar(
        select(Appeal).where(Appeal.nomination_id == notification.params["nomination_id"])
    )
    upheld = notification.params["outcome"] == "upheld"
    return {
        "action": _("See your award") if upheld else _("Read the response"),
        "details": [(_("Appeal"), _("Upheld") if upheld else _("Dismissed"))],
        "feedback": [appeal.response] if appeal is not None and appeal.response else [],
    }


MORE: dict[str, More] = {
    "appeal.answered": _appeal,
    "nominated": _nominated,
    "results.published": _results,
    "award.granted": _granted,
    "reviewer.appointed": _reviewing,
    "reviewer.assigned": _reviewing,
}
