"""The organizers' audit log page; the reads are in ``nominee.auditlog.queries``."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from nominee.auditlog import queries
from nominee.auditlog.forms import ACTIONS, OBJECT_TYPES, AuditFilterForm
from nominee.uow import get_session
from nominee.web import organizer_required, page_number

bp = Blueprint("auditlog", __name__)


@bp.get("/admin/audit")
@organizer_required
def index():
    form = AuditFilterForm(request.args)
    session = get_session()
    valid = form.validate()
    actor_ids = None
    if valid and (actor := (form.actor.data or "").strip()):
        actor_ids = queries.matching_actors(session, actor)
        if len(actor_ids) > queries.MAX_ACTORS:
            form.actor.errors = [
                *form.actor.errors,
                f"More than {queries.MAX_ACTORS} accounts match: "
                "type more of the name or the email.",
            ]
            valid = False
    withheld = queries.withheld_from(session, current_user)
    page = None
    if valid:
        wanted = queries.AuditFilter(
            actor_ids=actor_ids,
            action=form.action.data or "",
            object_type=form.object_type.data or "",
            object_id=form.object_id.data,
            date_from=form.date_from.data,
            date_to=form.date_to.data,
        )
        page = queries.events_window(
            session, wanted, withheld, page_number(), current_app.config["PER_PAGE"]
        )
    return render_template(
        "auditlog/index.html",
        form=form,
        page=page,
        after_of=lambda event: queries.shown_after(event, withheld),
        actions=ACTIONS,
        object_types=OBJECT_TYPES,
    ), 200 if valid else 400
