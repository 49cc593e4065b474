from __future__ import annotations

from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length

from nominee.i18n import _l
from nominee.integrity.models import Verdict
from nominee.integrity.services import NOTE_MAX
from nominee.web import BaseForm, choices


class FlagReviewForm(BaseForm):
    verdict = RadioField(
        _l("Your review"),
        choices=choices((v.value, _l(v.label_source)) for v in Verdict),
        validators=[InputRequired(_l("Choose legitimate or confirmed."))],
    )
    note = TextAreaField(
        _l("Note"),
        validators=[Length(max=NOTE_MAX, message=_l("At most %(max)d characters.", max=NOTE_MAX))],
    )


class ScanForm(BaseForm):
    """An empty form: only the CSRF token, for the "Scan now" button."""
