"""The owner's "Check the link now" on a contribution page."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from nominee.contributions import queries as contributions
from nominee.extensions import limiter
from nominee.i18n import _
from nominee.linkchecks import rules, services
from nominee.linkchecks.forms import CheckLinkForm
from nominee.uow import get_session
from nominee.web import flash_form_errors, login_required

bp = Blueprint("linkchecks", __name__)


@bp.post("/contributions/<int:contribution_id>/check-link")
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_LINK_CHECK"], methods=["POST"])
def check_contribution(contribution_id: int) -> WerkzeugResponse:
    session = get_session()
    contribution = contributions.visible_contribution(session, current_user, contribution_id)
    if contribution is None:
        abort(404)
    if not rules.can_request_check(current_user, contribution):
        abort(403)
    form = CheckLinkForm()
    if form.validate_on_submit():
        services.request_check(session, current_user._get_current_object(), contribution)
        flash(
            _("The link is being checked: reload this page in a moment to see the result."),
            "success",
        )
    else:
        flash_form_errors(form)
    return redirect(url_for("contributions.view", contribution_id=contribution_id))
