from __future__ import annotations

import time
from functools import cache

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from markupsafe import Markup

from nominee import clock, i18n, localization
from nominee.accounts import passwords, queries, rules, services
from nominee.accounts.forms import (
    AccountSearchForm,
    ActivationForm,
    BrowserZoneForm,
    ConfirmEmailForm,
    EmailChangeForm,
    ForgotPasswordForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    ProfileForm,
    ReadingForm,
    RegisterForm,
    RoleForm,
)
from nominee.accounts.models import Role, User
from nominee.categories import queries as categories
from nominee.errors import DomainError
from nominee.extensions import fails_closed, limiter, login_manager
from nominee.i18n import _, _l
from nominee.uow import get_session, keep, refuse
from nominee.web import (
    attach_error,
    choices,
    flash_form_errors,
    is_safe_redirect,
    login_required,
    organizer_required,
    page_number,
    redirect_next,
)

bp = Blueprint("accounts", __name__)

login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please log in to see that page.")
login_manager.localize_callback = str  # the lazy message, in the reader's language
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(login_id: str) -> User | None:
    user = queries.logged_in_user(
        get_session(), login_id, time.time(), current_app.config["REMEMBER_COOKIE_DURATION"]
    )
    if user is not None:
        localization.remember_reader(user)
    return user


@bp.before_app_request
def note_verification_policy() -> None:
    """REQUIRE_VERIFIED_EMAIL for the rules of this request (they import no Flask)."""
    g.verification_policy = rules.verification_required.set(
        bool(current_app.config["REQUIRE_VERIFIED_EMAIL"])
    )


@bp.teardown_app_request
def forget_verification_policy(exc: BaseException | None) -> None:
    token = g.pop("verification_policy", None)
    if token is not None:
        rules.verification_required.reset(token)


@bp.app_context_processor
def verification_helpers() -> dict[str, object]:
    return {"awaits_verification": rules.awaits_verification}


def mail_links() -> services.MailLinks:
    """The links of account mail, as paths of this site (the mail makes them absolute)."""
    return services.MailLinks(
        secret=current_app.config["SECRET_KEY"],
        verify=lambda token: url_for("accounts.verify_email", token=token),
        reset=lambda token: url_for("accounts.reset_password", token=token),
        login=url_for("accounts.login"),
        forgot=url_for("accounts.forgot_password"),
    )


def _address_key() -> str:
    """The rate-limit key of the address a form names (per address, whoever asks)."""
    return "address:" + services.normalise_email(request.form.get("email", ""))[:254]


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
        try:
            # A taken address answers exactly as a free one: its owner gets a mail instead.
            services.sign_up(
                get_session(),
                display_name=form.display_name.data or "",
                email=form.email.data or "",
                password=form.password.data or "",
                links=mail_links(),
                # The language the visitor reads the site in (their Accept-Language), so
                # a member from Spain keeps Spanish; the zone their browser gave, if any.
                language=i18n.current().language,
                time_zone=form.time_zone.data or "",
            )
        except DomainError as exc:
            attach_error(form, exc)
        else:
            return redirect(url_for("accounts.check_inbox", after="registering"))
    return render_template("accounts/register.html", form=form), 200 if not form.errors else 400


@bp.get("/check-inbox")
def check_inbox():
    """What registering and asking for a reset answer, whatever the address."""
    after = "reset" if request.args.get("after") == "reset" else "registering"
    return render_template("accounts/check_inbox.html", after=after)


@bp.route("/verify/<token>", methods=["GET", "POST"])
@_limit("RATELIMIT_LOGIN")
def verify_email(token: str):
    """A verification link: a page with a button (mail scanners that fetch links change
    nothing), whose POST confirms the address (and logs nobody in)."""
    form = ConfirmEmailForm()
    secret = current_app.config["SECRET_KEY"]
    try:
        if form.validate_on_submit():
            user, confirmed = services.confirm_email(get_session(), secret, token)
        else:
            user, pending = services.account_to_verify(get_session(), secret, token)
            if pending:
                return render_template("accounts/verify.html", form=form, user=user)
            confirmed = False
    except DomainError as exc:
        return render_template(
            "accounts/link_refused.html", reason=exc.message, purpose="verify"
        ), 400
    if confirmed:
        # Confirming logs nobody in: whoever registered an address they do not own must
        # not have its owner land, by one click, in an account whose password they know.
        if current_user.is_authenticated and current_user.id == user.id:
            flash(_("Your email address is confirmed. Welcome to the community!"), "success")
            return redirect(url_for("home.index"))
        flash(_("Your email address is confirmed. Log in with your password."), "success")
        return redirect(url_for("accounts.login"))
    flash(_("Your email address is already confirmed."), "info")
    return redirect(url_for("home.index" if current_user.is_authenticated else "accounts.login"))


@bp.post("/account/verify/resend")
@limiter.limit(lambda: current_app.config["RATELIMIT_VERIFY_RESEND"])
@login_required
def resend_verification():
    user: User = current_user._get_current_object()
    form = ConfirmEmailForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
    else:
        try:
            services.send_verification(get_session(), user, mail_links())
        except DomainError as exc:
            flash(exc.message, "info")
        else:
            flash(_("We sent a new link to %(address)s.", address=user.email), "success")
    target = request.form.get("next", "")
    return redirect(target if target and is_safe_redirect(target) else url_for("home.index"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["RATELIMIT_RESET_ADDRESS"], key_func=_address_key, methods=["POST"]
)
@_limit("RATELIMIT_RESET")
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(get_session(), form.email.data or "", mail_links())
        return redirect(url_for("accounts.check_inbox", after="reset"))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/forgot.html", form=form), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@_limit("RATELIMIT_PASSWORD")
def reset_password(token: str):
    form = PasswordResetForm()
    session = get_session()
    secret = current_app.config["SECRET_KEY"]
    try:
        services.account_to_reset(session, secret, token)
    except DomainError as exc:
        return render_template(
            "accounts/link_refused.html", reason=exc.message, purpose="reset"
        ), 400
    if form.validate_on_submit():
        try:
            user = services.reset_password(
                session, secret, token, form.new_password.data or "", mail_links()
            )
        except DomainError as exc:
            attach_error(form, exc)
        else:
            # Every earlier session is over (new session token); this browser, which
            # just proved the mailbox and gave the new password, starts a new one.
            user.login_started_at = int(time.time())
            login_user(user)
            flash(
                _("Your password is changed, and every other session of your account has ended."),
                "success",
            )
            return redirect(url_for("home.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/reset.html", form=form), status


def _account_key() -> str:
    """The rate-limit key of the account a login form names."""
    return "login:" + services.normalise_email(request.form.get("email", ""))[:254]


# Two limits: per account (guessing one member's password) and, higher, per client
# address (guessing across accounts), so that an organizer switching between demo
# accounts from one address is not locked out (issue 20).
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["RATELIMIT_LOGIN_ACCOUNT"], key_func=_account_key, methods=["POST"]
)
@_limit("RATELIMIT_LOGIN")
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if current_user.is_authenticated and request.method == "GET":
        return redirect_next(url_for("home.index"))
    if form.validate_on_submit():
        user = services.authenticate(get_session(), form.email.data or "", form.password.data or "")
        if user is None:
            keep()  # the failed login's audit entry, though the answer is 400
            form.form_errors.append("Wrong email or password.")
        else:
            login_user(user, remember=form.remember.data)
            flash(_("Welcome back, %(name)s.", name=user.display_name), "success")
            target = form.next.data
            return redirect(
                target if target and is_safe_redirect(target) else url_for("home.index")
            )
    return render_template(
        "accounts/login.html", form=form
    ), 200 if not form.errors and not form.form_errors else 400


@bp.post("/logout")
@login_required
def logout():
    services.log_out_everywhere(get_session(), current_user._get_current_object())
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("home.index"))


@bp.route("/account/profile", methods=["GET", "POST"])
@login_required
def edit_profile():
    user: User = current_user._get_current_object()
    form = ProfileForm(obj=user if request.method == "GET" else None)
    options = categories.active_choices(get_session())
    form.primary_category_id.choices = choices([(0, _("None")), *options])
    form.category_ids.choices = choices(options)
    if request.method == "GET":
        form.primary_category_id.data = user.primary_category_id or 0
        form.category_ids.data = [c.id for c in user.categories]
        for name, link in zip(ProfileForm.LINK_FIELDS, user.links, strict=False):
            getattr(form, name).data = link
    if form.validate_on_submit() & form.validate_link_scheme():
        try:
            services.update_profile(
                get_session(),
                user,
                display_name=form.display_name.data or "",
                bio_md=form.bio_md.data or "",
                location=form.location.data or "",
                country=form.country.data or "",
                profile_public=bool(form.profile_public.data),
                links=[getattr(form, name).data or "" for name in ProfileForm.LINK_FIELDS],
                primary_category_id=form.primary_category_id.data or None,
                category_ids=form.category_ids.data or [],
            )
        except DomainError as exc:
            attach_error(form, exc)
        else:
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("accounts.edit_profile"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "accounts/profile_edit.html",
        form=form,
        password_form=PasswordChangeForm(formdata=None),
        email_form=EmailChangeForm(formdata=None),
    ), status


@cache
def _zone_options() -> Markup:
    """The ~600 zones of the form's suggestion list, drawn once per process (the zones
    are those of the process's time zone data, the same for every reader)."""
    return Markup("").join(
        Markup('<option value="{}"></option>').format(name) for name in i18n.time_zones()
    )


def _reading_choices(form: ReadingForm) -> None:
    form.language.choices = choices(
        [("", _("The one my browser asks for")), *i18n.LANGUAGES.items()]
    )
    form.theme.choices = choices((value, _(label)) for value, label in services.THEMES.items())


@bp.route("/account/language", methods=["GET", "POST"])
@login_required
def edit_reading():
    """Language, time zone and colour theme."""
    user: User = current_user._get_current_object()
    form = ReadingForm(obj=user if request.method == "GET" else None)
    _reading_choices(form)
    if form.validate_on_submit():
        try:
            services.update_reading(
                get_session(),
                user,
                language=form.language.data or "",
                time_zone=form.time_zone.data or "",
                theme=form.theme.data or "",
            )
        except DomainError as exc:
            attach_error(form, exc)
        else:
            # Said in the new language, as the next page reads.
            with i18n.reading(user.language or i18n.current().language, user.time_zone):
                flash(_("Your language and time settings are saved."), "success")
            return redirect(url_for("accounts.edit_reading"))
    return render_template(
        "accounts/reading.html",
        form=form,
        zone_options=_zone_options(),
        programme_zone=i18n.programme_time_zone(),
        now=clock.now(),
    ), 400 if form.errors else 200


@bp.post("/account/time-zone")
@login_required
def browser_time_zone():
    """The browser's zone, sent once by static/js/zone.js for a member who has none:
    stored when valid, never over a zone the member chose. 204 either way, no page."""
    form = BrowserZoneForm()
    if not form.validate_on_submit():
        return "", 400
    services.default_time_zone(
        get_session(), current_user._get_current_object(), form.time_zone.data or ""
    )
    return "", 204


@bp.route("/account/password", methods=["GET", "POST"])
@_limit("RATELIMIT_PASSWORD")
@login_required
def change_password():
    user: User = current_user._get_current_object()
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                get_session(),
                user,
                form.current_password.data or "",
                form.new_password.data or "",
                mail_links(),
            )
        except DomainError as exc:
            attach_error(form, exc)
        else:
            # Every other session is gone with the old token; keep this one going.
            login_user(user)
            flash(_("Your password is changed. Other sessions were logged out."), "success")
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
        try:
            services.change_email(
                get_session(),
                user,
                form.current_password.data or "",
                form.email.data or "",
                mail_links(),
            )
        except DomainError as exc:
            attach_error(form, exc)
        else:
            login_user(user)
            flash(
                _(
                    "Your email is changed. Open the link we sent to %(address)s to confirm it.",
                    address=user.email,
                ),
                "success",
            )
            return redirect(url_for("accounts.edit_profile"))
    return render_template(
        "accounts/email.html", form=form
    ), 400 if request.method == "POST" else 200


@bp.get("/admin/accounts")
@organizer_required
def accounts_list():
    form = AccountSearchForm(request.args)
    valid = form.validate()
    page = queries.accounts_page(
        get_session(),
        search=form.q.data if valid else None,
        role=Role(form.role.data) if valid and form.role.data else None,
        page=page_number(),
        per_page=current_app.config["PER_PAGE"],
    )
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
    elif not passwords.verify_password(actor.password_hash, form.current_password.data or ""):
        flash(_("Your password is not correct; the role was not changed."), "error")
    else:
        try:
            services.change_role(get_session(), actor, target, Role(form.role.data))
        except DomainError as exc:
            refuse()  # the redirect below must not commit what the service flushed
            flash(exc.message, "error")
        else:
            flash(
                _(
                    "%(name)s is now %(role)s.",
                    name=target.display_name,
                    role=_(target.role.label).lower(),
                ),
                "success",
            )
    return redirect(url_for("accounts.accounts_list"))


@bp.post("/admin/accounts/<int:user_id>/active")
@organizer_required
def set_active(user_id: int):
    target = _target(user_id)
    form = ActivationForm()
    active = request.form.get("active") == "1"
    if form.validate_on_submit():
        try:
            services.set_active(get_session(), current_user._get_current_object(), target, active)
        except DomainError as exc:
            refuse()  # the redirect below must not commit what the service flushed
            flash(exc.message, "error")
        else:
            done = (
                _("%(name)s is reactivated.", name=target.display_name)
                if active
                else _("%(name)s is deactivated.", name=target.display_name)
            )
            flash(done, "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("accounts.accounts_list"))
