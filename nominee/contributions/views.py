from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from nominee import clock
from nominee.accounts.models import User, user_categories
from nominee.awards import queries as award_queries
from nominee.categories.models import Category
from nominee.charts import monthly_activity, months_back
from nominee.contributions import rules, services
from nominee.contributions.forms import (
    ContributionFilterForm,
    ContributionForm,
    ContributionTypeForm,
)
from nominee.contributions.models import Contribution, ContributionType, Visibility
from nominee.endorsements import services as endorsement_services
from nominee.endorsements.forms import EndorseForm
from nominee.endorsements.rules import can_endorse
from nominee.errors import DomainError
from nominee.nominations import services as nominations
from nominee.uow import commit, get_session
from nominee.web import (
    attach_error,
    login_required,
    organizer_required,
    paginate,
    problem,
    wants_json,
)

bp = Blueprint("contributions", __name__)

# Many-to-one joined into the page's query, the many-to-many in one more query.
LIST_OPTIONS = (
    joinedload(Contribution.type),
    joinedload(Contribution.primary_category),
    selectinload(Contribution.categories),
)


def load_visible(contribution_id: int) -> Contribution:
    """The contribution, or 404 when it does not exist or the user may not see it."""
    contribution = get_session().get(
        Contribution, contribution_id, options=[joinedload(Contribution.owner)]
    )
    if contribution is None or not rules.can_view_contribution(current_user, contribution):
        abort(404)
    return contribution


def _load_owned(contribution_id: int) -> Contribution:
    contribution = load_visible(contribution_id)
    if not rules.can_edit_contribution(current_user, contribution):
        abort(403)
    return contribution


def render_contribution(
    contribution: Contribution, endorse_form: EndorseForm | None = None, status: int = 200
) -> tuple[str, int]:
    """The contribution page; the endorsement views re-render it with their form's errors."""
    session = get_session()
    return render_template(
        "contributions/view.html",
        contribution=contribution,
        endorsements=paginate(
            endorsement_services.active_endorsements(contribution),
            current_app.config["PER_PAGE"],
            total=contribution.endorsement_count,
        ),
        my_endorsement=endorsement_services.endorsement_of(session, current_user, contribution),
        can_endorse=can_endorse(current_user, contribution),
        can_edit=rules.can_edit_contribution(current_user, contribution),
        endorse_form=endorse_form or EndorseForm(formdata=None),
    ), status


def _all_types() -> list[ContributionType]:
    return list(
        get_session().scalars(
            select(ContributionType).order_by(ContributionType.position, ContributionType.name)
        )
    )


def _all_categories() -> list[Category]:
    return list(get_session().scalars(select(Category).order_by(Category.name)))


def _save(form: ContributionForm, contribution: Contribution | None):
    """Validate and save the form, or show it again with a message next to each problem."""
    user: User = current_user._get_current_object()
    # "Show the fields of this type" re-displays the form for the newly chosen type.
    if form.is_submitted() and not form.refresh.data and form.validate():
        session = get_session()
        try:
            if contribution is None:
                contribution = services.create_contribution(session, user, form.to_input())
                message = "Your contribution is logged."
            else:
                services.update_contribution(session, user, contribution, form.to_input())
                message = "Your changes are saved."
        except DomainError as exc:
            session.rollback()
            attach_error(form, exc)
        else:
            commit()
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
    types = services.choosable_types(session, None)
    form.configure(types, services.choosable_categories(session, None))
    if request.method == "GET" and form.selected_type is None:
        return render_template("contributions/choose_type.html", types=types)
    return _save(form, None)


@bp.get("/contributions/<int:contribution_id>")
def view(contribution_id: int):
    return render_contribution(load_visible(contribution_id))


@bp.route("/contributions/<int:contribution_id>/edit", methods=["GET", "POST"])
@login_required
def edit(contribution_id: int):
    contribution = _load_owned(contribution_id)
    form = ContributionForm(obj=contribution if request.method == "GET" else None)
    if request.method == "GET":
        form.category_ids.data = [c.id for c in contribution.categories]
    session = get_session()
    form.configure(
        services.choosable_types(session, contribution),
        services.choosable_categories(session, contribution),
    )
    return _save(form, contribution)


@bp.route("/contributions/<int:contribution_id>/delete", methods=["GET", "POST"])
@login_required
def delete(contribution_id: int):
    """GET asks for confirmation; the POST of that page (with its CSRF token) deletes."""
    contribution = _load_owned(contribution_id)
    if request.method == "POST":
        title = contribution.title
        session = get_session()
        try:
            services.delete_contribution(session, current_user._get_current_object(), contribution)
        except DomainError as exc:
            session.rollback()
            if wants_json():
                return problem(exc.status, "Request refused", exc.message, field=exc.field)
            flash(exc.message, "error")
            return render_contribution(contribution, status=exc.status)
        commit()
        flash(f"“{title}” is deleted.", "success")
        return redirect(url_for("contributions.mine"))
    try:  # say it before the click: the evidence of a live nomination stays
        nominations.check_not_evidence(get_session(), current_user, contribution.id)
        refusal = None
    except DomainError as exc:
        refusal = exc.message
    return render_template("contributions/delete.html", contribution=contribution, refusal=refusal)


@bp.get("/contributions/mine")
@login_required
def mine():
    session = get_session()
    form = ContributionFilterForm(request.args)
    form.configure(_all_types(), _all_categories())
    form.validate()
    visibility = form.valid("visibility")
    conditions = services.contribution_filters(
        owner_id=current_user.id,
        type_id=form.valid("type"),
        category_id=form.valid("category"),
        visibility=Visibility(visibility) if visibility else None,
        date_from=form.valid("date_from"),
        date_to=form.valid("date_to"),
    )
    if form.valid("sort") == "oldest":
        order = (Contribution.contributed_on.asc(), Contribution.id.asc())
    else:
        order = (Contribution.contributed_on.desc(), Contribution.id.desc())
    stmt = select(Contribution).where(*conditions).options(*LIST_OPTIONS).order_by(*order)
    return render_template(
        "contributions/mine.html",
        form=form,
        page=paginate(stmt, current_app.config["PER_PAGE"]),
        totals=services.reach_totals(session, conditions),
        filtered=any(form.valid(name) for name in form.data if name != "sort"),
    )


@bp.get("/members/<int:user_id>")
def member(user_id: int):
    session = get_session()
    # Flat outer joins: SQLite materialises the nested join a joinedload of a many-to-many
    # writes, reading every member's categories (4 ms at 20,000 members).
    member = (
        session.scalars(
            select(User)
            .outerjoin(user_categories, user_categories.c.user_id == User.id)
            .outerjoin(Category, Category.id == user_categories.c.category_id)
            .where(User.id == user_id)
            .options(contains_eager(User.categories))
        )
        .unique()
        .one_or_none()
    )
    if member is None or not rules.can_view_member(current_user, member):
        abort(404)
    show_private = rules.can_see_private_contributions(current_user, member)
    conditions = services.contribution_filters(
        owner_id=member.id, visibility=None if show_private else Visibility.PUBLIC
    )
    stmt = (
        select(Contribution)
        .where(*conditions)
        .options(*LIST_OPTIONS)
        .order_by(Contribution.contributed_on.desc(), Contribution.id.desc())
    )
    received = endorsement_services.received(session, member, current_user)
    given_count, given = endorsement_services.given(session, member, current_user)
    totals = services.reach_totals(session, conditions)
    today = clock.today()
    activity_start = months_back(today)
    return render_template(
        "contributions/member.html",
        awards=award_queries.awards_for_member(session, member.id),
        activity=monthly_activity(session, activity_start, today, *conditions),
        activity_start=activity_start,
        activity_end=today,
        member=member,
        show_private=show_private,
        page=paginate(
            stmt,
            current_app.config["PER_PAGE"],
            total=sum(row.contributions for row in totals),
        ),
        totals=totals,
        received_count=sum(row.endorsements for row in totals),
        received=received,
        given_count=given_count,
        given=given,
    )


@bp.get("/admin/contribution-types")
@organizer_required
def types_index():
    in_use = (
        select(func.count(Contribution.id))
        .where(Contribution.type_id == ContributionType.id)
        .scalar_subquery()
    )
    rows = get_session().execute(
        select(ContributionType, in_use.label("in_use")).order_by(
            ContributionType.retired, ContributionType.position, ContributionType.name
        )
    )
    return render_template("contributions/types_index.html", rows=rows.all())


@bp.post("/admin/contribution-types/defaults")
@organizer_required
def types_seed():
    added = services.seed_contribution_types(get_session(), current_user._get_current_object())
    commit()
    if added:
        flash(f"Added {len(added)} default types.", "success")
    else:
        flash("Every default type exists already.", "info")
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
            session.rollback()
            attach_error(form, exc)
        else:
            commit()
            flash(f"Type “{contribution_type.name}” saved.", "success")
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
