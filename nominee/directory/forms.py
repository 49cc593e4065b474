"""The directory's filters: a GET form, read from the query string."""

from __future__ import annotations

from typing import Any

from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from nominee.directory.queries import Choices, Filters
from nominee.directory.rules import NAME_SEARCH_MAX
from nominee.i18n import _, _l
from nominee.inputs import fits_integer
from nominee.web import BaseForm, choices
from nominee.widgets import Select

IGNORED = _l("Not one of the choices, so this filter is left out.")


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class FilterSelect(SelectField):
    """A filter's select, read as text: a value that is not one of its choices (an
    unknown id, a year nobody was awarded, not a number at all) is left out, with a
    message next to the filter."""

    def __init__(self, label: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", Select())
        super().__init__(label, coerce=str, default="", validate_choice=False, **kwargs)

    def pre_validate(self, form: Any) -> None:
        offered = {str(value) for value, *_ in self.iter_choices()}
        if self.data and self.data not in offered:
            raise ValidationError(str(IGNORED))


class DirectoryFilterForm(BaseForm):
    class Meta:
        csrf = False

    q = StringField(
        _l("Name"),
        filters=[_strip],
        validators=[
            Optional(),
            Length(
                max=NAME_SEARCH_MAX,
                message=_l("Search for at most %(max)s characters of a name.", max=NAME_SEARCH_MAX),
            ),
        ],
        description=_l("Any part of the name."),
    )
    category = FilterSelect(_l("Award category"))
    country = FilterSelect(_l("Country"))
    year = FilterSelect(_l("Award year"))
    cycle = FilterSelect(_l("Cycle"))

    def configure(self, offered: Choices) -> None:
        self.category.choices = choices([("", _("Any category")), *offered.categories])
        self.country.choices = choices([("", _("Any country")), *offered.countries])
        self.year.choices = choices([("", _("Any year")), *((y, str(y)) for y in offered.years)])
        self.cycle.choices = choices([("", _("Any cycle")), *offered.cycles])

    def valid(self, name: str) -> str | None:
        """The value of filter ``name``, or None when it is blank or invalid (left out)."""
        field = self[name]
        return field.data if not field.errors and field.data not in ("", None) else None

    def filters(self) -> Filters:
        return Filters(
            category_id=_number(self.valid("category")),
            country=self.valid("country"),
            year=_number(self.valid("year")),
            cycle_id=_number(self.valid("cycle")),
            name=self.valid("q"),
        )


def _number(value: str | None) -> int | None:
    if value is None or not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if fits_integer(number) else None
