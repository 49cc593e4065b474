from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from wtforms import (
    BooleanField,
    FloatField,
    IntegerField,
    RadioField,
    SelectField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from nominee import i18n
from nominee.cycles.models import RubricCriterion
from nominee.i18n import N_, _, _l
from nominee.nominations.models import NominationStatus
from nominee.reviews.models import Confidence, Recommendation
from nominee.reviews.queries import CALIBRATED_SORTS, SCORE_BASES, SORTS
from nominee.reviews.rules import QUEUE_STATUSES
from nominee.web import BaseForm, SelectChoice, choices
from nominee.widgets import Select, TextArea

SCORE_LABELS = {1: N_("Weak"), 2: N_("Fair"), 3: N_("Good"), 4: N_("Strong"), 5: N_("Exceptional")}
CHOOSE_FROM_LIST = _l("Choose one of the options in the list.")


class AppointForm(BaseForm):
    reviewer_id = SelectField(
        _l("Reviewer"),
        coerce=int,
        validators=[DataRequired(message=_l("Choose a reviewer."))],
        invalid_value_message=CHOOSE_FROM_LIST,
        invalid_choice_message=CHOOSE_FROM_LIST,
        widget=Select(),
    )
    category_id = SelectField(
        _l("Categories"),
        coerce=int,
        default=0,
        widget=Select(),
        description=_l(
            "A reviewer appointed for all categories reviews any nomination of the cycle."
        ),
        invalid_value_message=CHOOSE_FROM_LIST,
        invalid_choice_message=CHOOSE_FROM_LIST,
    )


class AssignForm(BaseForm):
    reviewer_id = IntegerField(
        _l("Reviewer"),
        validators=[DataRequired(message=_l("Choose a reviewer."))],
        invalid_value_message=CHOOSE_FROM_LIST,
    )


class ButtonForm(BaseForm):
    """Only the CSRF token, for the remove, unassign and auto-assign buttons."""


class ConflictForm(BaseForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(message=_l("Say briefly what the conflict is.")),
            Length(max=500, message=_l("At most 500 characters.")),
        ],
        description=_l("Seen by the organizers. The nomination leaves your queue."),
        widget=TextArea(),
    )


class ClearConflictForm(BaseForm):
    reason = TextAreaField(
        _l("Why the conflict does not bind"),
        validators=[
            DataRequired(
                message=_l("Give the reason for clearing this conflict: the panel reads it.")
            ),
            Length(max=500, message=_l("At most 500 characters.")),
        ],
        description=_l(
            "The panel of this nomination reads it next to your name, and it is audited."
        ),
    )


class ReviewForm(BaseForm):
    """The rubric fields (``score_<criterion id>``) are added per cycle by ``review_form``."""

    # The choices are given per form, in the reader's language (``__init__``).
    confidence = RadioField(
        _l("Confidence"),
        validators=[Optional()],
        description=_l("How sure are you of your scores, given your knowledge of the field?"),
        invalid_choice_message=CHOOSE_FROM_LIST,
    )
    recommendation = RadioField(
        _l("Recommendation"),
        validators=[Optional()],
        invalid_choice_message=CHOOSE_FROM_LIST,
    )
    panel_comment = TextAreaField(
        _l("Comment for the panel"),
        validators=[Optional(), Length(max=5000, message=_l("At most 5,000 characters."))],
        description=_l("Seen by the other reviewers and the organizers, never by the nominee."),
        widget=TextArea(),
    )
    nominee_feedback = TextAreaField(
        _l("Feedback for the nominee (optional)"),
        validators=[Optional(), Length(max=5000, message=_l("At most 5,000 characters."))],
        description=_l("Shown to the nominee, unsigned, when the results are published."),
        widget=TextArea(),
    )
    version = IntegerField(widget=HiddenInput(), default=0, validators=[Optional()])

    criteria: Sequence[RubricCriterion] = ()

    def __init__(self, *args, criteria: Sequence[RubricCriterion] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = tuple(criteria)
        confidence, recommendation, scores = _review_choices(i18n.current().language)
        self.confidence.choices = confidence
        self.recommendation.choices = recommendation
        for _criterion, field in self.score_fields():
            field.choices = scores

    def score_fields(self):
        return [(criterion, self[f"score_{criterion.id}"]) for criterion in self.criteria]

    def scores(self) -> dict[int, int | None]:
        return {criterion.id: field.data for criterion, field in self.score_fields()}


@lru_cache(maxsize=2 * len(i18n.LANGUAGES))
def _review_choices(language: str) -> tuple[list[SelectChoice], ...]:
    """The review form's fixed choices in ``language`` (the reader's): confidence,
    recommendation and the 1-5 scores every criterion shares. Worded once per process
    (they hold no data; read only)."""
    return (
        choices((c.value, c.label) for c in Confidence),
        choices((r.value, r.label) for r in Recommendation),
        choices(
            (value, _("%(score)d %(label)s", score=value, label=_(label)))
            for value, label in SCORE_LABELS.items()
        ),
    )


def review_form(criteria: Sequence[RubricCriterion], **kwargs) -> ReviewForm:
    """A ``ReviewForm`` with one 1-5 radio group per rubric criterion."""
    rubric = tuple((criterion.id, criterion.name, criterion.description) for criterion in criteria)
    return _review_form_class(rubric)(criteria=criteria, **kwargs)


@lru_cache(maxsize=64)
def _review_form_class(rubric: tuple[tuple[int, str, str], ...]) -> type[ReviewForm]:
    """The form class of a rubric, by what its fields show (each criterion's id, name
    and description): made once per process, as WTForms prepares a class's fields on
    its first form. (The criteria themselves, weights and all, go to each form.)"""
    fields = {
        f"score_{criterion_id}": RadioField(
            name,
            coerce=int,
            validators=[Optional()],
            description=description,
            invalid_value_message=CHOOSE_FROM_LIST,
            invalid_choice_message=CHOOSE_FROM_LIST,
        )
        for criterion_id, name, description in rubric
    }
    return type("CycleReviewForm", (ReviewForm,), fields)


@lru_cache(maxsize=2 * len(i18n.LANGUAGES))
def _queue_choices(language: str, calibrated: bool) -> tuple[list[SelectChoice], ...]:
    """The queue form's fixed choices in ``language`` (the current reader's): the same for
    every request in it, so worded once per process (they hold no data; read only)."""
    return (
        choices([("", _("Any status")), *((s.value, s.label) for s in QUEUE_STATUSES)]),
        choices(
            (key, _(label))
            for key, label in SORTS.items()
            if calibrated or key not in CALIBRATED_SORTS
        ),
        choices([("asc", _("Ascending")), ("desc", _("Descending"))]),
        choices((key, _(label)) for key, label in SCORE_BASES.items()),
    )


class QueueForm(BaseForm):
    """The dashboard's filters and sort, read from the query string."""

    class Meta:
        csrf = False

    # The choices are given per form, in the reader's language (``__init__``).
    category = SelectField(
        _l("Category"),
        coerce=int,
        default=0,
        invalid_value_message=CHOOSE_FROM_LIST,
        invalid_choice_message=CHOOSE_FROM_LIST,
    )
    status = SelectField(_l("Status"), default="", invalid_choice_message=CHOOSE_FROM_LIST)
    mine = BooleanField(_l("Assigned to me"))
    unreviewed = BooleanField(_l("Not yet reviewed by me"))
    disagreement = BooleanField(_l("Disagreement"))
    flagged = BooleanField(_l("Integrity flagged"))
    sort = SelectField(_l("Sort by"), default="id", invalid_choice_message=CHOOSE_FROM_LIST)
    order = SelectField(_l("Order"), default="asc", invalid_choice_message=CHOOSE_FROM_LIST)
    min_score = FloatField(
        _l("Score at least"),
        validators=[Optional(), NumberRange(min=0, max=10, message=_l("A score from 0 to 10."))],
        invalid_value_message=_l("A score from 0 to 10."),
    )
    basis = SelectField(
        _l("Score filter reads"), default="raw", invalid_choice_message=CHOOSE_FROM_LIST
    )

    def __init__(self, *args, calibrated: bool = True, **kwargs):
        """``calibrated``: may the user sort by the calibrated score (organizers)?"""
        super().__init__(*args, **kwargs)
        words = _queue_choices(i18n.current().language, calibrated)
        self.status.choices, self.sort.choices, self.order.choices, self.basis.choices = words

    def status_value(self) -> NominationStatus | None:
        return NominationStatus(self.status.data) if self.status.data else None


class SelectionForm(BaseForm):
    """The dashboard's selection helpers (organizers): tick the top N undecided by
    calibrated score, or those every reviewer recommends, from the query string."""

    class Meta:
        csrf = False

    # Checked by the view (``MAX_SELECTED``): NumberRange cannot compare a huge integer.
    top = IntegerField(
        _l("Number to select"),
        validators=[Optional()],
        invalid_value_message=_l("Enter a whole number."),
    )
    select = SelectField(_l("Select"), default="", invalid_choice_message=CHOOSE_FROM_LIST)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.select.choices = choices(
            [
                ("", _("Nothing")),
                ("top", _("Top by calibrated score")),
                ("unanimous", _("Recommended by every reviewer")),
            ]
        )


class AssignmentFilterForm(BaseForm):
    class Meta:
        csrf = False

    category = SelectField(
        _l("Category"),
        coerce=int,
        default=0,
        invalid_value_message=CHOOSE_FROM_LIST,
        invalid_choice_message=CHOOSE_FROM_LIST,
    )
    understaffed = BooleanField(_l("Fewer reviewers than needed"))
