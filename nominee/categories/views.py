from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from nominee.categories import queries, services
from nominee.categories.forms import CategoryForm
from nominee.categories.models import Category
from nominee.errors import DomainError
from nominee.i18n import _
from nominee.uow import get_session
from nominee.web import attach_error, organizer_required

bp = Blueprint("categories", __name__, url_prefix="/admin/categories")


@bp.get("/")
@organizer_required
def index():
    categories = queries.for_organizers(get_session())
    return render_template("categories/index.html", categories=categories)


@bp.route("/new", methods=["GET", "POST"])
@organizer_required
def create():
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            category = services.create_category(
                get_session(),
                current_user,
                name=form.name.data or "",
                description=form.description.data or "",
            )
        except DomainError as exc:
            attach_error(form, exc)
        else:
            flash(_("Category “%(name)s” created.", name=category.name), "success")
            return redirect(url_for("categories.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("categories/form.html", form=form, category=None), status


@bp.route("/<int:category_id>/edit", methods=["GET", "POST"])
@organizer_required
def edit(category_id: int):
    session = get_session()
    category = session.get(Category, category_id) or abort(404)
    form = CategoryForm(obj=category)
    if form.validate_on_submit():
        try:
            services.update_category(
                session,
                current_user,
                category,
                name=form.name.data or "",
                description=form.description.data or "",
                retired=form.retired.data,
            )
        except DomainError as exc:
            attach_error(form, exc)
        else:
            flash(_("Category “%(name)s” saved.", name=category.name), "success")
            return redirect(url_for("categories.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("categories/form.html", form=form, category=category), status
