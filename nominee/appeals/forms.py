from __future__ import annotations

from wtforms import IntegerField, RadioField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from nominee.appeals import rules
from nominee.i18n import N_, _l
from nominee.nominations.forms import at_most, lazily
from nominee.web import BaseForm, choices


class AppealForm(BaseForm):
    statement = TextAreaField(
        _l("Why the decision should change"),
        validators=[
            DataRequired(message=_l("Say why the decision should change.")),
            Length(
                min=rules.STATEMENT_MIN,
                max=rules.STATEMENT_MAX,
                message=lazily(
                    N_("Between %(min)s and %(max)s characters."),
                    min=rules.STATEMENT_MIN,
                    max=rules.STATEMENT_MAX,
                ),
            ),
        ],
        description=_l(
            "The organizers read it with your nomination. You can appeal once; it cannot "
            "be changed afterwards."
        ),
    )


class AnswerForm(BaseForm):
    outcome = RadioField(
        _l("Outcome"),
        choices=choices(
            [
                ("uphold", _l("Uphold: the decision becomes an award")),
                ("dismiss", _l("Dismiss: the decision stands")),
            ]
        ),
        validators=[InputRequired(message=_l("Choose to uphold or dismiss the appeal."))],
    )
    rationale = TextAreaField(
        _l("New rationale for the decision (when upholding)"),
        validators=[
            Optional(),
            Length(max=rules.RESPONSE_MAX, message=at_most(rules.RESPONSE_MAX)),
        ],
        description=_l("Replaces the decision's rationale; seen by organizers and reviewers."),
    )
    response = TextAreaField(
        _l("Response to the nominee"),
        validators=[
            DataRequired(message=_l("Write your response to the nominee: they read it.")),
            Length(max=rules.RESPONSE_MAX, message=at_most(rules.RESPONSE_MAX)),
        ],
        description=_l("The nominee reads it on their nomination and in the notification."),
    )
    version = IntegerField(
        widget=HiddenInput(),
        validators=[InputRequired(message=_l("The page is out of date; reload it and try again."))],
    )
