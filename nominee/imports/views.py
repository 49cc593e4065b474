"""The import pages: a CSV file (upload, preview, import or cancel), feeds, and the one
list of drafts to confirm, edit or discard."""

from __future__ import annotations

import csv
import io

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from nominee import inputs, outbound
from nominee.contributions import queries as contribution_queries
from nominee.contributions.forms import ContributionForm
from nominee.errors import DomainError
from nominee.extensions import csrf
from nominee.formatting import format_number
from nominee.i18n import _, ngettext
from nominee.imports import queries, rules, services
from nominee.imports.forms import ActionForm, DraftsForm, FeedForm, UploadForm
from nominee.imports.models import BatchStatus, Feed, ImportBatch
from nominee.uow import get_session, refuse
from nominee.web import attach_error, login_required, organizer_required, page_number

bp = Blueprint("imports", __name__)

PREVIEW_PER_PAGE = 50


def _actor():
    return current_user._get_current_object()


# CSV files


def _upload(for_members: bool):
    """The upload form; its POST checks the file into a preview."""
    # A file may be larger than other requests: the limit is raised before the body is
    # read, so the CSRF check (exempted from the app-wide one, which would read it under
    # the smaller limit) runs here.
    request.max_content_length = current_app.config["IMPORT_MAX_BYTES"]
    template = "imports/upload_members.html" if for_members else "imports/upload.html"
    try:
        if request.method == "POST" and current_app.config["WTF_CSRF_ENABLED"]:
            csrf.protect()
        form = UploadForm()
    except RequestEntityTooLarge:
        refuse()
        form = UploadForm(formdata=None)
        limit = current_app.config["IMPORT_MAX_BYTES"] // (1024 * 1024)
        form.file.errors = [
            _("The file is larger than %(limit)d MB: split it into smaller files.", limit=limit)
        ]
        return _upload_page(template, form), 413
    if form.validate_on_submit():
        upload = form.file.data
        batch = services.stage_file(
            get_session(),
            _actor(),
            upload.stream,
            upload.filename or "",
            for_members=for_members,
        )
        return redirect(url_for("imports.preview", batch_id=batch.id))
    return _upload_page(template, form), 400 if form.errors else 200


def _upload_page(template: str, form: UploadForm) -> str:
    return render_template(
        template, form=form, columns=queries.file_columns(get_session()), fixed=rules.COLUMNS
    )


@bp.route("/contributions/import", methods=["GET", "POST"])
@csrf.exempt  # checked by _upload, after raising the size limit
@login_required
def upload():
    return _upload(for_members=False)


@bp.route("/admin/imports", methods=["GET", "POST"])
@csrf.exempt  # checked by _upload, after raising the size limit
@organizer_required
def upload_for_members():
    return _upload(for_members=True)


@bp.get("/contributions/import/template.csv")
@login_required
def template():
    """The template: every column, one example row; ``?members=1`` adds the email column
    of an organizer's file."""
    for_members = request.args.get("members") == "1" and rules.can_import_for_members(current_user)
    columns = queries.file_columns(get_session())
    header = ([rules.EMAIL] if for_members else []) + [name for name, _ in rules.COLUMNS]
    header += columns.metric_columns
    example = dict.fromkeys(header, "")
    first = columns.types[0] if columns.types else None
    example.update(
        {
            rules.EMAIL: "member@example.org",
            "type": first.name if first else "",
            "title": "What I did for the community",
            "date": "2024-05-31",
            "url": "https://example.org/my-post",
            "role": first.roles[0] if first and first.roles else "",
            "category": columns.categories[0].name if columns.categories else "",
            "visibility": "public",
        }
    )
    for metric in first.active_metrics if first else []:
        example[metric.name] = "1" if metric.required else ""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerow([example[name] for name in header])
    name = "contributions-for-members.csv" if for_members else "contributions.csv"
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _load_batch(batch_id: int) -> ImportBatch:
    batch = get_session().get(ImportBatch, batch_id)
    if batch is None or not rules.can_use_batch(current_user, batch):
        abort(404)
    return batch


@bp.get("/contributions/import/<int:batch_id>")
@login_required
def preview(batch_id: int):
    batch = _load_batch(batch_id)
    session = get_session()
    show_valid = request.args.get("show") == "valid" or not batch.error_rows
    rows = queries.batch_rows(
        session, batch, valid=show_valid, page=page_number(), per_page=PREVIEW_PER_PAGE
    )
    return render_template(
        "imports/preview.html",
        batch=batch,
        outcome=_outcome(batch) if batch.status is BatchStatus.IMPORTED else None,
        rows=rows,
        show_valid=show_valid,
        owners=queries.owners_of(session, rows) if batch.for_members else {},
        form=ActionForm(),
    )


@bp.post("/contributions/import/<int:batch_id>/import")
@login_required
def confirm(batch_id: int):
    batch = _load_batch(batch_id)
    ActionForm().validate_on_submit() or abort(400)
    try:
        done = services.start_import(get_session(), _actor(), batch)
    except DomainError as exc:
        refuse()
        flash(exc.message, "error")
        return redirect(url_for("imports.preview", batch_id=batch_id))
    if done:
        flash(_outcome(batch), "success")
        if batch.for_members:
            return redirect(url_for("imports.upload_for_members"))
        return redirect(url_for("contributions.mine"))
    return redirect(url_for("imports.preview", batch_id=batch_id))


def _outcome(batch: ImportBatch) -> str:
    count = format_number(batch.imported)
    if batch.for_members:
        members = ngettext(
            "%(count)s member",
            "%(count)s members",
            batch.members,
            count=format_number(batch.members),
        )
        message = ngettext(
            "%(count)s contribution imported for %(members)s.",
            "%(count)s contributions imported for %(members)s.",
            batch.imported,
            count=count,
            members=members,
        )
    else:
        message = ngettext(
            "%(count)s contribution imported.",
            "%(count)s contributions imported.",
            batch.imported,
            count=count,
        )
    if batch.skipped:
        skipped = ngettext(
            "%(count)s skipped: its link was logged meanwhile.",
            "%(count)s skipped: their link was logged meanwhile.",
            batch.skipped,
            count=format_number(batch.skipped),
        )
        message = _("%(imported)s %(skipped)s", imported=message, skipped=skipped)
    return message


@bp.post("/contributions/import/<int:batch_id>/cancel")
@login_required
def cancel(batch_id: int):
    batch = _load_batch(batch_id)
    ActionForm().validate_on_submit() or abort(400)
    for_members = batch.for_members
    try:
        services.cancel_batch(get_session(), _actor(), batch)
    except DomainError as exc:
        refuse()
        flash(exc.message, "error")
        return redirect(url_for("imports.preview", batch_id=batch_id))
    flash(_("Import cancelled: nothing was logged."), "info")
    return redirect(url_for("imports.upload_for_members" if for_members else "imports.upload"))


# Feeds


@bp.route("/contributions/feeds", methods=["GET", "POST"])
@login_required
def feeds():
    session = get_session()
    form = FeedForm()
    form.configure(
        contribution_queries.choosable_types(session, None),
        contribution_queries.choosable_categories(session, None),
    )
    if form.validate_on_submit():
        try:
            feed = services.add_feed(
                session,
                _actor(),
                form.to_input(),
                outbound.allow_hosts_from(current_app.config),
            )
        except DomainError as exc:
            attach_error(form, exc)
        else:
            flash(
                _(
                    "Feed added: its new items will appear in your drafts within minutes "
                    "(%(url)s).",
                    url=feed.url,
                ),
                "success",
            )
            return redirect(url_for("imports.feeds"))
    return render_template(
        "imports/feeds.html",
        form=form,
        feeds=queries.feeds_of(session, current_user),
        action=ActionForm(formdata=None),
    ), 400 if form.errors or form.form_errors else 200


def _load_feed(feed_id: int) -> Feed:
    feed = get_session().get(Feed, feed_id)
    if feed is None or not rules.can_manage_feed(current_user, feed):
        abort(404)
    return feed


@bp.post("/contributions/feeds/<int:feed_id>/delete")
@login_required
def feed_delete(feed_id: int):
    feed = _load_feed(feed_id)
    ActionForm().validate_on_submit() or abort(400)
    services.remove_feed(get_session(), _actor(), feed)
    flash(_("Feed removed; the contributions you confirmed from it stay."), "success")
    return redirect(url_for("imports.feeds"))


@bp.post("/contributions/feeds/<int:feed_id>/poll")
@login_required
def feed_poll(feed_id: int):
    feed = _load_feed(feed_id)
    ActionForm().validate_on_submit() or abort(400)
    services.request_poll(get_session(), feed.id)
    flash(_("The feed will be checked within a minute: see your drafts."), "info")
    return redirect(url_for("imports.feeds"))


# Drafts


@bp.route("/contributions/drafts", methods=["GET", "POST"])
@login_required
def drafts():
    """The one list of drafts; its POST confirms or discards the ticked ones."""
    if request.method == "POST":
        return _decide_drafts()
    page = queries.pending_drafts(
        get_session(), current_user, page_number(), current_app.config["PER_PAGE"]
    )
    return render_template("imports/drafts.html", page=page, form=DraftsForm(formdata=None))


def _decide_drafts():
    form = DraftsForm()
    if not form.validate_on_submit():
        abort(400)
    ids = {
        int(v)
        for v in request.form.getlist("draft_id")
        if v.isdigit() and len(v) < 12 and inputs.fits_integer(int(v))
    }
    if not ids:
        flash(_("Tick the drafts to confirm or discard first."), "error")
        return redirect(url_for("imports.drafts"))
    confirm = bool(form.confirm.data)
    result = services.decide_drafts(get_session(), _actor(), ids, confirm=confirm)
    if result.done and confirm:
        flash(
            ngettext(
                "%(num)d draft confirmed: it is now a contribution.",
                "%(num)d drafts confirmed: they are now contributions.",
                result.done,
            ),
            "success",
        )
    elif result.done:
        flash(
            ngettext("%(num)d draft discarded.", "%(num)d drafts discarded.", result.done),
            "success",
        )
    for draft, message in result.refused:
        flash(
            _(
                "“%(title)s” needs editing before it is confirmed: %(problem)s",
                title=draft.title,
                problem=message,
            ),
            "error",
        )
    return redirect(url_for("imports.drafts"))


@bp.route("/contributions/drafts/<int:draft_id>/edit", methods=["GET", "POST"])
@login_required
def draft_edit(draft_id: int):
    """The contribution form, filled from the draft; saving confirms it."""
    session = get_session()
    draft = queries.own_draft(session, current_user, draft_id)
    if draft is None:
        abort(404)
    if not rules.can_decide_draft(current_user, draft):
        flash(_("This draft was confirmed or discarded already."), "info")
        return redirect(url_for("imports.drafts"))
    proposed = services.draft_input(draft)
    form = ContributionForm(obj=proposed if request.method == "GET" else None)
    form.configure(
        contribution_queries.choosable_types(session, None),
        contribution_queries.choosable_categories(session, None),
        formdata=request.form if request.method == "POST" else None,
        figures={k: v for k, v in proposed.figures.items() if v is not None},
    )
    if request.method == "GET":
        form.category_ids.data = []
    if form.is_submitted() and not form.refresh.data and form.validate():
        try:
            contribution = services.confirm_draft(session, _actor(), draft, form.to_input())
        except DomainError as exc:
            attach_error(form, exc)
        else:
            flash(_("The draft is confirmed: it is now a contribution."), "success")
            return redirect(url_for("contributions.view", contribution_id=contribution.id))
    failed = bool(form.errors or form.form_errors)
    return render_template("imports/draft_form.html", form=form, draft=draft), (
        400 if failed else 200
    )
