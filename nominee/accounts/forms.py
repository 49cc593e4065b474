from __future__ import annotations

from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import URL, DataRequired, Email, Length, Optional

from nominee import countries
from nominee.accounts.models import Role
from nominee.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from nominee.i18n import _l
from nominee.web import BaseForm, choices

PASSWORD_HELP = f"At least {MIN_LENGTH} characters. A long phrase is easiest to remember."


class RegisterForm(BaseForm):
    display_name = StringField("Display name", validators=[DataRequired(), Length(min=2, max=80)])
    email = EmailField(
        "Email", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(min=MIN_LENGTH, max=MAX_LENGTH)],
        description=PASSWORD_HELP,
    )

    # The browser's time zone, filled by static/js/zone.js; empty without JavaScript.
    time_zone = HiddenField(
        validators=[Optional(), Length(max=64)], render_kw={"data-browser-zone": ""}
    )


class ReadingForm(BaseForm):
    """Language, time zone and colour theme. The choices are checked by the service
    (``services.update_reading``), which says what is wrong next to the field."""

    language = SelectField(
        _l("Language"),
        validate_choice=False,
        description=_l("The language of the pages and of the emails we send you."),
    )
    time_zone = StringField(
        _l("Time zone"),
        validators=[Optional(), Length(max=64)],
        description=_l(
            "Times are shown in this zone, and so are the times in your emails. Type a "
            "city or region (such as Europe/Madrid) and pick it from the list; leave it "
            "empty to use the programme's time zone."
        ),
        render_kw={"list": "time-zones", "autocomplete": "off", "spellcheck": "false"},
    )
    theme = SelectField(_l("Colour theme"), validate_choice=False)


class BrowserZoneForm(BaseForm):
    """The browser's zone, posted once by static/js/zone.js (with the CSRF token)."""

    time_zone = HiddenField(validators=[DataRequired(), Length(max=64)])


class LoginForm(BaseForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    remember = BooleanField("Remember me for 30 days")
    next = HiddenField()


class ProfileForm(BaseForm):
    display_name = StringField("Display name", validators=[DataRequired(), Length(min=2, max=80)])
    bio_md = TextAreaField(
        "Bio",
        validators=[Optional(), Length(max=5000)],
        description="Markdown. Tell the community what you work on.",
    )
    location = StringField("Location", validators=[Optional(), Length(max=120)])
    country = SelectField(
        "Country",
        choices=choices([("", "Not given"), *countries.names().items()]),
        default="",
        description="Visitors can find awardees by country in the awardee directory.",
    )
    profile_public = BooleanField(
        "Public profile",
        default=True,
        description="On: anyone, logged in or not, can see your page (bio, links, public "
        "contributions, endorsements and awards), and your current awards are listed in "
        "the public awardee directory. Off: visitors who are not logged in see only your "
        "name on your page, and the directory leaves you out. Members who are logged in "
        "still see your page, and each award stays verifiable by its own link either way.",
    )
    link1 = StringField("Link 1", validators=[Optional(), URL(require_tld=False), Length(max=500)])
    link2 = StringField("Link 2", validators=[Optional(), URL(require_tld=False), Length(max=500)])
    link3 = StringField("Link 3", validators=[Optional(), URL(require_tld=False), Length(max=500)])
    link4 = StringField("Link 4", validators=[Optional(), URL(require_tld=False), Length(max=500)])
    link5 = StringField("Link 5", validators=[Optional(), URL(require_tld=False), Length(max=500)])
    primary_category_id = SelectField("Primary category", coerce=int, validators=[Optional()])
    category_ids = SelectMultipleField("Other categories", coerce=int, validators=[Optional()])

    LINK_FIELDS = ("link1", "link2", "link3", "link4", "link5")

    def validate_link_scheme(self) -> bool:
        ok = True
        for name in self.LINK_FIELDS:
            field = getattr(self, name)
            if field.data and not field.data.lower().startswith(("http://", "https://")):
                field.errors = [*field.errors, "Use an http:// or https:// address."]
                ok = False
        return ok


class PasswordChangeForm(BaseForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=MIN_LENGTH, max=MAX_LENGTH)],
        description=PASSWORD_HELP,
    )


class EmailChangeForm(BaseForm):
    email = EmailField(
        "New email",
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    current_password = PasswordField("Current password", validators=[DataRequired()])


class ForgotPasswordForm(BaseForm):
    email = EmailField(
        "Email", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )


class PasswordResetForm(BaseForm):
    new_password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=MIN_LENGTH, max=MAX_LENGTH)],
        description=PASSWORD_HELP,
    )


class ConfirmEmailForm(BaseForm):
    """An empty form: only the CSRF token, for "confirm my address" and "send it again"."""


class RoleForm(BaseForm):
    role = SelectField("Role", choices=choices((r.value, r.label) for r in Role))
    current_password = PasswordField(
        "Your password", validators=[DataRequired()], description="Confirm role changes."
    )


class ActivationForm(BaseForm):
    """An empty form: only the CSRF token, for the deactivate/reactivate buttons."""


class AccountSearchForm(BaseForm):
    class Meta:
        csrf = False

    q = StringField("Search", validators=[Optional(), Length(max=100)])
    role = SelectField(
        "Role", choices=choices([("", "Any role")] + [(r.value, r.label) for r in Role]), default=""
    )
