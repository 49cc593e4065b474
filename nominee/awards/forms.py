from __future__ import annotations

from wtforms import BooleanField, HiddenField, IntegerField, RadioField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from nominee.nominations.models import Decision
from nominee.web import BaseForm, choices

DECISION_LABELS = {Decision.AWARD: "Award", Decision.DECLINE: "Decline"}


class _DecisionTexts(BaseForm):
    """What a decision says, one nomination's or a bulk decision's."""

    rationale = TextAreaField(
        "Rationale for the panel",
        validators=[DataRequired(message="Explain the decision for the panel."), Length(max=5000)],
        description="Seen by organizers and reviewers only.",
    )
    feedback = TextAreaField(
        "Feedback for the nominee",
        validators=[Optional(), Length(max=5000)],
        description="Shown to the nominee once the results are published.",
    )
    override = BooleanField("Decide with fewer reviews than the cycle asks")
    override_reason = TextAreaField(
        "Why decide without every review",
        validators=[Optional(), Length(max=1000)],
        description="Kept with the decision and in the audit log.",
    )


class DecisionForm(_DecisionTexts):
    decision = RadioField(
        "Decision",
        choices=choices((d.value, DECISION_LABELS[d]) for d in Decision),
        validators=[InputRequired(message="Choose award or decline.")],
    )
    # The nomination's version when the page was loaded: a concurrent change is refused.
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class BulkDecisionForm(_DecisionTexts):
    """The confirmation of a bulk decision: the nominations and their versions come as
    ``nomination`` and ``version-<id>`` fields (read by the view), the decision as a
    hidden field."""

    decision = HiddenField(
        "Decision",
        validators=[AnyOf([d.value for d in Decision], message="Choose award or decline.")],
    )
    rationale = TextAreaField(
        "Rationale for the panel, for every selected nomination",
        validators=[DataRequired(message="Explain the decision for the panel."), Length(max=5000)],
        description="Seen by organizers and reviewers only; each decision keeps it.",
    )
    feedback = TextAreaField(
        "Feedback for each nominee",
        validators=[Optional(), Length(max=5000)],
        description="Shown to each nominee once the results are published.",
    )
    override = BooleanField("Decide those with fewer reviews than the cycle asks too")


class RevokeForm(BaseForm):
    reason = TextAreaField(
        "Reason",
        validators=[DataRequired(message="Give the reason for revoking."), Length(max=500)],
        description="Recorded in the audit log and sent to the award holder.",
    )
    confirm = BooleanField(
        "I understand the award holder is told, and the public page will say it was revoked.",
        validators=[DataRequired(message="Confirm that you want to revoke this award.")],
    )
