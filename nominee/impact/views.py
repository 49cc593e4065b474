"""Organizers tune the score (per cycle) and the guidance (per category)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from nominee.categories.models import Category
from nominee.contributions import queries as contributions
from nominee.cycles.models import Cycle
from nominee.errors import DomainError
from nominee.i18n import _
from nominee.impact import queries, services
from nominee.impact.forms import GuidanceForm, ImpactSettingsForm
from nominee.impact.models import GuidanceMode, ImpactGuidance
from nominee.uow import get_session
from nominee.web import attach_error, organizer_required

bp = Blueprint("impact", __name__)


@bp.route("/cycles/<int:cycle_id>/impact", methods=["GET", "POST"])
@organizer_required
def settings(cycle_id: int):
    session = get_session()
    cycle = session.get(Cycle, cycle_id) or abort(404)
    form = ImpactSettingsForm()
    form.configure(
        [t for t in contributions.all_types(session) if not t.retired],
        formdata=request.form if request.method == "POST" else None,
        config=queries.cycle_config(session, cycle.id),
    )
    if form.validate_on_submit():
        try:
            services.save_settings(
                session,
                current_user._get_current_object(),
                cycle,
                form.values(),
                form.type_weights(),
            )
        except DomainError as exc:
            attach_error(form, exc)
        else:
            flash(
                _("The impact score settings of %(cycle)s are saved.", cycle=cycle.name), "success"
            )
            return redirect(url_for("impact.settings", cycle_id=cycle.id))
    status = 400 if request.method == "POST" else 200
    return render_template("impact/settings.html", form=form, cycle=cycle), status


@bp.get("/admin/impact-guidance")
@organizer_required
def guidance_index():
    return render_template("impact/guidance_index.html", rows=queries.guidance_rows(get_session()))


@bp.route("/admin/impact-guidance/<int:category_id>", methods=["GET", "POST"])
@organizer_required
def guidance_edit(category_id: int):
    session = get_session()
    category = session.get(Category, category_id) or abort(404)
    guidance = session.get(ImpactGuidance, category.id)
    form = GuidanceForm(obj=guidance if request.method == "GET" else None)
    if request.method == "GET" and guidance is not None:
        form.mode.data = guidance.mode.value
    if form.validate_on_submit():
        try:
            services.set_guidance(
                session,
                current_user._get_current_object(),
                category,
                GuidanceMode(form.mode.data),
                form.score.data,
            )
        except DomainError as exc:
            attach_error(form, exc)
        else:
            flash(_("The guidance for %(category)s is saved.", category=category.name), "success")
            return redirect(url_for("impact.guidance_index"))
    status = 400 if request.method == "POST" else 200
    return render_template("impact/guidance_form.html", form=form, category=category), status
