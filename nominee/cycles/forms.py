from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FloatField,
    Form,
    FormField,
    IntegerField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from nominee.cycles import rules
from nominee.cycles.services import Criterion, CycleSettings
from nominee.i18n import _, _l
from nominee.web import BaseForm

EMPTY_CRITERION_ROWS = 1
DEFAULT_APPEAL_DAYS = 14
# Our own words where WTForms would say "This field is required." or "Not a valid ...".
WHOLE_NUMBER = _l("Enter a whole number.")
NUMBER = _l("Enter a number, such as 1 or 1.5.")
DATE = _l("Enter a date as YYYY-MM-DD.")


def _required(what):
    return InputRequired(message=what)


class CriterionForm(Form):
    """One rubric row. A row left blank is ignored; "remove" drops a filled one."""

    name = StringField(
        _l("Criterion"),
        validators=[Optional(), Length(max=80, message=_l("At most 80 characters."))],
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=500, message=_l("At most 500 characters."))],
    )
    weight = FloatField(_l("Weight"), validators=[Optional()], invalid_value_message=NUMBER)
    remove = BooleanField(_l("Remove"))

    @property
    def is_blank(self) -> bool:
        return not (self.name.data or "").strip() and not (self.description.data or "").strip()


class VersionForm(BaseForm):
    """A confirmation button that carries the version of the object it acts on."""

    version = IntegerField(
        widget=HiddenInput(),
        validators=[
            InputRequired(message=_l("This page is out of date: reload it and try again."))
        ],
        invalid_value_message=_l("This page is out of date: reload it and try again."),
    )


class CycleForm(VersionForm):
    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(message=_l("Give the cycle a name.")),
            Length(min=2, max=120, message=_l("Between 2 and 120 characters.")),
        ],
    )
    category_ids = SelectMultipleField(
        _l("Categories in scope"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        invalid_value_message=_l("Choose categories from the list."),
        # A function of how many were refused (WTForms calls a callable, lazy text too).
        invalid_choice_message=lambda _count: _("Choose categories from the list."),
    )
    nominations_open_on = DateField(
        _l("Nominations open on"),
        validators=[_required(_l("Give the day nominations open."))],
        invalid_value_message=DATE,
    )
    nominations_close_on = DateField(
        _l("Nominations close on"),
        validators=[_required(_l("Give the day nominations close."))],
        invalid_value_message=DATE,
    )
    review_close_on = DateField(
        _l("Review closes on"),
        validators=[_required(_l("Give the day the review closes."))],
        invalid_value_message=DATE,
    )
    lookback_months = IntegerField(
        _l("Look-back window (months)"),
        default=12,
        validators=[_required(_l("Give the look-back window in months."))],
        description=_l("Evidence must be dated inside this many months before nominations close."),
        invalid_value_message=WHOLE_NUMBER,
    )
    award_term_months = IntegerField(
        _l("Award term (months)"),
        default=12,
        validators=[_required(_l("Give the award term in months."))],
        description=_l("The award runs from the day after the review closes."),
        invalid_value_message=WHOLE_NUMBER,
    )
    min_evidence = IntegerField(
        _l("Minimum evidence"),
        default=3,
        validators=[_required(_l("Give the least evidence a nomination needs."))],
        invalid_value_message=WHOLE_NUMBER,
    )
    max_evidence = IntegerField(
        _l("Maximum evidence"),
        default=30,
        validators=[_required(_l("Give the most evidence a nomination may hold."))],
        invalid_value_message=WHOLE_NUMBER,
    )
    peer_nomination_limit = IntegerField(
        _l("Peer nominations per member"),
        default=3,
        validators=[_required(_l("Give how many peers a member may nominate (0 for none)."))],
        description=_l("How many peers one member may nominate in this cycle."),
        invalid_value_message=WHOLE_NUMBER,
    )
    reviewers_per_nomination = IntegerField(
        _l("Reviewers per nomination"),
        default=3,
        validators=[_required(_l("Give how many reviewers each nomination needs."))],
        invalid_value_message=WHOLE_NUMBER,
    )
    appeal_days = IntegerField(
        _l("Appeal period (days)"),
        default=14,
        validators=[Optional()],
        description=_l(
            "After publishing, a declined nominee may appeal once within this many days "
            "(14 when left empty); 0 takes no appeals."
        ),
        invalid_value_message=WHOLE_NUMBER,
    )
    moves_automatically = BooleanField(
        _l("Moves by itself at its dates"),
        description=_l(
            "Opens on the day nominations open and goes to review the day after they "
            "close, at 00:00 UTC. Deciding and publishing always wait for an organizer. "
            "Leave it unticked to move the cycle yourself."
        ),
    )
    criteria = FieldList(FormField(CriterionForm), label=_l("Rubric"))
    add_criterion = SubmitField(_l("Add a criterion"))
    # The version only matters when editing; a new cycle has none.
    version = IntegerField(
        widget=HiddenInput(),
        validators=[Optional()],
        invalid_value_message=_l("This page is out of date: reload it and try again."),
    )

    SETTINGS = (
        "nominations_open_on",
        "nominations_close_on",
        "review_close_on",
        "lookback_months",
        "award_term_months",
        "min_evidence",
        "max_evidence",
        "peer_nomination_limit",
        "reviewers_per_nomination",
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for field, message in rules.settings_errors(
            **{name: self[name].data for name in self.SETTINGS},
            appeal_days=self.appeal_days.data,
        ).items():
            if message not in self[field].errors:
                self[field].errors = [*self[field].errors, message]
            ok = False
        if self.criteria.entries and not self.kept_criteria():
            self.criteria.errors = [
                *self.criteria.errors,
                _("The rubric needs at least one criterion."),
            ]
            ok = False
        for row in self._kept_rows():
            for name, message in rules.criterion_errors(
                row.form.name.data or "", row.form.weight.data
            ).items():
                field = row.form[name]
                field.errors = [*field.errors, message]
                ok = False
        return ok

    def _kept_rows(self):
        return [r for r in self.criteria if not r.form.is_blank and not r.form.remove.data]

    def kept_criteria(self) -> list[Criterion]:
        return [
            (
                (row.form.name.data or "").strip(),
                (row.form.description.data or "").strip(),
                row.form.weight.data,
            )
            for row in self._kept_rows()
        ]

    def load_criteria(self, criteria) -> None:
        """Fill the rubric rows from ``(name, description, weight)`` triples, plus blank rows."""
        while self.criteria.entries:
            self.criteria.pop_entry()
        for name, description, weight in criteria:
            self.criteria.append_entry({"name": name, "description": description, "weight": weight})
        self.add_blank_criteria(EMPTY_CRITERION_ROWS)

    def add_blank_criteria(self, count: int = 1) -> None:
        for _row in range(count):
            self.criteria.append_entry({"weight": 1.0})

    def settings(self) -> CycleSettings:
        return CycleSettings(
            name=self.name.data or "",
            category_ids=self.category_ids.data or [],
            moves_automatically=bool(self.moves_automatically.data),
            appeal_days=DEFAULT_APPEAL_DAYS
            if self.appeal_days.data is None
            else self.appeal_days.data,
            **{name: self[name].data for name in self.SETTINGS},
        )
