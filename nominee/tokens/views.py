"""The account's API tokens page: create (the secret shown once), list, revoke."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from nominee import clock
from nominee.errors import DomainError
from nominee.i18n import _
from nominee.tokens import queries, rules, services
from nominee.tokens.forms import RevokeForm, TokenForm
from nominee.uow import get_session
from nominee.web import attach_error, login_required

bp = Blueprint("tokens", __name__)


def _page(form: TokenForm, secret: str | None = None, status: int = 200):
    user = current_user._get_current_object()
    return render_template(
        "tokens/index.html",
        form=form,
        revoke_form=RevokeForm(formdata=None),
        tokens=queries.tokens_of(get_session(), user),
        secret=secret,
        now=clock.now(),
        usable=rules.is_usable,
    ), status


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def index():
    user = current_user._get_current_object()
    form = TokenForm().configure(rules.scopes_for(user))
    if form.validate_on_submit():
        try:
            token, secret = services.create_token(
                get_session(),
                user,
                name=form.name.data or "",
                scopes=list(form.scopes.data or []),
                expires_in_days=form.expires_in_days(),
            )
        except DomainError as exc:
            attach_error(form, exc)
        else:
            # The secret is on this answer only (never stored, never in a redirect).
            flash(
                _(
                    "Token “%(name)s” created. Copy it now: it is not shown again.",
                    name=token.name,
                ),
                "success",
            )
            return _page(TokenForm(formdata=None).configure(rules.scopes_for(user)), secret, 201)
    return _page(form, status=400 if form.is_submitted() else 200)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    user = current_user._get_current_object()
    token = queries.token_of(get_session(), user, token_id)
    if token is None:
        abort(404)
    if RevokeForm().validate_on_submit():
        try:
            services.revoke_token(get_session(), user, token)
        except DomainError as exc:
            flash(exc.message, "error")
        else:
            flash(_("Token “%(name)s” is revoked.", name=token.name), "success")
    return redirect(url_for("tokens.index"))
