"""Appeals: the nominee's appeal form, the organizers' answer page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from nominee import clock
from nominee.accounts.models import User
from nominee.appeals import queries, rules, services
from nominee.appeals.forms import AnswerForm, AppealForm
from nominee.errors import DomainError, PermissionDenied
from nominee.i18n import _
from nominee.nominations.models import Nomination
from nominee.reviews import queries as review_queries
from nominee.uow import get_session
from nominee.web import attach_error, given, login_required, organizer_required

bp = Blueprint("appeals", __name__)


def _me() -> User:
    return current_user._get_current_object()


@bp.route("/nominations/<int:nomination_id>/appeal", methods=["GET", "POST"])
@login_required
def lodge(nomination_id: int):
    session = get_session()
    nomination = session.get(Nomination, nomination_id) or abort(404)
    user = _me()
    if user.id != nomination.nominee_id:
        abort(404)  # nobody learns of another member's nomination here
    existing = queries.appeal_of(session, nomination.id)
    refusal = rules.appeal_refusal(user, nomination, existing, clock.today())
    form = AppealForm()
    status = 200
    if request.method == "POST" and refusal:
        status = 403  # refused before the form is read: the page says why
    elif request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                services.lodge(session, user, nomination, form.statement.data or "")
            except PermissionDenied:
                raise
            except DomainError as exc:
                attach_error(form, exc)
                status = exc.status
            else:
                flash(_("Your appeal is sent: the organizers will answer it."), "success")
                return redirect(url_for("nominations.show", nomination_id=nomination.id))
    return render_template(
        "appeals/lodge.html",
        nomination=nomination,
        form=form,
        refusal=refusal,
        last_day=rules.last_day(nomination.cycle),
    ), status


@bp.route("/appeals/<int:appeal_id>", methods=["GET", "POST"])
@organizer_required
def answer(appeal_id: int):
    session = get_session()
    appeal = queries.appeal_to_answer(session, appeal_id) or abort(404)
    user = _me()
    conflicted = review_queries.conflicted_on(session, appeal.nomination, user)
    if conflicted:
        raise PermissionDenied(rules.answer_refusal(user, appeal, conflicted=True) or "")
    form = AnswerForm()
    if request.method == "GET":
        form.version.data = appeal.version
    status = 200
    if form.validate_on_submit():
        try:
            if form.outcome.data == "uphold":
                services.uphold(
                    session,
                    user,
                    appeal,
                    rationale=form.rationale.data or "",
                    response=form.response.data or "",
                    version=given(form.version.data),
                )
            else:
                services.dismiss(
                    session,
                    user,
                    appeal,
                    response=form.response.data or "",
                    version=given(form.version.data),
                )
        except PermissionDenied:
            raise
        except DomainError as exc:
            attach_error(form, exc)
            status = exc.status
        else:
            flash(
                _(
                    "The appeal of %(nominee)s is %(status)s; they are told.",
                    nominee=appeal.nomination.nominee.display_name,
                    status=appeal.status.label.lower(),
                ),
                "success",
            )
            return redirect(url_for("cycles.show", cycle_id=appeal.nomination.cycle_id))
    elif request.method == "POST":
        status = 400
    return render_template(
        "appeals/answer.html",
        appeal=appeal,
        nomination=appeal.nomination,
        form=form,
        refusal=rules.answer_refusal(user, appeal, conflicted=False),
    ), status
