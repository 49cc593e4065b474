"""Endorse and withdraw: HTML forms on the contribution page, or JSON for scripts."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from nominee.contributions import queries as contributions
from nominee.contributions.models import Contribution
from nominee.endorsements import services
from nominee.endorsements.forms import EndorseForm
from nominee.errors import DomainError
from nominee.extensions import limiter
from nominee.i18n import _
from nominee.uow import get_session, refuse
from nominee.web import (
    attach_error,
    login_required,
    problem,
    redirect_next,
    wants_json,
)

bp = Blueprint("endorsements", __name__)


def _load_visible(contribution_id: int) -> Contribution:
    contribution = contributions.visible_contribution(get_session(), current_user, contribution_id)
    if contribution is None:
        abort(404)
    return contribution


def _contribution_page(contribution: Contribution, form: EndorseForm, status: int):
    """The contribution page again, with the endorsement form's errors."""
    details = contributions.contribution_page(
        get_session(),
        current_user,
        contribution,
        request.args.get("endorsers_after"),
        current_app.config["PER_PAGE"],
    )
    return render_template("contributions/view.html", **vars(details), endorse_form=form), status


def _refused(contribution: Contribution, form: EndorseForm, exc: DomainError):
    if wants_json():
        refuse()
        return problem(exc.status, "Request refused", exc.message, field=exc.field)
    attach_error(form, exc)
    return _contribution_page(contribution, form, exc.status)


def _back_to(contribution_id: int):
    return redirect(url_for("contributions.view", contribution_id=contribution_id))


@bp.post("/contributions/<int:contribution_id>/endorse")
@limiter.limit(lambda: current_app.config["RATELIMIT_ENDORSE"], methods=["POST"])
@login_required
def endorse(contribution_id: int):
    contribution = _load_visible(contribution_id)
    form = EndorseForm()
    if not form.validate_on_submit():
        if wants_json():
            return problem(400, "Invalid input", "Please correct the comment.", errors=form.errors)
        return _contribution_page(contribution, form, 400)
    try:
        endorsement = services.endorse(
            get_session(), current_user._get_current_object(), contribution, form.comment.data or ""
        )
    except DomainError as exc:
        return _refused(contribution, form, exc)
    if wants_json():
        response = jsonify(
            endorsement={
                "id": endorsement.id,
                "contribution_id": contribution.id,
                "endorser_id": endorsement.endorser_id,
                "comment": endorsement.comment,
                "created_at": endorsement.created_at.isoformat(),
            },
            endorsement_count=contribution.endorsement_count,
        )
        response.status_code = 201
        return response
    flash(_("Thank you: your endorsement is recorded."), "success")
    # Discover's buttons come back to the list they were pressed in.
    return redirect_next(url_for("contributions.view", contribution_id=contribution.id))


@bp.post("/contributions/<int:contribution_id>/endorsement/withdraw")
@login_required
def withdraw(contribution_id: int):
    contribution = _load_visible(contribution_id)
    try:
        services.withdraw(get_session(), current_user._get_current_object(), contribution)
    except DomainError as exc:
        return _refused(contribution, EndorseForm(formdata=None), exc)
    if wants_json():
        return jsonify(withdrawn=True, endorsement_count=contribution.endorsement_count)
    flash(_("Your endorsement is withdrawn."), "info")
    return _back_to(contribution.id)
