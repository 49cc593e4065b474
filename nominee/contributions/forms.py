from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, cast

from babel.support import LazyProxy
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
from wtforms.widgets import CheckboxInput

from nominee.categories.models import Category
from nominee.contributions import rules
from nominee.contributions.models import ContributionType, ReachMetric, Visibility
from nominee.contributions.services import ContributionInput, MetricInput, TypeInput
from nominee.formatting import format_number
from nominee.i18n import _, _l
from nominee.web import BaseForm, choices
from nominee.widgets import ChoiceList, Select


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
    widget = ChoiceList("checkbox")
    option_widget = CheckboxInput()


def category_label(category: Category) -> str:
    return _("%(name)s (retired)", name=category.name) if category.retired else category.name


class ContributionForm(BaseForm):
    type_id = SelectField(
        _l("Type"),
        coerce=int,
        validators=[DataRequired(message=_l("Choose the type of contribution."))],
        widget=Select(),
    )
    refresh = SubmitField(_l("Show the fields of this type"))
    role = SelectField(_l("Your role"), validate_choice=False, widget=Select())
    title = StringField(_l("Title"), filters=[strip], validators=[rule(rules.title_error)])
    contributed_on = OptionalDateField(
        _l("Date"),
        **invalid_value(_l("Enter a date like 2024-05-31.")),
        validators=[rule(rules.date_error)],
    )
    url = StringField(
        _l("Link"),
        filters=[strip],
        validators=[rule(rules.url_error)],
        description=_l("Optional: where people can see it."),
    )
    description_md = TextAreaField(
        _l("Description"),
        filters=[lambda value: value or ""],
        validators=[rule(rules.description_error)],
        description=cast(
            str,
            LazyProxy(
                lambda: _(
                    "Markdown, up to %(max)s characters.",
                    max=format_number(rules.DESCRIPTION_MAX),
                ),
                enable_cache=False,
            ),
        ),
    )
    primary_category_id = SelectField(
        _l("Primary category"),
        coerce=int,
        validators=[DataRequired(message=_l("Choose a primary category."))],
        widget=Select(),
    )
    category_ids = CheckboxesField(
        _l("Other categories"),
        coerce=int,
        description=_l("Up to %(max)d.", max=rules.MAX_EXTRA_CATEGORIES),
    )
    visibility = RadioField(
        _l("Visibility"),
        choices=choices(
            [
                (Visibility.PUBLIC.value, _l("Public: anybody can see it and endorse it")),
                (
                    Visibility.PRIVATE.value,
                    _l("Private: only you, reviewers and organizers see it"),
                ),
            ]
        ),
        default=Visibility.PUBLIC.value,
        validators=[InputRequired(message=_l("Choose who can see it."))],
        widget=ChoiceList("radio"),
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
            [(0, _("Choose a type"))]
            + [(t.id, _("%(name)s (retired)", name=t.name) if t.retired else t.name) for t in types]
        )
        category_options = [(c.id, category_label(c)) for c in categories]
        self.primary_category_id.choices = choices([(0, _("Choose a category"))] + category_options)
        self.category_ids.choices = choices(category_options)
        self.selected_type = next((t for t in types if t.id == self.type_id.data), None)
        roles = self.selected_type.roles if self.selected_type else []
        if roles:
            self.role.choices = choices([("", _("Choose your role"))] + [(r, r) for r in roles])
        else:
            del self["role"]
        figures = figures or {}
        self.metrics = []
        for metric in self.selected_type.metrics if self.selected_type else []:
            if metric.retired and metric.id not in figures:
                continue
            self.metrics.append(metric)
            if metric.retired:
                description = _("Retired: kept as recorded.")
            elif metric.required:
                description = _("Required, 0 to %(max)s.", max=format_number(metric.maximum))
            else:
                description = _("Optional, 0 to %(max)s.", max=format_number(metric.maximum))
            unbound = OptionalIntegerField(
                metric.label,
                description=description,
                **invalid_value(_("Enter a whole number, such as 0 or 12.")),
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


VISIBILITY_FILTER = [("", _l("Any")), *((v.value, v.label) for v in Visibility)]
SORTS = [("newest", _l("Newest first")), ("oldest", _l("Oldest first"))]


class ContributionFilterForm(BaseForm):
    """The filters of "My contributions": a GET form, read from the query string."""

    class Meta:
        csrf = False

    type = SelectField(_l("Type"), coerce=optional_int, default="", widget=Select())
    category = SelectField(_l("Category"), coerce=optional_int, default="", widget=Select())
    visibility = SelectField(
        _l("Visibility"),
        choices=choices(VISIBILITY_FILTER),
        default="",
        widget=Select(fixed=True),
    )
    date_from = OptionalDateField(_l("From"), **invalid_value(_l("Enter a date like 2024-05-31.")))
    date_to = OptionalDateField(_l("To"), **invalid_value(_l("Enter a date like 2024-05-31.")))
    sort = SelectField(
        _l("Sort"), choices=choices(SORTS), default="newest", widget=Select(fixed=True)
    )

    def configure(self, types: Iterable[ContributionType], categories: Iterable[Category]) -> None:
        self.type.choices = choices([("", _("Any type"))] + [(t.id, t.name) for t in types])
        self.category.choices = choices(
            [("", _("Any category"))] + [(c.id, category_label(c)) for c in categories]
        )

    def validate_date_to(self, field: OptionalDateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_("The end date is before the start date."))

    def valid(self, name: str) -> Any:
        """The value of filter ``name``, or None when it is blank or invalid (then ignored)."""
        field = self[name]
        return field.data if not field.errors and field.data not in ("", None) else None


def parse_roles(text: str) -> list[str]:
    return [role.strip() for role in text.split(",") if role.strip()]


class ContributionTypeForm(BaseForm):
    name = StringField(
        _l("Name"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Enter a name.")),
            Length(min=2, max=80, message=_l("The name must be 2 to 80 characters long.")),
        ],
    )
    # No strip filter: on edit the model's list arrives here; the view shows it joined.
    roles = StringField(
        _l("Roles"),
        validators=[Length(max=600, message=_l("The roles can be at most 600 characters long."))],
        description=_l("Comma-separated, e.g. Speaker, Co-speaker. Blank: no role asked."),
    )
    weight = FloatField(
        _l("Weight"),
        default=1.0,
        **invalid_value(_l("Enter a number, such as 1 or 1.5.")),
        validators=[
            InputRequired(message=_l("Enter a weight.")),
            NumberRange(min=0, max=100, message=_l("Enter a number from 0 to 100.")),
        ],
        description=_l(
            "How much this kind of work counts for reviewers (1 = normal): the "
            "reviewer's page shows each piece of evidence with it, and their weighted sum."
        ),
    )
    position = IntegerField(
        _l("Position"),
        default=0,
        **invalid_value(_l("Enter a whole number.")),
        validators=[
            InputRequired(message=_l("Enter a position.")),
            NumberRange(min=0, max=100_000, message=_l("Enter a whole number from 0 to 100,000.")),
        ],
        description=_l("Lower comes first in lists."),
    )
    retired = BooleanField(
        _l("Retired"),
        description=_l("Retired types stay on past contributions but cannot be chosen."),
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
        _l("Name"),
        filters=[strip],
        validators=[rule(rules.metric_name_error)],
        description=_l('What is counted, e.g. "Attendees" or "Recording views".'),
    )
    unit = StringField(
        _l("Unit"),
        filters=[strip],
        validators=[rule(rules.metric_unit_error)],
        description=_l('Optional, e.g. "people" or "views".'),
    )
    required = BooleanField(_l("Required"), description=_l("Members must fill it in."))
    maximum = IntegerField(
        _l("Maximum"),
        default=1_000_000,
        **invalid_value(_l("Enter a whole number, such as 1000.")),
        validators=[InputRequired(message=_l("Enter the largest value."))],
        description=_l("The largest value a member can record: catches typos."),
    )
    position = IntegerField(
        _l("Position"),
        default=0,
        **invalid_value(_l("Enter a whole number.")),
        validators=[
            InputRequired(message=_l("Enter a position.")),
            NumberRange(min=0, max=100_000, message=_l("Enter a whole number from 0 to 100,000.")),
        ],
        description=_l("Lower comes first."),
    )
    retired = BooleanField(
        _l("Retired"),
        description=_l("No longer asked for; the values recorded with it stay readable."),
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
