"""The form that creates a token, and the one that revokes it."""

from __future__ import annotations

from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from nominee.i18n import _, _l
from nominee.tokens import rules
from nominee.web import BaseForm, choices

EXPIRY_CHOICES = [(str(days), _l("%(num)d days", num=days)) for days in rules.EXPIRY_DAYS] + [
    ("never", _l("Never"))
]


class ScopesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TokenForm(BaseForm):
    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(_l("Name the token.")),
            Length(
                max=rules.NAME_MAX,
                message=_l("Name the token in 1 to %(max)d characters.", max=rules.NAME_MAX),
            ),
        ],
        description=_l("What it is for, e.g. “blog import script”."),
    )
    scopes = ScopesField(_l("Scopes"), validate_choice=False)
    expires = SelectField(_l("Expires after"), choices=choices(EXPIRY_CHOICES), default="90")

    def configure(self, allowed: list[rules.Scope]) -> TokenForm:
        self.scopes.choices = choices(
            (
                scope.value,
                _("%(scope)s: %(description)s", scope=scope.value, description=scope.description),
            )
            for scope in allowed
        )
        return self

    def expires_in_days(self) -> int | None:
        return None if self.expires.data == "never" else int(self.expires.data or 90)


class RevokeForm(BaseForm):
    pass
