from __future__ import annotations

from wtforms import BooleanField, FieldList, Form, FormField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from nominee import i18n
from nominee.i18n import _l
from nominee.web import BaseForm

EXTRA_CATEGORY_ROWS = 2  # empty rows under the suggestions, for the programme's own


class CategoryRow(Form):
    keep = BooleanField(_l("Create it"))
    name = StringField(_l("Name"), validators=[Optional(), Length(min=2, max=80)])
    description = StringField(_l("Description"), validators=[Optional(), Length(max=1000)])


class SettingsForm(BaseForm):
    name = StringField(
        _l("Programme name"),
        validators=[DataRequired(), Length(min=2, max=80)],
        description=_l("Shown in every page's title, on badge images and in mail."),
    )
    time_zone = SelectField(
        _l("Time zone"),
        validators=[DataRequired()],
        description=_l(
            "Cycle dates (nominations open and close, review closes) are days in this zone."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone.choices = [(zone, zone) for zone in i18n.time_zones()]


class SetUpForm(SettingsForm):
    categories = FieldList(FormField(CategoryRow))
    add_types = BooleanField(_l("Add the default contribution types"), default=True)
