from __future__ import annotations

from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from nominee.auditlog.sentences import ACTIONS, OBJECT_TYPES
from nominee.i18n import _, _l
from nominee.web import BaseForm, choices
from nominee.widgets import Select

PROGRAMME = "0"  # the "by" choice of events without an actor: the programme itself


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False

    by = SelectField(_l("Actor"), validators=[Optional()], default="", widget=Select())
    actor = StringField(
        _l("Or any account"),
        validators=[Optional(), Length(max=100, message=_l("Use at most 100 characters."))],
        description=_l("Account id, email, part of a name, or the part of an email before @."),
    )
    action = SelectField(
        _l("Action"),
        choices=choices([("", _l("Any action")), *((k, _l(v)) for k, v in ACTIONS.items())]),
        validators=[Optional()],
        default="",
        widget=Select(fixed=True),
    )
    object_type = SelectField(
        _l("Object type"),
        choices=choices([("", _l("Any type")), *((k, _l(v)) for k, v in OBJECT_TYPES.items())]),
        validators=[Optional()],
        default="",
        widget=Select(fixed=True),
    )
    object_id = IntegerField(
        _l("Object id"),
        validators=[Optional(), NumberRange(min=1, message=_l("Enter a whole number from 1."))],
        **{"invalid_value_message": _l("Enter a whole number.")},
    )
    date_from = DateField(
        _l("From"),
        validators=[Optional()],
        **{"invalid_value_message": _l("Enter a date like 2024-05-31.")},
    )
    date_to = DateField(
        _l("To"),
        validators=[Optional()],
        **{"invalid_value_message": _l("Enter a date like 2024-05-31.")},
    )

    def set_actors(self, staff) -> None:
        """The actor pick-list: anyone, the programme, then organizers and reviewers."""
        self.by.choices = choices(
            [
                ("", _("Anyone")),
                (PROGRAMME, _("The programme (no account)")),
                *((str(row.id), row.display_name) for row in staff),
            ]
        )

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_("The end date is before the start date."))
