"""The notification centre: the list, marking read, and the unread count in the header."""

from __future__ import annotations

from typing import NamedTuple

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from nominee.i18n import ngettext
from nominee.notifications import kinds, queries, services
from nominee.notifications.models import Notification
from nominee.uow import get_session, refuse
from nominee.web import is_safe_redirect, login_required, page_number

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


class Rendered(NamedTuple):
    text: str
    url: str | None


def render(notification: Notification, language: str | None = None) -> Rendered:
    """The notification's sentence (in the reader's language, or ``language``) and
    site-relative URL, as a page shows them.

    ``url_for`` needs an app context (a request, or the app's for a command); a row
    kept from before kinds had parameters leads to its old path, checked when followed.
    """
    params = notification.params
    text = kinds.text(notification.kind, params, language)
    if notification.kind == kinds.LEGACY:
        return Rendered(text, params["path"] or None)
    target = kinds.target(notification.kind, params)
    if target is None:
        return Rendered(text, None)
    endpoint, values = target
    return Rendered(text, url_for(endpoint, **values))


@bp.app_template_filter("notification")
def notification_filter(notification: Notification) -> Rendered:
    """``{% set shown = n|notification %}``: ``shown.text`` and ``shown.url``."""
    return render(notification)


@bp.app_context_processor
def unread_notifications():
    """``unread_notifications()`` in templates: one COUNT query, only when a page asks."""

    def count() -> int:
        if not current_user.is_authenticated:
            return 0
        try:
            return queries.unread_count(get_session(), current_user.id)
        except SQLAlchemyError:
            # The header must not take down the page, above all the error page itself.
            refuse()
            current_app.logger.warning("unread notification count failed", exc_info=True)
            return 0

    return {"unread_notifications": count}


def _own(notification_id: int) -> Notification:
    notification = queries.own(get_session(), current_user.id, notification_id)
    if notification is None:
        abort(404)
    return notification


@bp.get("/")
@login_required
def index():
    page = queries.recent_first(
        get_session(), current_user.id, page_number(), current_app.config["PER_PAGE"]
    )
    return render_template("notifications/index.html", page=page)


@bp.post("/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int):
    services.mark_read(get_session(), _own(notification_id))
    return redirect(url_for("notifications.index"))


@bp.post("/<int:notification_id>/open")
@login_required
def follow(notification_id: int):
    """Follow a notification's link, marking it read on the way."""
    notification = _own(notification_id)
    services.mark_read(get_session(), notification)
    url = render(notification).url
    if url and is_safe_redirect(url):
        return redirect(url)
    return redirect(url_for("notifications.index"))


@bp.post("/read-all")
@login_required
def mark_all_read():
    count = services.mark_all_read(get_session(), current_user.id)
    if count:
        flash(
            ngettext(
                "%(num)d notification marked read.", "%(num)d notifications marked read.", count
            ),
            "success",
        )
    return redirect(url_for("notifications.index"))
