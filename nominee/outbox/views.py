"""The organizers' page of mail that failed or waits for another attempt."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from nominee.errors import DomainError
from nominee.i18n import _
from nominee.outbox import queries, services
from nominee.outbox.forms import RetryForm
from nominee.uow import get_session, refuse
from nominee.web import flash_form_errors, organizer_required, page_number

bp = Blueprint("outbox", __name__, url_prefix="/admin/mail")


@bp.get("/")
@organizer_required
def index() -> str:
    session = get_session()
    page = queries.troubled(session, page_number(), current_app.config["PER_PAGE"])
    return render_template(
        "outbox/index.html", page=page, described=queries.described(session, page.items)
    )


@bp.post("/<int:message_id>/retry")
@organizer_required
def retry(message_id: int) -> WerkzeugResponse:
    form = RetryForm()
    if form.validate_on_submit():
        try:
            services.retry(get_session(), current_user._get_current_object(), message_id)
        except DomainError as exc:
            refuse()
            flash(exc.message, "error")
        else:
            flash(_("Message %(id)s will be sent again now.", id=message_id), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("outbox.index"))
