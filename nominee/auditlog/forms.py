from __future__ import annotations

from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from nominee.auditlog.sentences import ACTIONS, OBJECT_TYPES
from nominee.web import BaseForm, choices

PROGRAMME = "0"  # the "by" choice of events without an actor: the programme itself


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False

    by = SelectField("Actor", validators=[Optional()], default="")
    actor = StringField(
        "Or any account",
        validators=[Optional(), Length(max=100)],
        description="Account id, email, part of a name, or the part of an email before @.",
    )
    action = SelectField(
        "Action",
        choices=choices([("", "Any action"), *ACTIONS.items()]),
        validators=[Optional()],
        default="",
    )
    object_type = SelectField(
        "Object type",
        choices=choices([("", "Any type"), *OBJECT_TYPES.items()]),
        validators=[Optional()],
        default="",
    )
    object_id = IntegerField("Object id", validators=[Optional(), NumberRange(min=1)])
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])

    def set_actors(self, staff) -> None:
        """The actor pick-list: anyone, the programme, then organizers and reviewers."""
        self.by.choices = choices(
            [
                ("", "Anyone"),
                (PROGRAMME, "The programme (no account)"),
                *((str(row.id), row.display_name) for row in staff),
            ]
        )

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end date is before the start date.")
