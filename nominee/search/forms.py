"""The search box and Discover's filters: GET forms, read from the query string."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wtforms import SearchField, SelectField
from wtforms.validators import Length

from nominee.categories.models import Category
from nominee.contributions.forms import category_label, optional_int
from nominee.contributions.models import ContributionType
from nominee.i18n import _, _l
from nominee.search.rules import MAX_QUERY_LENGTH, Scope
from nominee.web import BaseForm, choices
from nominee.widgets import Select


class SearchForm(BaseForm):
    class Meta:
        csrf = False

    q = SearchField(
        _l("Search for"),
        validators=[
            Length(
                max=MAX_QUERY_LENGTH,
                message=_l("Shorten the search to %(max)s characters.", max=MAX_QUERY_LENGTH),
            )
        ],
        description=_l("Words or the start of them: “dock” finds Docker."),
    )
    scope = SelectField(
        _l("In"),
        choices=choices([(scope.value, scope.label) for scope in Scope]),
        default=Scope.CONTRIBUTIONS.value,
        widget=Select(fixed=True),
    )

    def chosen_scope(self) -> Scope:
        return Scope(self.scope.data) if not self.scope.errors else Scope.CONTRIBUTIONS


class DiscoverForm(BaseForm):
    class Meta:
        csrf = False

    type = SelectField(_l("Type"), coerce=optional_int, default="", widget=Select())
    category = SelectField(_l("Category"), coerce=optional_int, default="", widget=Select())

    def configure(self, types: Iterable[ContributionType], categories: Iterable[Category]) -> None:
        self.type.choices = choices([("", _("Any type"))] + [(t.id, t.name) for t in types])
        self.category.choices = choices(
            [("", _("Any category"))] + [(c.id, category_label(c)) for c in categories]
        )

    def valid(self, name: str) -> Any:
        """The value of filter ``name``, or None when it is blank or invalid (then ignored)."""
        field = self[name]
        return field.data if not field.errors and field.data not in ("", None) else None
