"""First-run set-up and the programme's settings (the blueprint ``programme``).

``/setup`` leads the first organizer through the programme's name and time zone, its
categories (suggestions to keep, rename or leave out) and its contribution types (the
defaults ``make migrate`` seeds, shown to accept). Once done, the same page changes the
name and time zone. The first organizer is the first account registered on an empty
database (``accounts.services.register``, one at a time even under concurrent sign-ups)
or one made with ``create-organizer``.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from nominee import i18n
from nominee.contributions.models import ContributionType
from nominee.errors import DomainError
from nominee.i18n import _, ngettext
from nominee.programme import services
from nominee.programme.forms import EXTRA_CATEGORY_ROWS, SettingsForm, SetUpForm
from nominee.programme.models import SETTINGS_ID, ProgrammeSettings
from nominee.uow import get_cache, get_session
from nominee.web import attach_error, organizer_required

bp = Blueprint("programme", __name__)

# Endpoints that never need the programme's settings: files from disk, and the health
# checks, which must answer for themselves when the database does not.
NO_SETTINGS = frozenset({"static", "favicon", "health.healthz", "health.readyz"})


def programme() -> services.Programme:
    """This request's snapshot of the programme's settings (from the shared cache)."""
    found = g.get("programme")
    if found is None:
        found = g.programme = services.current(
            get_session(), get_cache(), max_age=current_app.config["PROGRAMME_SETTINGS_SECONDS"]
        )
    return found


def programme_name() -> str:
    """The name organizers gave, else ``PROGRAMME_NAME``. Never a query of its own: an
    error page drawn because the database failed still gets a title."""
    found = g.get("programme")
    return (found.name if found else "") or current_app.config["PROGRAMME_NAME"]


def init_app(app: Flask) -> None:
    app.config.setdefault("PROGRAMME_SETTINGS_SECONDS", services.CACHE_SECONDS)

    @app.before_request
    def read_settings() -> None:
        # Before anything reads the time: the programme's zone is the organizers'.
        if request.endpoint not in NO_SETTINGS:
            programme()

    @app.context_processor
    def settings() -> dict[str, object]:
        return {"programme": programme, "programme_name": programme_name}


@bp.route("/setup", methods=["GET", "POST"])
@organizer_required
def setup():
    session = get_session()
    state = services.current(session, max_age=0)
    row = session.get(ProgrammeSettings, SETTINGS_ID)
    if state.set_up:
        return _settings(session, row)
    form = SetUpForm()
    if request.method == "GET":
        form.name.data = (row.name if row else "") or current_app.config["PROGRAMME_NAME"]
        form.time_zone.data = (row.time_zone if row else "") or i18n.programme_time_zone()
        for name, description in services.DEFAULT_CATEGORIES:
            form.categories.append_entry(
                {"keep": True, "name": _(name), "description": _(description)}
            )
        for _row in range(EXTRA_CATEGORY_ROWS):
            form.categories.append_entry({"keep": False, "name": "", "description": ""})
    if form.validate_on_submit():
        chosen = [
            (entry.form.name.data or "", entry.form.description.data or "")
            for entry in form.categories
            if entry.form.keep.data and (entry.form.name.data or "").strip()
        ]
        try:
            created = services.set_up(
                session,
                current_user,
                name=form.name.data or "",
                time_zone=form.time_zone.data or "",
                categories_chosen=chosen,
                add_types=bool(form.add_types.data),
            )
        except DomainError as exc:
            attach_error(form, exc)  # a category's own refusal shows above the form
        else:
            flash(
                ngettext(
                    "The programme is set up, with %(num)d new category. "
                    "Members can now log their contributions.",
                    "The programme is set up, with %(num)d new categories. "
                    "Members can now log their contributions.",
                    len(created),
                ),
                "success",
            )
            return redirect(url_for("home.index"))
    types = session.scalars(select(ContributionType).order_by(ContributionType.position)).all()
    status = 400 if request.method == "POST" else 200
    return render_template("programme/setup.html", form=form, types=types, state=state), status


def _settings(session, row):
    form = SettingsForm()
    if request.method == "GET":
        form.name.data = (row.name if row else "") or current_app.config["PROGRAMME_NAME"]
        form.time_zone.data = (row.time_zone if row else "") or i18n.programme_time_zone()
    if form.validate_on_submit():
        try:
            services.save(
                session,
                current_user,
                name=form.name.data or "",
                time_zone=form.time_zone.data or "",
            )
        except DomainError as exc:
            attach_error(form, exc)
        else:
            flash(_("The programme's settings are saved."), "success")
            return redirect(url_for("programme.setup"))
    status = 400 if request.method == "POST" else 200
    return render_template("programme/settings.html", form=form), status
