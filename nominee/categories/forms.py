from __future__ import annotations

from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from nominee.web import BaseForm


class CategoryForm(BaseForm):
    name = StringField("Name", validators=[DataRequired(), Length(min=2, max=80)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=1000)])
    retired = BooleanField(
        "Retired", description="Retired categories stay on past records but cannot be chosen."
    )
