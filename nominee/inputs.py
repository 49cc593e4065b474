"""What the app takes as input at all, whatever the field (DESIGN rule 7).

Checked for every form by ``nominee.web.BaseForm``, for every path and query string by
``nominee.web.register_input_checks``, and by the services whose values reach date
arithmetic (a cycle's look-back window and award term). No Flask here: a script or a
service uses the same limits.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

from nominee.formatting import format_number
from nominee.i18n import N_, _

# What an INTEGER column holds on every database we run on (PostgreSQL's int4).
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
# Dates far enough from the calendar's ends that any window or term computed from them
# (at most a few years either way) stays a valid date.
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)
# C0 and C1 control characters and DEL; tab, line feed and carriage return stay.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

# Translated where shown: ``_(CONTROL_MESSAGE)``; the others through their functions.
CONTROL_MESSAGE = N_(
    "Text with control characters (such as NUL bytes) is refused: they were taken out, "
    "check the text and send it again."
)
DATE_MESSAGE = N_("Enter a date between %(earliest)s and %(latest)s.")
INT_MESSAGE = N_("Enter a whole number between %(low)s and %(high)s.")
FLOAT_MESSAGE = N_("Enter a number, such as 1 or 1.5.")


def control_message() -> str:
    return _(CONTROL_MESSAGE)


def date_message() -> str:
    return _(DATE_MESSAGE, earliest=EARLIEST.year, latest=LATEST.year)


def int_message() -> str:
    return _(INT_MESSAGE, low=format_number(INT_MIN), high=format_number(INT_MAX))


def has_control_characters(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text) is not None


def without_control_characters(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text)


def fits_integer(value: int) -> bool:
    return INT_MIN <= value <= INT_MAX


def date_error(day: object) -> str | None:
    """Why ``day`` (a form's parsed value) is no date the app takes, or None."""
    if isinstance(day, datetime):
        day = day.date()
    if isinstance(day, date) and not EARLIEST <= day <= LATEST:
        return date_message()
    return None


def number_error(value: object) -> str | None:
    """Why ``value`` (a form's parsed number) cannot be stored, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and not fits_integer(value):
        return int_message()
    if isinstance(value, float) and not math.isfinite(value):
        return _(FLOAT_MESSAGE)
    return None
