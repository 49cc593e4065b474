from __future__ import annotations

from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from nominee.web import BaseForm

MAX_CREDENTIAL = 100_000  # characters: an award's credential is about 5,000


class VerifyForm(BaseForm):
    credential = TextAreaField(
        "Credential (JSON)",
        validators=[
            DataRequired(message="Paste the credential's JSON."),
            Length(max=MAX_CREDENTIAL, message=f"At most {MAX_CREDENTIAL:,} characters."),
        ],
        description="The text of the downloaded credential file, as it is.",
        render_kw={"rows": 12, "spellcheck": "false"},
    )
