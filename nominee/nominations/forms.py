from __future__ import annotations

from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from nominee.nominations.rules import STATEMENT_MAX, STATEMENT_MIN, WITHDRAWN_REASON_MAX
from nominee.web import BaseForm

STATEMENT_HELP = (
    f"Markdown, {STATEMENT_MIN} to {STATEMENT_MAX:,} characters: what this person did for "
    "the community, and why it deserves the award."
)


def evidence_field(label: str = "Evidence") -> SelectMultipleField:
    # The service checks every id against the database (rule 2): no choice validation
    # here, so a forged id meets the same message as any other bad pick.
    return SelectMultipleField(
        label,
        coerce=int,
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class MemberSearchForm(BaseForm):
    class Meta:
        csrf = False

    q = StringField("Member's name", validators=[Optional(), Length(max=80)])


class VersionedForm(BaseForm):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class NominateForm(BaseForm):
    nominee_id = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    category_id = SelectField("Category", coerce=int, validators=[InputRequired()])
    statement_md = TextAreaField(
        "Statement",
        validators=[DataRequired(), Length(min=STATEMENT_MIN, max=STATEMENT_MAX)],
        description=STATEMENT_HELP,
    )
    evidence = evidence_field()


class AcceptForm(VersionedForm):
    evidence = evidence_field()
    nominee_statement_md = TextAreaField(
        "Your own statement (optional)",
        validators=[Optional(), Length(max=STATEMENT_MAX)],
        description=f"Markdown, up to {STATEMENT_MAX:,} characters, or leave it empty.",
    )


class DeclineForm(VersionedForm):
    reason = TextAreaField(
        "Reason (optional)",
        validators=[Optional(), Length(max=WITHDRAWN_REASON_MAX)],
        description="The nominator reads it with the news; it stays on the nomination.",
    )


class EvidenceForm(VersionedForm):
    evidence = evidence_field()


class WithdrawForm(VersionedForm):
    reason = TextAreaField(
        "Reason (optional)",
        validators=[Optional(), Length(max=WITHDRAWN_REASON_MAX)],
        description="Shown to the other party and in the nomination's history.",
    )
