from __future__ import annotations

from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from nominee.i18n import _l
from nominee.web import BaseForm


class CategoryForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(min=2, max=80)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=1000)])
    retired = BooleanField(
        _l("Retired"),
        description=_l("Retired categories stay on past records but cannot be chosen."),
    )
