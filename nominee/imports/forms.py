from __future__ import annotations

from collections.abc import Iterable

from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from nominee.categories.models import Category
from nominee.contributions import rules as contribution_rules
from nominee.contributions.forms import category_label, rule, strip
from nominee.contributions.models import ContributionType
from nominee.i18n import _, _l
from nominee.imports.services import FeedInput
from nominee.web import BaseForm, choices


class UploadForm(BaseForm):
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(message=_l("Choose the CSV file to upload."))],
        description=_l(
            "UTF-8 text (Excel: “CSV UTF-8”), one contribution per row, at most 10,000 rows."
        ),
    )


class ActionForm(BaseForm):
    """A button that only needs its CSRF token."""


class FeedForm(BaseForm):
    url = StringField(
        _l("Feed address"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Enter the feed's address.")),
            rule(contribution_rules.url_error),
        ],
        description=_l(
            "The RSS or Atom address of a blog, a YouTube channel "
            "(https://www.youtube.com/feeds/videos.xml?channel_id=…) or a podcast."
        ),
    )
    title = StringField(
        _l("Name"),
        filters=[strip],
        validators=[Length(max=200, message=_l("Use at most %(max)d characters.", max=200))],
        description=_l("Optional: the feed's own title is used otherwise."),
    )
    type_id = SelectField(
        _l("Type of its items"),
        coerce=int,
        validators=[DataRequired(message=_l("Choose the type of contribution."))],
    )
    primary_category_id = SelectField(
        _l("Category"),
        coerce=int,
        validators=[DataRequired(message=_l("Choose a category."))],
    )

    def configure(self, types: Iterable[ContributionType], categories: Iterable[Category]) -> None:
        self.type_id.choices = choices([(0, _("Choose a type"))] + [(t.id, t.name) for t in types])
        self.primary_category_id.choices = choices(
            [(0, _("Choose a category"))] + [(c.id, category_label(c)) for c in categories]
        )

    def to_input(self) -> FeedInput:
        return FeedInput(
            url=self.url.data or "",
            title=self.title.data or "",
            type_id=self.type_id.data,
            primary_category_id=self.primary_category_id.data,
        )


class DraftsForm(BaseForm):
    """The drafts list's buttons; the drafts are the ticked ``draft_id`` boxes."""

    confirm = SubmitField(_l("Confirm selected"))
    discard = SubmitField(_l("Discard selected"))
