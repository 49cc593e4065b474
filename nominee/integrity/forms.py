from __future__ import annotations

from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length

from nominee.integrity.models import Verdict
from nominee.integrity.services import NOTE_MAX
from nominee.web import BaseForm, choices


class FlagReviewForm(BaseForm):
    verdict = RadioField(
        "Your review",
        choices=choices((v.value, v.label) for v in Verdict),
        validators=[InputRequired("Choose legitimate or confirmed.")],
    )
    note = TextAreaField("Note", validators=[Length(max=NOTE_MAX)])


class ScanForm(BaseForm):
    """An empty form: only the CSRF token, for the "Scan now" button."""
