from __future__ import annotations

from collections.abc import Sequence

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

from nominee.cycles.models import RubricCriterion
from nominee.nominations.models import NominationStatus
from nominee.reviews.models import Confidence, Recommendation
from nominee.reviews.queries import SCORE_BASES, SORTS
from nominee.reviews.rules import QUEUE_STATUSES
from nominee.web import BaseForm, choices

SCORE_LABELS = {1: "Weak", 2: "Fair", 3: "Good", 4: "Strong", 5: "Exceptional"}


class AppointForm(BaseForm):
    reviewer_id = SelectField("Reviewer", coerce=int, validators=[DataRequired()])
    category_id = SelectField(
        "Categories",
        coerce=int,
        default=0,
        description="A reviewer appointed for all categories reviews any nomination of the cycle.",
    )


class AssignForm(BaseForm):
    reviewer_id = IntegerField("Reviewer", validators=[DataRequired()])


class ButtonForm(BaseForm):
    """Only the CSRF token, for the remove, unassign and auto-assign buttons."""


class ConflictForm(BaseForm):
    reason = TextAreaField(
        "Reason",
        validators=[DataRequired(message="Say briefly what the conflict is."), Length(max=500)],
        description="Seen by the organizers. The nomination leaves your queue.",
    )


class ClearConflictForm(BaseForm):
    reason = TextAreaField(
        "Why the conflict does not bind",
        validators=[
            DataRequired(message="Give the reason for clearing this conflict: the panel reads it."),
            Length(max=500, message="At most 500 characters."),
        ],
        description="The panel of this nomination reads it next to your name, and it is audited.",
    )


class ReviewForm(BaseForm):
    """The rubric fields (``score_<criterion id>``) are added per cycle by ``review_form``."""

    confidence = RadioField(
        "Confidence",
        choices=choices((c.value, c.label) for c in Confidence),
        validators=[Optional()],
        description="How sure are you of your scores, given your knowledge of the field?",
    )
    recommendation = RadioField(
        "Recommendation",
        choices=choices((r.value, r.label) for r in Recommendation),
        validators=[Optional()],
    )
    panel_comment = TextAreaField(
        "Comment for the panel",
        validators=[Optional(), Length(max=5000)],
        description="Seen by the other reviewers and the organizers, never by the nominee.",
    )
    nominee_feedback = TextAreaField(
        "Feedback for the nominee (optional)",
        validators=[Optional(), Length(max=5000)],
        description="Shown to the nominee, unsigned, when the results are published.",
    )
    version = IntegerField(widget=HiddenInput(), default=0, validators=[Optional()])

    criteria: Sequence[RubricCriterion] = ()

    def score_fields(self):
        return [(criterion, self[f"score_{criterion.id}"]) for criterion in self.criteria]

    def scores(self) -> dict[int, int | None]:
        return {criterion.id: field.data for criterion, field in self.score_fields()}


def review_form(criteria: Sequence[RubricCriterion], **kwargs) -> ReviewForm:
    """A ``ReviewForm`` with one 1-5 radio group per rubric criterion."""
    fields = {
        f"score_{criterion.id}": RadioField(
            criterion.name,
            choices=choices((value, f"{value} {label}") for value, label in SCORE_LABELS.items()),
            coerce=int,
            validators=[Optional()],
            description=criterion.description,
        )
        for criterion in criteria
    }
    form_class = type("CycleReviewForm", (ReviewForm,), {**fields, "criteria": tuple(criteria)})
    return form_class(**kwargs)


class QueueForm(BaseForm):
    """The dashboard's filters and sort, read from the query string."""

    class Meta:
        csrf = False

    category = SelectField("Category", coerce=int, default=0)
    status = SelectField(
        "Status",
        choices=choices([("", "Any status")] + [(s.value, s.label) for s in QUEUE_STATUSES]),
        default="",
    )
    mine = BooleanField("Assigned to me")
    unreviewed = BooleanField("Not yet reviewed by me")
    disagreement = BooleanField("Disagreement")
    flagged = BooleanField("Integrity flagged")
    sort = SelectField("Sort by", choices=choices(SORTS.items()), default="id")
    order = SelectField(
        "Order", choices=choices([("asc", "Ascending"), ("desc", "Descending")]), default="asc"
    )
    min_score = FloatField(
        "Score at least",
        validators=[Optional(), NumberRange(min=0, max=10, message="A score from 0 to 10.")],
    )
    basis = SelectField("Score filter reads", choices=choices(SCORE_BASES.items()), default="raw")

    def status_value(self) -> NominationStatus | None:
        return NominationStatus(self.status.data) if self.status.data else None


class SelectionForm(BaseForm):
    """The dashboard's selection helpers (organizers): tick the top N undecided by
    calibrated score, or those every reviewer recommends, from the query string."""

    class Meta:
        csrf = False

    # Checked by the view (``MAX_SELECTED``): NumberRange cannot compare a huge integer.
    top = IntegerField("Number to select", validators=[Optional()])
    select = SelectField(
        "Select",
        choices=choices(
            [
                ("", "Nothing"),
                ("top", "Top by calibrated score"),
                ("unanimous", "Recommended by every reviewer"),
            ]
        ),
        default="",
    )


class AssignmentFilterForm(BaseForm):
    class Meta:
        csrf = False

    category = SelectField("Category", coerce=int, default=0)
    understaffed = BooleanField("Fewer reviewers than needed")
