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
from nominee.i18n import _, _l
from nominee.web import BaseForm, choices
from nominee.widgets import Select

PASSWORD_HELP = _l(
    "At least %(min)d characters. A long phrase is easiest to remember.", min=MIN_LENGTH
)
# Our words, not WTForms' ("Field must be between 2 and 80 characters long.").
REQUIRED = _l("Fill this in.")
NAME_LENGTH = _l("Between %(min)d and %(max)d characters.")
PASSWORD_LENGTH = _l("Between %(min)d and %(max)d characters.")
TOO_LONG = _l("At most %(max)d characters.")
EMAIL = _l("Enter an email address, such as name@example.org.")
WEB_ADDRESS = _l("Enter a web address, such as https://example.org.")


class RegisterForm(BaseForm):
    display_name = StringField(
        _l("Display name"),
        validators=[DataRequired(REQUIRED), Length(min=2, max=80, message=NAME_LENGTH)],
    )
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(REQUIRED),
            Email(EMAIL, check_deliverability=False),
            Length(max=254, message=TOO_LONG),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(REQUIRED),
            Length(min=MIN_LENGTH, max=MAX_LENGTH, message=PASSWORD_LENGTH),
        ],
        description=PASSWORD_HELP,
    )

    # The browser's time zone, filled by static/js/zone.js; empty without JavaScript.
    time_zone = HiddenField(
        validators=[Optional(), Length(max=64, message=TOO_LONG)],
        render_kw={"data-browser-zone": ""},
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
        validators=[Optional(), Length(max=64, message=TOO_LONG)],
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

    time_zone = HiddenField(validators=[DataRequired(REQUIRED), Length(max=64, message=TOO_LONG)])


class LoginForm(BaseForm):
    email = EmailField(
        _l("Email"), validators=[DataRequired(REQUIRED), Length(max=254, message=TOO_LONG)]
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(REQUIRED), Length(max=1024, message=TOO_LONG)]
    )
    remember = BooleanField(_l("Remember me for 30 days"))
    next = HiddenField()


class ProfileForm(BaseForm):
    display_name = StringField(
        _l("Display name"),
        validators=[DataRequired(REQUIRED), Length(min=2, max=80, message=NAME_LENGTH)],
    )
    bio_md = TextAreaField(
        _l("Bio"),
        validators=[Optional(), Length(max=5000, message=TOO_LONG)],
        description=_l("Markdown. Tell the community what you work on."),
    )
    location = StringField(
        _l("Location"), validators=[Optional(), Length(max=120, message=TOO_LONG)]
    )
    country = SelectField(
        _l("Country"),
        choices=choices([("", _l("Not given")), *countries.names().items()]),
        default="",
        description=_l("Visitors can find awardees by country in the awardee directory."),
        # The ~250 countries' options written once per language (``nominee.widgets``).
        widget=Select(fixed=True),
    )
    profile_public = BooleanField(
        _l("Public profile"),
        default=True,
        description=_l(
            "On: anyone, logged in or not, can see your page (bio, links, public "
            "contributions, endorsements and awards), and your current awards are listed in "
            "the public awardee directory. Off: visitors who are not logged in see only your "
            "name on your page, and the directory leaves you out. Members who are logged in "
            "still see your page, and each award stays verifiable by its own link either way."
        ),
    )
    link1 = StringField(
        _l("Link 1"),
        validators=[
            Optional(),
            URL(require_tld=False, message=WEB_ADDRESS),
            Length(max=500, message=TOO_LONG),
        ],
    )
    link2 = StringField(
        _l("Link 2"),
        validators=[
            Optional(),
            URL(require_tld=False, message=WEB_ADDRESS),
            Length(max=500, message=TOO_LONG),
        ],
    )
    link3 = StringField(
        _l("Link 3"),
        validators=[
            Optional(),
            URL(require_tld=False, message=WEB_ADDRESS),
            Length(max=500, message=TOO_LONG),
        ],
    )
    link4 = StringField(
        _l("Link 4"),
        validators=[
            Optional(),
            URL(require_tld=False, message=WEB_ADDRESS),
            Length(max=500, message=TOO_LONG),
        ],
    )
    link5 = StringField(
        _l("Link 5"),
        validators=[
            Optional(),
            URL(require_tld=False, message=WEB_ADDRESS),
            Length(max=500, message=TOO_LONG),
        ],
    )
    primary_category_id = SelectField(_l("Primary category"), coerce=int, validators=[Optional()])
    category_ids = SelectMultipleField(_l("Other categories"), coerce=int, validators=[Optional()])

    LINK_FIELDS = ("link1", "link2", "link3", "link4", "link5")

    def validate_link_scheme(self) -> bool:
        ok = True
        for name in self.LINK_FIELDS:
            field = getattr(self, name)
            if field.data and not field.data.lower().startswith(("http://", "https://")):
                field.errors = [*field.errors, _("Use an http:// or https:// address.")]
                ok = False
        return ok


class PasswordChangeForm(BaseForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)])
    new_password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(REQUIRED),
            Length(min=MIN_LENGTH, max=MAX_LENGTH, message=PASSWORD_LENGTH),
        ],
        description=PASSWORD_HELP,
    )


class EmailChangeForm(BaseForm):
    email = EmailField(
        _l("New email"),
        validators=[
            DataRequired(REQUIRED),
            Email(EMAIL, check_deliverability=False),
            Length(max=254, message=TOO_LONG),
        ],
    )
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)])


class ForgotPasswordForm(BaseForm):
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(REQUIRED),
            Email(EMAIL, check_deliverability=False),
            Length(max=254, message=TOO_LONG),
        ],
    )


class PasswordResetForm(BaseForm):
    new_password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(REQUIRED),
            Length(min=MIN_LENGTH, max=MAX_LENGTH, message=PASSWORD_LENGTH),
        ],
        description=PASSWORD_HELP,
    )


class ConfirmEmailForm(BaseForm):
    """An empty form: only the CSRF token, for "confirm my address" and "send it again"."""


class RoleForm(BaseForm):
    role = SelectField(_l("Role"), choices=choices((r.value, _l(r.label)) for r in Role))
    current_password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(REQUIRED)],
        description="Confirm role changes.",
    )


class ActivationForm(BaseForm):
    """An empty form: only the CSRF token, for the deactivate/reactivate buttons."""


class AccountSearchForm(BaseForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100, message=TOO_LONG)])
    role = SelectField(
        _l("Role"),
        choices=choices([("", _l("Any role"))] + [(r.value, _l(r.label)) for r in Role]),
        default="",
    )
