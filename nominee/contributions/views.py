from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from nominee import clock
from nominee.accounts.models import User
from nominee.categories import queries as categories
from nominee.contributions import queries, rules, services
from nominee.contributions.forms import (
    ContributionFilterForm,
    ContributionForm,
    ContributionTypeForm,
    MetricForm,
)
from nominee.contributions.models import Contribution, ContributionType, ReachMetric, Visibility
from nominee.endorsements.forms import EndorseForm
from nominee.errors import DomainError
from nominee.i18n import _, ngettext
from nominee.impact import queries as impact
from nominee.impact import rules as impact_rules
from nominee.linkchecks import queries as linkchecks
from nominee.nominations import services as nominations
from nominee.pagecache import members_page, public_page
from nominee.uow import get_cache, get_session, refuse
from nominee.web import (
    attach_error,
    login_required,
    organizer_required,
    page_number,
    problem,
    wants_json,
)

bp = Blueprint("contributions", __name__)


def _load_visible(contribution_id: int) -> Contribution:
    """The contribution, or 404 when it does not exist or the user may not see it."""
    contribution = queries.visible_contribution(get_session(), current_user, contribution_id)
    if contribution is None:
        abort(404)
    return contribution


def _load_owned(contribution_id: int) -> Contribution:
    contribution = _load_visible(contribution_id)
    if not rules.can_edit_contribution(current_user, contribution):
        abort(403)
    return contribution


def _render_contribution(contribution: Contribution, status: int = 200) -> tuple[str, int]:
    details = queries.contribution_page(
        get_session(),
        current_user,
        contribution,
        request.args.get("endorsers_after"),
        current_app.config["PER_PAGE"],
    )
    link_check = None
    owner = current_user.is_authenticated and current_user.id == contribution.owner_id
    if owner and contribution.url:
        link_check = linkchecks.for_url(get_session(), contribution.url)
    return render_template(
        "contributions/view.html",
        **vars(details),
        endorse_form=EndorseForm(formdata=None),
        link_check=link_check,
        can_check_link=owner and bool(contribution.url),
    ), status


def _save(form: ContributionForm, contribution: Contribution | None):
    """Validate and save the form, or show it again with a message next to each problem."""
    user: User = current_user._get_current_object()
    # "Show the fields of this type" re-displays the form for the newly chosen type.
    if form.is_submitted() and not form.refresh.data and form.validate():
        session = get_session()
        try:
            if contribution is None:
                contribution = services.create_contribution(session, user, form.to_input())
                message = _("Your contribution is logged.")
            else:
                services.update_contribution(session, user, contribution, form.to_input())
                message = _("Your changes are saved.")
        except DomainError as exc:
            attach_error(form, exc)
        else:
            flash(message, "success")
            return redirect(url_for("contributions.view", contribution_id=contribution.id))
    failed = bool(form.errors or form.form_errors)
    return render_template(
        "contributions/form.html", form=form, contribution=contribution
    ), 400 if failed else 200


@bp.route("/contributions/new", methods=["GET", "POST"])
@login_required
def create():
    form = ContributionForm()
    if request.method == "GET":
        form.type_id.data = request.args.get("type", type=int)
    session = get_session()
    types = queries.choosable_types(session, None)
    form.configure(
        types,
        queries.choosable_categories(session, None),
        formdata=request.form if request.method == "POST" else None,
    )
    if request.method == "GET" and form.selected_type is None:
        return render_template("contributions/choose_type.html", types=types)
    return _save(form, None)


@bp.get("/contributions/<int:contribution_id>")
def view(contribution_id: int):
    return _render_contribution(_load_visible(contribution_id))


@bp.route("/contributions/<int:contribution_id>/edit", methods=["GET", "POST"])
@login_required
def edit(contribution_id: int):
    contribution = _load_owned(contribution_id)
    form = ContributionForm(obj=contribution if request.method == "GET" else None)
    if request.method == "GET":
        form.category_ids.data = [c.id for c in contribution.categories]
    session = get_session()
    form.configure(
        queries.choosable_types(session, contribution),
        queries.choosable_categories(session, contribution),
        formdata=request.form if request.method == "POST" else None,
        figures=contribution.figure_values(),
    )
    return _save(form, contribution)


@bp.route("/contributions/<int:contribution_id>/delete", methods=["GET", "POST"])
@login_required
def delete(contribution_id: int):
    """GET asks for confirmation; the POST of that page (with its CSRF token) deletes."""
    contribution = _load_owned(contribution_id)
    if request.method == "POST":
        title = contribution.title
        try:
            services.delete_contribution(
                get_session(), current_user._get_current_object(), contribution
            )
        except DomainError as exc:
            refuse()
            if wants_json():
                return problem(exc.status, "Request refused", exc.message, field=exc.field)
            flash(exc.message, "error")
            return _render_contribution(contribution, status=exc.status)
        flash(_("“%(title)s” is deleted.", title=title), "success")
        return redirect(url_for("contributions.mine"))
    try:  # say it before the click: the evidence of a live nomination stays
        nominations.check_not_evidence(get_session(), current_user, contribution.id)
        refusal = None
    except DomainError as exc:
        refusal = exc.message
    return render_template("contributions/delete.html", contribution=contribution, refusal=refusal)


@bp.get("/contributions/mine")
@login_required
@members_page
def mine():
    session = get_session()
    form = ContributionFilterForm(request.args)
    form.configure(queries.all_types(session), categories.by_name(session))
    form.validate()
    visibility = form.valid("visibility")
    listing = queries.own_contributions(
        session,
        current_user,
        type_id=form.valid("type"),
        category_id=form.valid("category"),
        visibility=Visibility(visibility) if visibility else None,
        date_from=form.valid("date_from"),
        date_to=form.valid("date_to"),
        oldest_first=form.valid("sort") == "oldest",
        page=page_number(),
        per_page=current_app.config["PER_PAGE"],
        cache=get_cache(),
    )
    return render_template(
        "contributions/mine.html",
        form=form,
        page=listing.page,
        totals=listing.totals,
        filtered=any(form.valid(name) for name in form.data if name != "sort"),
    )


@bp.get("/members/<int:user_id>")
@public_page
def member(user_id: int):
    details = queries.member_page(
        get_session(),
        current_user,
        user_id,
        today=clock.today(),
        page=page_number(),
        per_page=current_app.config["PER_PAGE"],
        received_after=request.args.get("received_after"),
        given_after=request.args.get("given_after"),
        cache=get_cache(),
    )
    if details is None:
        abort(404)
    if isinstance(details, queries.PrivateProfile):
        return render_template("contributions/member_private.html", member=details.member)
    return render_template(
        "contributions/member.html", **vars(details), meter=_meter_for(details.member)
    )


def _meter_for(member: User):
    """The member's eligibility meter, inline on their own page (reviewers and organizers
    open it on its own page, ``member_meter``: the member page is at its query budget)."""
    if not (current_user.is_authenticated and current_user.id == member.id):
        return None
    return impact.meter(get_session(), member, clock.today(), get_cache())


@bp.get("/members/<int:user_id>/meter")
@login_required
def member_meter(user_id: int):
    """The eligibility meter of a member: theirs, their reviewers' and organizers' only."""
    session = get_session()
    member = session.get(User, user_id)
    if member is None or not rules.can_view_member(current_user, member):
        abort(404)
    if not impact_rules.can_see_meter(current_user, member):
        abort(403)
    return render_template(
        "impact/meter_page.html",
        member=member,
        meter=impact.meter(session, member, clock.today(), get_cache()),
    )


@bp.get("/admin/contribution-types")
@organizer_required
def types_index():
    rows = queries.types_in_use(get_session(), get_cache())
    return render_template("contributions/types_index.html", rows=rows)


@bp.post("/admin/contribution-types/defaults")
@organizer_required
def types_seed():
    added = services.seed_contribution_types(get_session(), current_user._get_current_object())
    if added:
        flash(
            ngettext("Added %(num)d default type.", "Added %(num)d default types.", len(added)),
            "success",
        )
    else:
        flash(_("Every default type exists already."), "info")
    return redirect(url_for("contributions.types_index"))


def _save_type(form: ContributionTypeForm, contribution_type: ContributionType | None):
    if form.validate_on_submit():
        session = get_session()
        try:
            if contribution_type is None:
                contribution_type = services.create_type(
                    session, current_user._get_current_object(), form.to_input()
                )
            else:
                services.update_type(
                    session, current_user._get_current_object(), contribution_type, form.to_input()
                )
        except DomainError as exc:
            attach_error(form, exc)
        else:
            flash(_("Type “%(name)s” saved.", name=contribution_type.name), "success")
            return redirect(url_for("contributions.types_index"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "contributions/type_form.html", form=form, contribution_type=contribution_type
    ), status


@bp.route("/admin/contribution-types/new", methods=["GET", "POST"])
@organizer_required
def type_create():
    return _save_type(ContributionTypeForm(), None)


@bp.route("/admin/contribution-types/<int:type_id>/edit", methods=["GET", "POST"])
@organizer_required
def type_edit(type_id: int):
    contribution_type = get_session().get(ContributionType, type_id) or abort(404)
    form = ContributionTypeForm(obj=contribution_type if request.method == "GET" else None)
    if request.method == "GET":
        form.roles.data = ", ".join(contribution_type.roles)
    return _save_type(form, contribution_type)


def _save_metric(form: MetricForm, contribution_type: ContributionType, metric: ReachMetric | None):
    if form.validate_on_submit():
        session = get_session()
        actor = current_user._get_current_object()
        try:
            if metric is None:
                metric = services.add_metric(session, actor, contribution_type, form.to_input())
            else:
                services.update_metric(session, actor, metric, form.to_input())
        except DomainError as exc:
            attach_error(form, exc)
        else:
            flash(_("Metric “%(name)s” saved.", name=metric.name), "success")
            return redirect(url_for("contributions.type_edit", type_id=contribution_type.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "contributions/metric_form.html",
        form=form,
        contribution_type=contribution_type,
        metric=metric,
    ), status


@bp.route("/admin/contribution-types/<int:type_id>/metrics/new", methods=["GET", "POST"])
@organizer_required
def metric_create(type_id: int):
    contribution_type = get_session().get(ContributionType, type_id) or abort(404)
    return _save_metric(MetricForm(), contribution_type, None)


@bp.route(
    "/admin/contribution-types/<int:type_id>/metrics/<int:metric_id>/edit",
    methods=["GET", "POST"],
)
@organizer_required
def metric_edit(type_id: int, metric_id: int):
    metric = get_session().get(ReachMetric, metric_id)
    if metric is None or metric.type_id != type_id:
        abort(404)
    form = MetricForm(obj=metric if request.method == "GET" else None)
    return _save_metric(form, metric.type, metric)
