from __future__ import annotations

from wtforms import TextAreaField

from nominee.contributions.forms import rule, strip
from nominee.endorsements import rules
from nominee.i18n import _l
from nominee.web import BaseForm


class EndorseForm(BaseForm):
    comment = TextAreaField(
        _l("Comment"),
        filters=[strip],
        validators=[rule(rules.comment_error)],
        description=_l(
            "Optional, up to %(max)s characters: what made it valuable?", max=rules.COMMENT_MAX
        ),
    )
