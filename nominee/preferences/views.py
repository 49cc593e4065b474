"""The email preferences page (from the account page) and the one-click unsubscribe link."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from nominee.errors import DomainError
from nominee.extensions import csrf, limiter
from nominee.i18n import N_, _
from nominee.mail import tokens
from nominee.notifications import kinds
from nominee.preferences import queries, services
from nominee.preferences.forms import field_name, preferences_form
from nominee.uow import get_session, refuse
from nominee.web import attach_error, login_required

bp = Blueprint("preferences", __name__)

GROUPS = (
    (kinds.MEMBER, N_("About you, your nominations and your awards")),
    (kinds.REVIEWER, N_("Reviewing")),
)


def _shown() -> list[kinds.Kind]:
    """The kinds on the page: the reviewers' ones to reviewers and organizers only."""
    return [
        kind
        for kind in kinds.mailed()
        if kind.audience != kinds.REVIEWER or current_user.is_reviewer
    ]


@bp.route("/account/email-preferences", methods=["GET", "POST"])
@login_required
def edit():
    session = get_session()
    shown = _shown()
    form = preferences_form(shown, queries.modes(session, current_user.id))
    if form.validate_on_submit():
        try:
            services.set_modes(session, current_user, form.modes(shown))
        except DomainError as exc:
            attach_error(form, exc)
        else:
            flash(_("Email preferences saved."), "success")
            return redirect(url_for("preferences.edit"))
    elif request.method == "POST":
        refuse()
    groups = [
        (_(title), [form[field_name(kind.name)] for kind in shown if kind.audience == audience])
        for audience, title in GROUPS
    ]
    status = 400 if request.method == "POST" else 200
    return render_template(
        "preferences/edit.html", form=form, groups=[g for g in groups if g[1]]
    ), status


def _read(token: str) -> tuple[int, str] | None:
    """The member and kind a genuine unsubscribe token names, or None."""
    try:
        payload: Any = tokens.read_token(
            current_app.config["SECRET_KEY"], tokens.Purpose.UNSUBSCRIBE, token, None
        )
    except tokens.TokenError:
        return None
    if not isinstance(payload, dict):
        return None
    user_id, kind = payload.get("user_id"), payload.get("kind")
    if not isinstance(user_id, int) or not isinstance(kind, str):
        return None
    return user_id, kind


def _what(kind: str) -> str:
    """What the link stops, as the object of "Stop ..." and "You will no longer receive ..."."""
    if kind == services.DIGEST:
        return _("the daily digest")
    known = kinds.KINDS.get(kind)
    if known and known.label:
        return _("emails for “%(kind)s”", kind=_(known.label))
    return _("these emails")


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" with no token
@limiter.limit(lambda: current_app.config["RATELIMIT_UNSUBSCRIBE"])
def unsubscribe(token: str):
    """GET asks (link checkers follow links; they must not unsubscribe anybody); POST,
    from the page's button or a mail client's one-click, turns the kind off, again and
    again with the same answer."""
    found = _read(token)
    if found is None:
        return render_template("preferences/unsubscribe.html", state="invalid"), 404
    user_id, kind = found
    if request.method == "GET":
        return render_template("preferences/unsubscribe.html", state="ask", what=_what(kind))
    try:
        services.unsubscribe(get_session(), user_id, kind)
    except DomainError:
        refuse()
        return render_template("preferences/unsubscribe.html", state="invalid"), 404
    return render_template("preferences/unsubscribe.html", state="done", what=_what(kind))
