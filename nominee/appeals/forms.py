from __future__ import annotations

from wtforms import IntegerField, RadioField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from nominee.appeals import rules
from nominee.web import BaseForm, choices


class AppealForm(BaseForm):
    statement = TextAreaField(
        "Why the decision should change",
        validators=[
            DataRequired(message="Say why the decision should change."),
            Length(
                min=rules.STATEMENT_MIN,
                max=rules.STATEMENT_MAX,
                message=(f"Between {rules.STATEMENT_MIN} and {rules.STATEMENT_MAX} characters."),
            ),
        ],
        description=(
            "The organizers read it with your nomination. You can appeal once; it cannot "
            "be changed afterwards."
        ),
    )


class AnswerForm(BaseForm):
    outcome = RadioField(
        "Outcome",
        choices=choices(
            [
                ("uphold", "Uphold: the decision becomes an award"),
                ("dismiss", "Dismiss: the decision stands"),
            ]
        ),
        validators=[InputRequired(message="Choose to uphold or dismiss the appeal.")],
    )
    rationale = TextAreaField(
        "New rationale for the decision (when upholding)",
        validators=[Optional(), Length(max=rules.RESPONSE_MAX)],
        description="Replaces the decision's rationale; seen by organizers and reviewers.",
    )
    response = TextAreaField(
        "Response to the nominee",
        validators=[
            DataRequired(message="Write your response to the nominee: they read it."),
            Length(max=rules.RESPONSE_MAX),
        ],
        description="The nominee reads it on their nomination and in the notification.",
    )
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
