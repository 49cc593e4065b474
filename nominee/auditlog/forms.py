from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField
from wtforms.validators import Length, NumberRange, Optional

# Offered as suggestions; any prefix can be typed.
ACTION_PREFIXES = (
    "access.denied",
    "account.",
    "award.",
    "category.",
    "contribution.",
    "cycle.",
    "endorsement.",
    "login.",
    "nomination.",
    "review.",
)
OBJECT_TYPES = (
    "award",
    "category",
    "contribution",
    "cycle",
    "endorsement",
    "nomination",
    "review",
    "route",
    "system",
    "user",
)


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    actor = StringField(
        "Actor", validators=[Optional(), Length(max=100)], description="Name, email or id."
    )
    action = StringField(
        "Action", validators=[Optional(), Length(max=64)], description="Starts with, e.g. award."
    )
    object_type = StringField("Object type", validators=[Optional(), Length(max=32)])
    object_id = IntegerField("Object id", validators=[Optional(), NumberRange(min=1)])
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            field.errors.append("The end date is before the start date.")
