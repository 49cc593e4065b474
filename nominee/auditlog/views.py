"""The organizers' audit log page and its CSV export; the reads are in
``nominee.auditlog.queries``, the sentences in ``nominee.auditlog.sentences``."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from flask import (
    Blueprint,
    Response,
    current_app,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from nominee.auditlog import queries
from nominee.auditlog.forms import AuditFilterForm
from nominee.awards.export import escape_cell
from nominee.i18n import _
from nominee.uow import get_session
from nominee.web import organizer_required

WINDOW_ARGS = ("older", "newer", "page")

bp = Blueprint("auditlog", __name__)

CSV_CHUNK = 64 * 1024


def _wanted(form: AuditFilterForm) -> queries.AuditFilter | None:
    """The filter the form asks for, or None when it is not valid (errors on the form)."""
    session = get_session()
    form.set_actors(queries.staff(session))
    if not form.validate():
        return None
    actor_ids = None
    if actor := (form.actor.data or "").strip():
        actor_ids = queries.matching_actors(session, actor)
        if len(actor_ids) > queries.MAX_ACTORS:
            form.actor.errors = [
                *form.actor.errors,
                _(
                    "More than %(max)d accounts match: type more of the name or the email.",
                    max=queries.MAX_ACTORS,
                ),
            ]
            return None
    return queries.AuditFilter(
        actor_ids=actor_ids,
        by=int(form.by.data) if form.by.data else None,
        action=form.action.data or "",
        object_type=form.object_type.data or "",
        object_id=form.object_id.data,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
    )


def _window_url(args: dict[str, str]) -> str:
    return url_for("auditlog.index", **args)  # type: ignore[arg-type]


@bp.get("/admin/audit")
@organizer_required
def index():
    form = AuditFilterForm(request.args)
    session = get_session()
    wanted = _wanted(form)
    withheld = queries.withheld_from(session, current_user)
    page, lines = None, []
    if wanted is not None:
        page = queries.events_window(
            session,
            wanted,
            withheld,
            current_app.config["PER_PAGE"],
            older_than=queries.Cursor.parse(request.args.get("older")),
            newer_than=queries.Cursor.parse(request.args.get("newer")),
        )
        said = queries.sentences_of(session, page.items, withheld)
        lines = [
            (event, said[event.id], queries.shown_after(event, withheld)) for event in page.items
        ]
    filters = {k: v for k, v in request.args.items() if k not in WINDOW_ARGS}
    return render_template(
        "auditlog/index.html",
        form=form,
        page=page,
        lines=lines,
        csv_args=filters,
        window_url=lambda **cursor: _window_url({**filters, **cursor}),
    ), 200 if wanted is not None else 400


@bp.get("/admin/audit.csv")
@organizer_required
def export_csv():
    """The filtered log as CSV, streamed (every matching event, not one page)."""
    form = AuditFilterForm(request.args)
    wanted = _wanted(form)
    if wanted is None:
        return render_template("auditlog/index.html", form=form, page=None, lines=[]), 400
    withheld = queries.withheld_from(get_session(), current_user)

    def body() -> Iterator[str]:
        # As for the decisions CSV: the session is taken inside the generator, so that
        # the teardown around it closes it.
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for cells in queries.csv_rows(get_session(), wanted, withheld):
            writer.writerow([escape_cell(cell) for cell in cells])
            if buffer.tell() >= CSV_CHUNK:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = Response(stream_with_context(body()), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response
