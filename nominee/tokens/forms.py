"""The form that creates a token, and the one that revokes it."""

from __future__ import annotations

from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from nominee.tokens import rules
from nominee.web import BaseForm, choices

EXPIRY_CHOICES = [(str(days), f"{days} days") for days in rules.EXPIRY_DAYS] + [("never", "Never")]


class ScopesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TokenForm(BaseForm):
    name = StringField(
        "Name",
        validators=[DataRequired("Name the token."), Length(max=rules.NAME_MAX)],
        description="What it is for, e.g. “blog import script”.",
    )
    scopes = ScopesField("Scopes", validate_choice=False)
    expires = SelectField("Expires after", choices=choices(EXPIRY_CHOICES), default="90")

    def configure(self, allowed: list[rules.Scope]) -> TokenForm:
        self.scopes.choices = choices(
            (scope.value, f"{scope.value}: {scope.description}") for scope in allowed
        )
        return self

    def expires_in_days(self) -> int | None:
        return None if self.expires.data == "never" else int(self.expires.data or 90)


class RevokeForm(BaseForm):
    pass
