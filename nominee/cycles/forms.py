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
from nominee.web import BaseForm

EMPTY_CRITERION_ROWS = 1
DEFAULT_APPEAL_DAYS = 14


class CriterionForm(Form):
    """One rubric row. A row left blank is ignored; "remove" drops a filled one."""

    name = StringField("Criterion", validators=[Optional(), Length(max=80)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=500)])
    weight = FloatField("Weight", validators=[Optional()])
    remove = BooleanField("Remove")

    @property
    def is_blank(self) -> bool:
        return not (self.name.data or "").strip() and not (self.description.data or "").strip()


class VersionForm(BaseForm):
    """A confirmation button that carries the version of the object it acts on."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class CycleForm(VersionForm):
    name = StringField("Name", validators=[DataRequired(), Length(min=2, max=120)])
    category_ids = SelectMultipleField(
        "Categories in scope",
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    nominations_open_on = DateField("Nominations open on", validators=[InputRequired()])
    nominations_close_on = DateField("Nominations close on", validators=[InputRequired()])
    review_close_on = DateField("Review closes on", validators=[InputRequired()])
    lookback_months = IntegerField(
        "Look-back window (months)",
        default=12,
        validators=[InputRequired()],
        description="Evidence must be dated inside this many months before nominations close.",
    )
    award_term_months = IntegerField(
        "Award term (months)",
        default=12,
        validators=[InputRequired()],
        description="The award runs from the day after the review closes.",
    )
    min_evidence = IntegerField("Minimum evidence", default=3, validators=[InputRequired()])
    max_evidence = IntegerField("Maximum evidence", default=30, validators=[InputRequired()])
    peer_nomination_limit = IntegerField(
        "Peer nominations per member",
        default=3,
        validators=[InputRequired()],
        description="How many peers one member may nominate in this cycle.",
    )
    reviewers_per_nomination = IntegerField(
        "Reviewers per nomination", default=3, validators=[InputRequired()]
    )
    appeal_days = IntegerField(
        "Appeal period (days)",
        default=14,
        validators=[Optional()],
        description=(
            "After publishing, a declined nominee may appeal once within this many days "
            "(14 when left empty); 0 takes no appeals."
        ),
    )
    moves_automatically = BooleanField(
        "Moves by itself at its dates",
        description=(
            "Opens on the day nominations open and goes to review the day after they "
            "close, at 00:00 UTC. Deciding and publishing always wait for an organizer. "
            "Leave it unticked to move the cycle yourself."
        ),
    )
    criteria = FieldList(FormField(CriterionForm), label="Rubric")
    add_criterion = SubmitField("Add a criterion")
    # The version only matters when editing; a new cycle has none.
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])

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
                "The rubric needs at least one criterion.",
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
        for _ in range(count):
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
