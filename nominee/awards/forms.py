from __future__ import annotations

from wtforms import BooleanField, HiddenField, IntegerField, RadioField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from nominee.i18n import _l
from nominee.nominations.forms import at_most
from nominee.nominations.models import Decision
from nominee.web import BaseForm, choices

DECISION_LABELS = {Decision.AWARD: _l("Award"), Decision.DECLINE: _l("Decline")}
CHOOSE_DECISION = _l("Choose award or decline.")


class _DecisionTexts(BaseForm):
    """What a decision says, one nomination's or a bulk decision's."""

    rationale = TextAreaField(
        _l("Rationale for the panel"),
        validators=[
            DataRequired(message=_l("Explain the decision for the panel.")),
            Length(max=5000, message=at_most(5000)),
        ],
        description=_l("Seen by organizers and reviewers only."),
    )
    feedback = TextAreaField(
        _l("Feedback for the nominee"),
        validators=[Optional(), Length(max=5000, message=at_most(5000))],
        description=_l("Shown to the nominee once the results are published."),
    )
    override = BooleanField(_l("Decide with fewer reviews than the cycle asks"))
    override_reason = TextAreaField(
        _l("Why decide without every review"),
        validators=[Optional(), Length(max=1000, message=at_most(1000))],
        description=_l("Kept with the decision and in the audit log."),
    )


class DecisionForm(_DecisionTexts):
    decision = RadioField(
        _l("Decision"),
        choices=choices((d.value, DECISION_LABELS[d]) for d in Decision),
        validators=[InputRequired(message=CHOOSE_DECISION)],
    )
    # The nomination's version when the page was loaded: a concurrent change is refused.
    version = IntegerField(
        widget=HiddenInput(),
        validators=[InputRequired(message=_l("The page is out of date; reload it and try again."))],
    )


class BulkDecisionForm(_DecisionTexts):
    """The confirmation of a bulk decision: the nominations and their versions come as
    ``nomination`` and ``version-<id>`` fields (read by the view), the decision as a
    hidden field."""

    decision = HiddenField(
        _l("Decision"),
        validators=[AnyOf([d.value for d in Decision], message=CHOOSE_DECISION)],
    )
    rationale = TextAreaField(
        _l("Rationale for the panel, for every selected nomination"),
        validators=[
            DataRequired(message=_l("Explain the decision for the panel.")),
            Length(max=5000, message=at_most(5000)),
        ],
        description=_l("Seen by organizers and reviewers only; each decision keeps it."),
    )
    feedback = TextAreaField(
        _l("Feedback for each nominee"),
        validators=[Optional(), Length(max=5000, message=at_most(5000))],
        description=_l("Shown to each nominee once the results are published."),
    )
    override = BooleanField(_l("Decide those with fewer reviews than the cycle asks too"))


class RevokeForm(BaseForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(message=_l("Give the reason for revoking.")),
            Length(max=500, message=at_most(500)),
        ],
        description=_l("Recorded in the audit log and sent to the award holder."),
    )
    confirm = BooleanField(
        _l("I understand the award holder is told, and the public page will say it was revoked."),
        validators=[DataRequired(message=_l("Confirm that you want to revoke this award."))],
    )
