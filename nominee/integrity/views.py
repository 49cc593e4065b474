"""The organizers' page of integrity flags and their reviews."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from nominee.errors import DomainError
from nominee.i18n import _
from nominee.integrity import queries, services
from nominee.integrity.forms import FlagReviewForm, ScanForm
from nominee.integrity.models import Verdict
from nominee.uow import get_session, refuse
from nominee.web import flash_form_errors, organizer_required, page_number

bp = Blueprint("integrity", __name__, url_prefix="/admin/integrity")


@bp.get("/")
@organizer_required
def index() -> str:
    session = get_session()
    page = queries.flagged_members(session, page_number(), current_app.config["PER_PAGE"])
    return render_template(
        "integrity/index.html",
        page=page,
        scan=queries.latest_scan(session),
        form=FlagReviewForm(formdata=None),
        scan_form=ScanForm(formdata=None),
    )


@bp.post("/members/<int:user_id>/review")
@organizer_required
def review(user_id: int) -> WerkzeugResponse:
    form = FlagReviewForm()
    if form.validate_on_submit():
        try:
            services.review_flag(
                get_session(),
                current_user._get_current_object(),
                user_id,
                Verdict(form.verdict.data),
                form.note.data or "",
            )
        except DomainError as exc:
            refuse()
            flash(exc.message, "error")
        else:
            flash(_("Your review of the flag is recorded."), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("integrity.index") + f"#member-{user_id}")


@bp.post("/scan")
@organizer_required
def scan() -> WerkzeugResponse:
    form = ScanForm()
    if form.validate_on_submit():
        services.request_rescan(get_session(), at_once=True)
        flash(_("A scan is on its way; this page shows its results once it is done."), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("integrity.index"))
