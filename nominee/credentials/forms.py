from __future__ import annotations

from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from nominee.i18n import _l
from nominee.nominations.forms import at_most
from nominee.web import BaseForm

MAX_CREDENTIAL = 100_000  # characters: an award's credential is about 5,000


class VerifyForm(BaseForm):
    credential = TextAreaField(
        _l("Credential (JSON)"),
        validators=[
            DataRequired(message=_l("Paste the credential's JSON.")),
            Length(max=MAX_CREDENTIAL, message=at_most(MAX_CREDENTIAL)),
        ],
        description=_l("The text of the downloaded credential file, as it is."),
        render_kw={"rows": 12, "spellcheck": "false"},
    )
