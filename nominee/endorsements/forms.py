from __future__ import annotations

from wtforms import TextAreaField

from nominee.contributions.forms import rule, strip
from nominee.endorsements import rules
from nominee.web import BaseForm


class EndorseForm(BaseForm):
    comment = TextAreaField(
        "Comment",
        filters=[strip],
        validators=[rule(rules.comment_error)],
        description=f"Optional, up to {rules.COMMENT_MAX} characters: what made it valuable?",
    )
