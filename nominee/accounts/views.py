from __future__ import annotations

import time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import or_, select

from nominee.accounts import passwords, services
from nominee.accounts.forms import (
    AccountSearchForm,
    ActivationForm,
    EmailChangeForm,
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    RegisterForm,
    RoleForm,
)
from nominee.accounts.models import Role, User
from nominee.accounts.rules import login_expired
from nominee.categories.models import Category
from nominee.errors import DomainError
from nominee.extensions import fails_closed, limiter, login_manager
from nominee.uow import commit, get_session
from nominee.web import (
    attach_error,
    choices,
    flash_form_errors,
    is_safe_redirect,
    login_required,
    organizer_required,
    paginate,
    redirect_next,
)

bp = Blueprint("accounts", __name__)

login_manager.login_view = "accounts.login"
login_manager.login_message = "Please log in to see that page."
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(login_id: str) -> User | None:
    """The account of a session or remember-me cookie: ``<id>:<session token>:<login
    start>`` (see ``User.get_id``), while the token is current and the login not expired."""
    user_id, token, started = [*login_id.split(":", 2), "", ""][:3]
    if not user_id.isdigit() or not token or not started.isdigit():
        return None
    if login_expired(int(started), time.time(), current_app.config["REMEMBER_COOKIE_DURATION"]):
        return None
    user = get_session().get(User, int(user_id))
    if user is None or not user.is_active or user.session_token != token:
        return None
    user.login_started_at = int(started)
    return user


def _limit(name: str):
    """The POST limit ``name`` of an endpoint that checks or sets a password; it refuses
    with 503 while the shared counters are unreachable (``fails_closed``)."""
    limit = limiter.limit(lambda: current_app.config[name], methods=["POST"])
    return lambda view: limit(fails_closed(view))


@bp.route("/register", methods=["GET", "POST"])
@_limit("RATELIMIT_REGISTER")
def register():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        session = get_session()
        try:
            user = services.register(
                session,
                display_name=form.display_name.data,
                email=form.email.data,
                password=form.password.data,
            )
        except DomainError as exc:
            session.rollback()
            attach_error(form, exc)
        else:
            commit()
            login_user(user)
            if user.is_organizer:
                flash(
                    "Welcome! As the first account you are this programme's organizer.", "success"
                )
            else:
                flash("Welcome to the community! Log your first contribution.", "success")
            return redirect(url_for("home.index"))
    return render_template("accounts/register.html", form=form), 200 if not form.errors else 400


@bp.route("/login", methods=["GET", "POST"])
@_limit("RATELIMIT_LOGIN")
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if current_user.is_authenticated and request.method == "GET":
        return redirect_next(url_for("home.index"))
    if form.validate_on_submit():
        session = get_session()
        user = services.authenticate(session, form.email.data, form.password.data)
        commit()
        if user is None:
            form.form_errors.append("Wrong email or password.")
        else:
            login_user(user, remember=form.remember.data)
            flash(f"Welcome back, {user.display_name}.", "success")
            target = form.next.data
            return redirect(target if is_safe_redirect(target) else url_for("home.index"))
    return render_template(
        "accounts/login.html", form=form
    ), 200 if not form.errors and not form.form_errors else 400


@bp.post("/logout")
@login_required
def logout():
    services.log_out_everywhere(get_session(), current_user._get_current_object())
    commit()
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("home.index"))


def _category_choices() -> list[tuple[int, str]]:
    rows = get_session().execute(
        select(Category.id, Category.name)
        .where(Category.retired.is_(False))
        .order_by(Category.name)
    )
    return [(row.id, row.name) for row in rows]


@bp.route("/account/profile", methods=["GET", "POST"])
@login_required
def edit_profile():
    user: User = current_user._get_current_object()
    form = ProfileForm(obj=user if request.method == "GET" else None)
    options = _category_choices()
    form.primary_category_id.choices = choices([(0, "None"), *options])
    form.category_ids.choices = choices(options)
    if request.method == "GET":
        form.primary_category_id.data = user.primary_category_id or 0
        form.category_ids.data = [c.id for c in user.categories]
        for name, link in zip(ProfileForm.LINK_FIELDS, user.links, strict=False):
            getattr(form, name).data = link
    if form.validate_on_submit() & form.validate_link_scheme():
        session = get_session()
        try:
            services.update_profile(
                session,
                user,
                display_name=form.display_name.data,
                bio_md=form.bio_md.data or "",
                location=form.location.data or "",
                links=[getattr(form, name).data or "" for name in ProfileForm.LINK_FIELDS],
                primary_category_id=form.primary_category_id.data or None,
                category_ids=form.category_ids.data or [],
            )
        except DomainError as exc:
            session.rollback()
            attach_error(form, exc)
        else:
            commit()
            flash("Your profile is saved.", "success")
            return redirect(url_for("accounts.edit_profile"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "accounts/profile_edit.html",
        form=form,
        password_form=PasswordChangeForm(formdata=None),
        email_form=EmailChangeForm(formdata=None),
    ), status


@bp.route("/account/password", methods=["GET", "POST"])
@_limit("RATELIMIT_PASSWORD")
@login_required
def change_password():
    user: User = current_user._get_current_object()
    form = PasswordChangeForm()
    if form.validate_on_submit():
        session = get_session()
        try:
            services.change_password(
                session, user, form.current_password.data, form.new_password.data
            )
        except DomainError as exc:
            session.rollback()
            attach_error(form, exc)
        else:
            commit()
            # Every other session is gone with the old token; keep this one going.
            login_user(user)
            flash("Your password is changed. Other sessions were logged out.", "success")
            return redirect(url_for("accounts.edit_profile"))
    return render_template(
        "accounts/password.html", form=form
    ), 400 if request.method == "POST" else 200


@bp.route("/account/email", methods=["GET", "POST"])
@_limit("RATELIMIT_PASSWORD")
@login_required
def change_email():
    user: User = current_user._get_current_object()
    form = EmailChangeForm()
    if form.validate_on_submit():
        session = get_session()
        try:
            services.change_email(session, user, form.current_password.data, form.email.data)
        except DomainError as exc:
            session.rollback()
            attach_error(form, exc)
        else:
            commit()
            login_user(user)
            flash("Your email is changed.", "success")
            return redirect(url_for("accounts.edit_profile"))
    return render_template(
        "accounts/email.html", form=form
    ), 400 if request.method == "POST" else 200


@bp.get("/admin/accounts")
@organizer_required
def accounts_list():
    form = AccountSearchForm(request.args)
    stmt = select(User).order_by(User.display_name, User.id)
    if form.validate():
        if form.q.data:
            pattern = f"%{form.q.data.strip().lower()}%"
            stmt = stmt.where(or_(User.email.like(pattern), User.display_name.ilike(pattern)))
        if form.role.data:
            stmt = stmt.where(User.role == Role(form.role.data))
    page = paginate(stmt, current_app.config["PER_PAGE"])
    return render_template(
        "accounts/admin_list.html",
        form=form,
        page=page,
        role_form=RoleForm(formdata=None),
        activation_form=ActivationForm(formdata=None),
    )


def _target(user_id: int) -> User:
    user = get_session().get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.post("/admin/accounts/<int:user_id>/role")
@organizer_required
def set_role(user_id: int):
    target = _target(user_id)
    form = RoleForm()
    actor: User = current_user._get_current_object()
    if not form.validate_on_submit():
        flash_form_errors(form)
    elif not passwords.verify_password(actor.password_hash, form.current_password.data):
        flash("Your password is not correct; the role was not changed.", "error")
    else:
        session = get_session()
        try:
            services.change_role(session, actor, target, Role(form.role.data))
        except DomainError as exc:
            session.rollback()
            flash(exc.message, "error")
        else:
            commit()
            flash(f"{target.display_name} is now {target.role.label.lower()}.", "success")
    return redirect(url_for("accounts.accounts_list"))


@bp.post("/admin/accounts/<int:user_id>/active")
@organizer_required
def set_active(user_id: int):
    target = _target(user_id)
    form = ActivationForm()
    active = request.form.get("active") == "1"
    if form.validate_on_submit():
        session = get_session()
        try:
            services.set_active(session, current_user._get_current_object(), target, active)
        except DomainError as exc:
            session.rollback()
            flash(exc.message, "error")
        else:
            commit()
            flash(
                f"{target.display_name} is {'reactivated' if active else 'deactivated'}.", "success"
            )
    else:
        flash_form_errors(form)
    return redirect(url_for("accounts.accounts_list"))
