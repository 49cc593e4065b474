from __future__ import annotations

from typing import Any

from babel.support import LazyProxy
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from nominee.formatting import format_number
from nominee.i18n import N_, _, _l
from nominee.nominations.rules import STATEMENT_MAX, STATEMENT_MIN, WITHDRAWN_REASON_MAX
from nominee.web import BaseForm


def lazily(message: str, **numbers: int) -> Any:
    """``message`` (marked with ``N_``) with its numbers, translated and formatted
    (``3,000``, ``3.000``) in the reader's language when shown, not when the class is
    written. WTForms' ``%`` on a validator's message leaves the result as it is."""
    return LazyProxy(
        lambda: _(message, **{k: format_number(v) for k, v in numbers.items()}),
        enable_cache=False,
    )


STATEMENT_HELP = lazily(
    N_(
        "Markdown, %(min)s to %(max)s characters: what this person did for the community, "
        "and why it deserves the award."
    ),
    min=STATEMENT_MIN,
    max=STATEMENT_MAX,
)


def at_most(limit: int) -> Any:
    return lazily(N_("At most %(max)s characters."), max=limit)


def evidence_field(label: Any = None) -> SelectMultipleField:
    # The service checks every id against the database (rule 2): no choice validation
    # here, so a forged id meets the same message as any other bad pick.
    return SelectMultipleField(
        label or _l("Evidence"),
        coerce=int,
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class MemberSearchForm(BaseForm):
    class Meta:
        csrf = False

    q = StringField(
        _l("Member's name"), validators=[Optional(), Length(max=80, message=at_most(80))]
    )


class VersionedForm(BaseForm):
    version = IntegerField(
        widget=HiddenInput(),
        validators=[InputRequired(message=_l("The page is out of date; reload it and try again."))],
    )


class NominateForm(BaseForm):
    nominee_id = IntegerField(
        widget=HiddenInput(),
        validators=[InputRequired(message=_l("Choose the member to nominate."))],
    )
    category_id = SelectField(
        _l("Category"),
        coerce=int,
        validators=[InputRequired(message=_l("Choose one of this cycle's categories."))],
    )
    statement_md = TextAreaField(
        _l("Statement"),
        validators=[
            DataRequired(message=_l("Write the statement: why this person deserves the award.")),
            Length(
                min=STATEMENT_MIN,
                max=STATEMENT_MAX,
                message=lazily(
                    N_("Write between %(min)s and %(max)s characters."),
                    min=STATEMENT_MIN,
                    max=STATEMENT_MAX,
                ),
            ),
        ],
        description=STATEMENT_HELP,
    )
    evidence = evidence_field()


class AcceptForm(VersionedForm):
    evidence = evidence_field()
    nominee_statement_md = TextAreaField(
        _l("Your own statement (optional)"),
        validators=[Optional(), Length(max=STATEMENT_MAX, message=at_most(STATEMENT_MAX))],
        description=lazily(
            N_("Markdown, up to %(max)s characters, or leave it empty."), max=STATEMENT_MAX
        ),
    )


class DeclineForm(VersionedForm):
    reason = TextAreaField(
        _l("Reason (optional)"),
        validators=[
            Optional(),
            Length(max=WITHDRAWN_REASON_MAX, message=at_most(WITHDRAWN_REASON_MAX)),
        ],
        description=_l("The nominator reads it with the news; it stays on the nomination."),
    )


class EvidenceForm(VersionedForm):
    evidence = evidence_field()


class WithdrawForm(VersionedForm):
    reason = TextAreaField(
        _l("Reason (optional)"),
        validators=[
            Optional(),
            Length(max=WITHDRAWN_REASON_MAX, message=at_most(WITHDRAWN_REASON_MAX)),
        ],
        description=_l("Shown to the other party and in the nomination's history."),
    )
