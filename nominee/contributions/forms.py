from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, cast

from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from nominee.categories.models import Category
from nominee.contributions import rules
from nominee.contributions.models import ContributionType, ReachMetric, Visibility
from nominee.contributions.services import ContributionInput, MetricInput, TypeInput
from nominee.web import BaseForm, choices


def rule(check: Callable[[Any], str | None]) -> Callable[[Any, Any], None]:
    """A WTForms validator from a ``rules.*_error`` function."""

    def validator(_form: Any, field: Any) -> None:
        if message := check(field.data):
            raise ValidationError(message)

    return validator


def invalid_value(message: str) -> dict[str, Any]:
    """The message for input a field cannot convert (WTForms 3.3's
    ``invalid_value_message``, which the WTForms type stubs, still at 3.2, do not know)."""
    return {"invalid_value_message": message}


def strip(value: str | None) -> str:
    return (value or "").strip()


def optional_int(value: Any) -> int | None:
    return None if value in ("", None) else int(value)


class OptionalDateField(DateField):
    """A date input where blank means "no date" rather than "not a valid date"."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if valuelist and not valuelist[0].strip():
            self.data = None
            return
        super().process_formdata(valuelist)


class OptionalIntegerField(IntegerField):
    """A whole-number input where blank means "not given" (None), not "invalid"."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if valuelist and not str(valuelist[0]).strip():
            self.data = None
            return
        super().process_formdata(valuelist)


def metric_rule(metric: ReachMetric) -> Callable[[Any, Any], None]:
    def validator(_form: Any, field: Any) -> None:
        if field.errors:  # not a whole number: said already
            return
        if message := rules.metric_value_error(metric, field.data):
            raise ValidationError(message)

    return validator


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def category_label(category: Category) -> str:
    return f"{category.name} (retired)" if category.retired else category.name


class ContributionForm(BaseForm):
    type_id = SelectField(
        "Type", coerce=int, validators=[DataRequired(message="Choose the type of contribution.")]
    )
    refresh = SubmitField("Show the fields of this type")
    role = SelectField("Your role", validate_choice=False)
    title = StringField("Title", filters=[strip], validators=[rule(rules.title_error)])
    contributed_on = OptionalDateField(
        "Date",
        **invalid_value("Enter a date like 2024-05-31."),
        validators=[rule(rules.date_error)],
    )
    url = StringField(
        "Link",
        filters=[strip],
        validators=[rule(rules.url_error)],
        description="Optional: where people can see it.",
    )
    description_md = TextAreaField(
        "Description",
        filters=[lambda value: value or ""],
        validators=[rule(rules.description_error)],
        description=f"Markdown, up to {rules.DESCRIPTION_MAX:,} characters.",
    )
    primary_category_id = SelectField(
        "Primary category",
        coerce=int,
        validators=[DataRequired(message="Choose a primary category.")],
    )
    category_ids = CheckboxesField(
        "Other categories",
        coerce=int,
        description=f"Up to {rules.MAX_EXTRA_CATEGORIES}.",
    )
    visibility = RadioField(
        "Visibility",
        choices=choices(
            [
                (Visibility.PUBLIC.value, "Public: anybody can see it and endorse it"),
                (Visibility.PRIVATE.value, "Private: only you, reviewers and organizers see it"),
            ]
        ),
        default=Visibility.PUBLIC.value,
        validators=[InputRequired(message="Choose who can see it.")],
    )

    selected_type: ContributionType | None = None
    metrics: list[ReachMetric]

    def configure(
        self,
        types: Iterable[ContributionType],
        categories: Iterable[Category],
        *,
        formdata: Any = None,
        figures: dict[int, int] | None = None,
    ) -> None:
        """Fill the choices and fit the role and reach fields to the chosen type: one
        whole-number field per active metric of the type, and one per retired metric the
        contribution recorded a value for (shown, not editable).

        Call after construction, when ``type_id`` holds the submitted (or saved) type;
        ``formdata`` is the submitted form (None on GET), ``figures`` the saved values.
        """
        types = list(types)
        self.type_id.choices = choices(
            [(0, "Choose a type")]
            + [(t.id, f"{t.name} (retired)" if t.retired else t.name) for t in types]
        )
        category_options = [(c.id, category_label(c)) for c in categories]
        self.primary_category_id.choices = choices([(0, "Choose a category")] + category_options)
        self.category_ids.choices = choices(category_options)
        self.selected_type = next((t for t in types if t.id == self.type_id.data), None)
        roles = self.selected_type.roles if self.selected_type else []
        if roles:
            self.role.choices = choices([("", "Choose your role")] + [(r, r) for r in roles])
        else:
            del self["role"]
        figures = figures or {}
        self.metrics = []
        for metric in self.selected_type.metrics if self.selected_type else []:
            if metric.retired and metric.id not in figures:
                continue
            self.metrics.append(metric)
            description = (
                "Retired: kept as recorded."
                if metric.retired
                else f"{'Required' if metric.required else 'Optional'}, 0 to {metric.maximum:,}."
            )
            unbound = OptionalIntegerField(
                metric.label,
                description=description,
                **invalid_value("Enter a whole number, such as 0 or 12."),
                validators=[] if metric.retired else [metric_rule(metric)],
                render_kw={"readonly": True} if metric.retired else {"inputmode": "numeric"},
            )
            # A Form instance refuses new fields by assignment; bind it as its class would.
            field = cast(Any, unbound).bind(form=self, name=metric.field_name, prefix=self._prefix)
            self._fields[metric.field_name] = field
            setattr(self, metric.field_name, field)  # so a service's refusal finds its field
            field.process(
                formdata if formdata and not metric.retired else None,
                figures.get(metric.id),
            )

    def validate_role(self, field: SelectField) -> None:
        if self.selected_type and (message := rules.role_error(self.selected_type, field.data)):
            raise ValidationError(message)

    def validate_category_ids(self, field: CheckboxesField) -> None:
        # A POST with no form data at all leaves the field at its default, None.
        extra = field.data or []
        if message := rules.extra_categories_error(self.primary_category_id.data, extra):
            raise ValidationError(message)

    def to_input(self) -> ContributionInput:
        return ContributionInput(
            type_id=self.type_id.data,
            role=(self.role.data or "") if "role" in self else "",
            title=self.title.data or "",
            # validate() refused a missing date (rules.date_error)
            contributed_on=cast(date, self.contributed_on.data),
            url=self.url.data or "",
            description_md=self.description_md.data or "",
            primary_category_id=self.primary_category_id.data,
            category_ids=self.category_ids.data or [],
            figures={
                metric.id: self[metric.field_name].data
                for metric in self.metrics
                if not metric.retired
            },
            visibility=Visibility(self.visibility.data),
        )


VISIBILITY_FILTER = [("", "Any"), *((v.value, v.label) for v in Visibility)]
SORTS = [("newest", "Newest first"), ("oldest", "Oldest first")]


class ContributionFilterForm(BaseForm):
    """The filters of "My contributions": a GET form, read from the query string."""

    class Meta:
        csrf = False

    type = SelectField("Type", coerce=optional_int, default="")
    category = SelectField("Category", coerce=optional_int, default="")
    visibility = SelectField("Visibility", choices=choices(VISIBILITY_FILTER), default="")
    date_from = OptionalDateField("From", **invalid_value("Enter a date like 2024-05-31."))
    date_to = OptionalDateField("To", **invalid_value("Enter a date like 2024-05-31."))
    sort = SelectField("Sort", choices=choices(SORTS), default="newest")

    def configure(self, types: Iterable[ContributionType], categories: Iterable[Category]) -> None:
        self.type.choices = choices([("", "Any type")] + [(t.id, t.name) for t in types])
        self.category.choices = choices(
            [("", "Any category")] + [(c.id, category_label(c)) for c in categories]
        )

    def validate_date_to(self, field: OptionalDateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end date is before the start date.")

    def valid(self, name: str) -> Any:
        """The value of filter ``name``, or None when it is blank or invalid (then ignored)."""
        field = self[name]
        return field.data if not field.errors and field.data not in ("", None) else None


def parse_roles(text: str) -> list[str]:
    return [role.strip() for role in text.split(",") if role.strip()]


class ContributionTypeForm(BaseForm):
    name = StringField("Name", filters=[strip], validators=[DataRequired(), Length(min=2, max=80)])
    # No strip filter: on edit the model's list arrives here; the view shows it joined.
    roles = StringField(
        "Roles",
        validators=[Length(max=600)],
        description="Comma-separated, e.g. Speaker, Co-speaker. Blank: no role asked.",
    )
    weight = FloatField(
        "Weight",
        default=1.0,
        **invalid_value("Enter a number, such as 1 or 1.5."),
        validators=[InputRequired(), NumberRange(min=0, max=100)],
        description="How much this kind of work counts for reviewers (1 = normal): the "
        "reviewer's page shows each piece of evidence with it, and their weighted sum.",
    )
    position = IntegerField(
        "Position",
        default=0,
        **invalid_value("Enter a whole number."),
        validators=[InputRequired(), NumberRange(min=0, max=100_000)],
        description="Lower comes first in lists.",
    )
    retired = BooleanField(
        "Retired", description="Retired types stay on past contributions but cannot be chosen."
    )

    def validate_roles(self, field: StringField) -> None:
        if message := rules.roles_error(parse_roles(field.data or "")):
            raise ValidationError(message)

    def to_input(self) -> TypeInput:
        return TypeInput(
            name=self.name.data or "",
            roles=parse_roles(self.roles.data or ""),
            weight=self.weight.data or 0.0,
            position=self.position.data or 0,
            retired=self.retired.data,
        )


class MetricForm(BaseForm):
    """One reach metric of a contribution type."""

    name = StringField(
        "Name",
        filters=[strip],
        validators=[rule(rules.metric_name_error)],
        description='What is counted, e.g. "Attendees" or "Recording views".',
    )
    unit = StringField(
        "Unit",
        filters=[strip],
        validators=[rule(rules.metric_unit_error)],
        description='Optional, e.g. "people" or "views".',
    )
    required = BooleanField("Required", description="Members must fill it in.")
    maximum = IntegerField(
        "Maximum",
        default=1_000_000,
        **invalid_value("Enter a whole number, such as 1000."),
        validators=[InputRequired()],
        description="The largest value a member can record: catches typos.",
    )
    position = IntegerField(
        "Position",
        default=0,
        **invalid_value("Enter a whole number."),
        validators=[InputRequired(), NumberRange(min=0, max=100_000)],
        description="Lower comes first.",
    )
    retired = BooleanField(
        "Retired",
        description="No longer asked for; the values recorded with it stay readable.",
    )

    def validate_maximum(self, field: IntegerField) -> None:
        if not field.errors and (message := rules.metric_maximum_error(field.data)):
            raise ValidationError(message)

    def to_input(self) -> MetricInput:
        return MetricInput(
            name=self.name.data or "",
            unit=self.unit.data or "",
            required=self.required.data,
            maximum=self.maximum.data or 0,
            position=self.position.data or 0,
            retired=self.retired.data,
        )
